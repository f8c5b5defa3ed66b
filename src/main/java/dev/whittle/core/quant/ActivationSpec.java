package dev.whittle.core.quant;

import dev.whittle.core.BadInputException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The recipe's {@code quantize.activations}: static activation quantization with Q/DQ pairs on
 * the inputs of the selected Conv/Gemm/MatMul layers (and on their outputs when
 * {@code outputs} is true), ranges calibrated on a dataset.
 *
 * @param bits        8 or 4 (4 needs opset 21)
 * @param symmetric   int8 with zero point 0 when true, uint8 with a zero point when false
 * @param calibration how the range is chosen from the calibration histogram
 * @param outputs     also put Q/DQ on the layers' outputs
 * @param overrides   per activation tensor (or reading node) name: exclude, forced range or bits
 * @param placement   layer inputs only, or the graph between the layers too ({@link ActivationPlacement})
 * @param measureBatch samples a run when placement {@code measured} times the layers (1 otherwise)
 */
public record ActivationSpec(int bits, boolean symmetric, Calibration calibration, boolean outputs,
                             Map<String, ActivationOverride> overrides, ActivationPlacement placement, int measureBatch) {
    public ActivationSpec {
        placement = placement == null ? ActivationPlacement.LAYERS : placement;
        if (measureBatch < 1) {
            throw new BadInputException("activations.placement measured:N needs N >= 1, got " + measureBatch + ".");
        }
        if (placement != ActivationPlacement.MEASURED) {
            measureBatch = 1;
        }
        if (bits != 8 && bits != 4) {
            throw new BadInputException("activations.bits must be 8 or 4, got " + bits + ".");
        }
        if (calibration == null) {
            throw new BadInputException("activations.calibration is missing (minmax, percentile:P, entropy or mse).");
        }
        overrides = overrides == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(overrides));
        for (var e : overrides.entrySet()) {
            if (e.getKey() == null || e.getKey().isEmpty() || e.getValue() == null) {
                throw new BadInputException("activations.overrides has an empty name or value: " + e + ".");
            }
        }
    }

    public ActivationSpec(int bits, boolean symmetric, Calibration calibration, boolean outputs,
                          Map<String, ActivationOverride> overrides, ActivationPlacement placement) {
        this(bits, symmetric, calibration, outputs, overrides, placement, 1);
    }

    public ActivationSpec(int bits, boolean symmetric, Calibration calibration, boolean outputs,
                          Map<String, ActivationOverride> overrides) {
        this(bits, symmetric, calibration, outputs, overrides, ActivationPlacement.LAYERS);
    }

    /** 8-bit asymmetric (uint8) activations on layer inputs, no overrides. */
    public static ActivationSpec of(Calibration calibration) {
        return new ActivationSpec(8, false, calibration, false, Map.of());
    }

    public ActivationSpec withOverrides(Map<String, ActivationOverride> o) {
        return new ActivationSpec(bits, symmetric, calibration, outputs, o, placement, measureBatch);
    }

    public ActivationSpec withPlacement(ActivationPlacement p) {
        return new ActivationSpec(bits, symmetric, calibration, outputs, overrides, p, measureBatch);
    }

    public ActivationSpec withOutputs(boolean o) {
        return new ActivationSpec(bits, symmetric, calibration, o, overrides, placement, measureBatch);
    }

    /** The recipe's {@code placement} text: {@code graph}, {@code measured:32}... */
    public String placementText() {
        return placement.text(measureBatch);
    }
}
