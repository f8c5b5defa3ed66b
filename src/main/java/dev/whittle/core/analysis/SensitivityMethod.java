package dev.whittle.core.analysis;

import dev.whittle.core.BadInputException;
import dev.whittle.core.lowrank.LowRank;
import dev.whittle.core.lowrank.LowRankSpec;
import dev.whittle.core.prune.PruneSpec;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.prune.Pruner;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.select.LayerSelector;
import dev.whittle.core.quant.ActivationHistogram;
import dev.whittle.core.quant.ActivationPlacement;
import dev.whittle.core.quant.ActivationSpec;
import dev.whittle.core.quant.Granularity;
import dev.whittle.core.quant.Int8Layout;
import dev.whittle.core.quant.QuantOptions;
import dev.whittle.core.quant.QuantFormat;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.quant.QuantizeStep;
import dev.whittle.core.quant.Quantizer;
import dev.whittle.core.quant.RangeSpec;
import dev.whittle.core.quant.WeightSpec;
import java.util.List;
import java.util.Map;

/**
 * How a sensitivity sweep compresses each layer, beyond the level: the pruning structure
 * ("unstructured", "channel" or "N:M") and, for quantization, the granularity, block, symmetry
 * and format. The level is the sweep's variable: a sparsity for unstructured and channel
 * pruning (for N:M the pattern fixes it: 1 - N/M, the only level allowed), a bit width for
 * quantization, a rank for low-rank, a share of the layer's weight parameters kept for
 * "lowrank-params" (the recipe's {@code lowrank.params}: one level fits layers of every size). Invalid levels are refused by {@link #checkLevel} before
 * any work.
 *
 * <p>With {@code activations} (quantize, format qdq only) each layer is quantized with its
 * activations, W8A8 as {@code whittle quantize --activations} writes it but for that layer alone:
 * the ranges come from one calibration of the whole model ({@link #calibrated}), so every row
 * differs from the unmodified model by one layer's weights and the pairs placed around it.
 *
 * @param int8Layout  how symmetric 8-bit weights are stored; null for the quantizer's default
 * @param activations the activation settings, or null for weight-only quantization
 */
public record SensitivityMethod(String name, String structure, Granularity granularity, int block, boolean symmetric,
                                QuantFormat format, Int8Layout int8Layout, ActivationSpec activations) {
    public SensitivityMethod(String name, String structure, Granularity granularity, int block, boolean symmetric,
                             QuantFormat format) {
        this(name, structure, granularity, block, symmetric, format, null, null);
    }

    public SensitivityMethod {
        name = name == null ? "" : name.trim().toLowerCase();
        structure = structure == null ? "unstructured" : structure.trim().toLowerCase();
        granularity = granularity == null ? (format == QuantFormat.MATMULNBITS ? Granularity.BLOCK : Granularity.CHANNEL)
                : granularity;
        format = format == null ? QuantFormat.QDQ : format;
        block = block == 0 && granularity == Granularity.BLOCK ? 32 : block;
        if (!name.equals("prune") && !structure.equals("unstructured")) {
            throw new BadInputException("A pruning structure applies to --method prune only.");
        }
        new PruneSpec(structure.contains(":") ? null : 0.5, null, structure, null, null, null, null, null);
        new WeightSpec(8, symmetric, granularity, granularity == Granularity.BLOCK ? block : 0, RangeSpec.MINMAX, int8Layout);
        if ((activations != null || int8Layout != null) && !name.equals("quantize")) {
            throw new BadInputException("Activations and an int8 layout apply to --method quantize only.");
        }
        if (activations != null && format != QuantFormat.QDQ) {
            throw new BadInputException("Quantized activations need format qdq, not " + format.key() + ".");
        }
        if (activations != null && (activations.placement() == ActivationPlacement.SPEED
                || activations.placement() == ActivationPlacement.MEASURED)) {
            throw new BadInputException("Placement " + activations.placement().key() + " decides over the whole model;"
                    + " a sensitivity sweep quantizes one layer at a time: use placement layers or graph.");
        }
    }

    /** The defaults: unstructured pruning; symmetric, per-channel QDQ quantization. */
    public static SensitivityMethod of(String name) {
        return new SensitivityMethod(name, null, null, 0, true, null);
    }

    /** The sparsity an N:M structure fixes, or null for other structures. */
    public Double fixedSparsity() {
        if (!structure.contains(":")) {
            return null;
        }
        String[] nm = structure.split(":");
        return 1 - Double.parseDouble(nm[0]) / Double.parseDouble(nm[1]);
    }

    /** Refuses a level the method cannot use, with what it takes instead. */
    public void checkLevel(double level) {
        switch (name) {
            case "prune" -> {
                Double fixed = fixedSparsity();
                if (fixed != null && Math.abs(level - fixed) > 1e-9) {
                    throw new BadInputException("With structure " + structure + " the sparsity is fixed at " + fixed
                            + "; that is the only level, got " + level + ".");
                }
                if (!(level >= 0 && level < 1)) {
                    throw new BadInputException("A pruning level is a sparsity, a fraction between 0 and 1 (e.g. 0.5 for 50%),"
                            + " got " + level + ".");
                }
            }
            case "lowrank-params" -> {
                if (!(level > 0 && level < 1)) {
                    throw new BadInputException("A lowrank-params level is the share of a layer's weight parameters kept,"
                            + " a fraction between 0 and 1 (e.g. 0.25), got " + level + ".");
                }
            }
            case "lowrank" -> {
                if (level < 1 || level != Math.rint(level)) {
                    throw new BadInputException("A low-rank level is a rank, a whole number of at least 1, got " + level + ".");
                }
            }
            case "quantize" -> {
                if (level != 8 && level != 4) {
                    throw new BadInputException("A quantize level is a weight bit width, 8 or 4, got " + level + ".");
                }
                if (format == QuantFormat.MATMULNBITS && level != 4) {
                    throw new BadInputException("Format matmulnbits stores 4-bit weights; the only level is 4, got " + level + ".");
                }
                if (format == QuantFormat.DYNAMIC && level != 8) {
                    throw new BadInputException("Format dynamic stores 8-bit weights; the only level is 8, got " + level + ".");
                }
            }
            default -> {
            }
        }
    }

    /** What the sweep does besides the level, with the defaults spelled out: "unstructured magnitude, per layer". */
    public String describe() {
        return switch (name) {
            case "prune" -> structure.equals("channel") ? "channel (output channels, l1 norm)"
                    : structure.contains(":") ? structure + " (N of every M weights kept along the input)"
                    : "unstructured (smallest |w| first)";
            case "quantize" -> (activations == null ? "weights only, "
                    : "weights and activations (" + activations.calibration() + ", placement " + activations.placement().key()
                    + (activations.outputs() ? ", outputs too" : "") + "), ")
                    + (symmetric ? "symmetric" : "asymmetric") + ", "
                    + (granularity == Granularity.BLOCK ? "blocks of " + block : "per " + granularity.key()) + ", format "
                    + format.key() + ", range minmax" + (int8Layout == null ? "" : ", int8 layout " + int8Layout.key());
            case "lowrank" -> "svd";
            case "lowrank-params" -> "svd, each layer's rank chosen to keep that share of its weight parameters";
            default -> "";
        };
    }

    /** The compressor for this method's settings: a built-in name, or one added with {@link LayerCompressors#register}. */
    LayerCompressor compressor() {
        return switch (name) {
            case "prune" -> (model, layer, level) -> Pruner.apply(model, LayerCompressors.only(layer), structure.contains(":")
                    ? new PruneSpec(null, null, structure, null, null, null, null, null)
                    : new PruneSpec(level, null, structure, null, null, null, null, null)).model();
            case "lowrank" -> (model, layer, level) -> LowRank.apply(model, LayerCompressors.only(layer),
                    LowRankSpec.rank((int) level)).model();
            case "lowrank-params" -> (model, layer, level) -> LowRank.apply(model, LayerCompressors.only(layer),
                    LowRankSpec.params(level)).model();
            case "quantize" -> calibrated(Map.of());
            default -> LayerCompressors.get(name);
        };
    }

    /**
     * The tensors whose ranges a sweep over {@code layers} needs, for one calibration before it
     * ({@code activations} set): each layer's own, as quantizing it alone places the pairs (a
     * layer inside a chain needs its input's range, which a whole-model placement would not).
     */
    List<String> calibrationTensors(OnnxModel model, List<WeightLayer> layers) {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        if (activations != null) {
            for (WeightLayer l : layers) {
                out.addAll(Quantizer.calibrationTensors(model, List.of(step(LayerCompressors.only(l), 8))));
            }
        }
        return List.copyOf(out);
    }

    /** The quantize compressor, with the calibrated activation histograms (ignored without {@code activations}). */
    LayerCompressor calibrated(Map<String, ActivationHistogram> histograms) {
        QuantOptions options = histograms.isEmpty() ? QuantOptions.none() : QuantOptions.calibrated(histograms);
        return (model, layer, level) -> Quantizer.apply(model, List.of(step(LayerCompressors.only(layer), (int) level)),
                options).model();
    }

    private QuantizeStep step(LayerSelector layers, int bits) {
        WeightSpec w = new WeightSpec(bits, symmetric, granularity, granularity == Granularity.BLOCK ? block : 0,
                RangeSpec.MINMAX, int8Layout);
        return new QuantizeStep(layers, new QuantizeSpec(w, activations, format));
    }
}
