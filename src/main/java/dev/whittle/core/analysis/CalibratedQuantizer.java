package dev.whittle.core.analysis;

import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.quant.ActivationHistogram;
import dev.whittle.core.quant.QuantOptions;
import dev.whittle.core.quant.QuantResult;
import dev.whittle.core.quant.QuantizeStep;
import dev.whittle.core.quant.Quantizer;
import dev.whittle.core.quant.WeightAnalysis;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleConsumer;

/**
 * Quantization with calibrated activations: asks {@link Quantizer#calibrationTensors} which
 * activations need statistics, streams the calibration data through the float model to collect
 * them ({@link ActivationCalibration}), and hands them to {@link Quantizer#apply} as plain values.
 * Without activation steps it is exactly {@link Quantizer#apply} and never runs the model.
 */
public final class CalibratedQuantizer {
    private CalibratedQuantizer() {
    }

    /**
     * @param data      calibration samples, or null when no step quantizes activations (the
     *                  quantizer then refuses activation steps with a clear message)
     * @param analyses  cache of weight analyses keyed by node name, or null for a fresh one
     * @param progress  receives the calibration's fraction done, or null
     * @param cancelled polled once per calibration batch, or null
     */
    public static QuantResult apply(OnnxModel model, List<QuantizeStep> steps, CalibrationData data,
                                    Map<String, WeightAnalysis> analyses, DoubleConsumer progress, BooleanSupplier cancelled) {
        return apply(model, steps, data, analyses, Map.of(), progress, cancelled);
    }

    /** As above, rounding the layers keyed in {@code gptq} (node to its input XᵀX, {@link LayerInputs}) by GPTQ. */
    public static QuantResult apply(OnnxModel model, List<QuantizeStep> steps, CalibrationData data,
                                    Map<String, WeightAnalysis> analyses, Map<String, double[]> gptq,
                                    DoubleConsumer progress, BooleanSupplier cancelled) {
        return apply(model, steps, data, analyses, gptq, Map.of(), progress, cancelled);
    }

    /** As above, also correcting the biases of the layers keyed in {@code biasMeans} (node to its mean input). */
    public static QuantResult apply(OnnxModel model, List<QuantizeStep> steps, CalibrationData data,
                                    Map<String, WeightAnalysis> analyses, Map<String, double[]> gptq,
                                    Map<String, double[]> biasMeans, DoubleConsumer progress, BooleanSupplier cancelled) {
        // a HardSigmoid after a layer that writes int8 is spelled out as ops ORT runs in int8 (decision 0030)
        HardSigmoidInt8.Expanded spelled = HardSigmoidInt8.expand(model, Quantizer.graphPlacedLayers(model, steps));
        QuantResult r = quantize(spelled.model(), steps, data, analyses, gptq, biasMeans, progress, cancelled);
        return spelled.count() == 0 ? r : SpeedPlacement.withMessages(r, List.of(spelled.count() + " HardSigmoid/HardSwish"
                + (spelled.count() == 1 ? "" : " ops") + " after layers that write int8 spelled out as Mul, Add, Clip, so that"
                + " ONNX Runtime runs " + (spelled.count() == 1 ? "it" : "them") + " in int8 (QLinearMul, QLinearAdd; the Clip"
                + " folds into the QuantizeLinear)."));
    }

    private static QuantResult quantize(OnnxModel model, List<QuantizeStep> steps, CalibrationData data,
                                        Map<String, WeightAnalysis> analyses, Map<String, double[]> gptq,
                                        Map<String, double[]> biasMeans, DoubleConsumer progress, BooleanSupplier cancelled) {
        Map<String, ActivationHistogram> hist = Map.of();
        if (data != null) {
            List<String> tensors = Quantizer.calibrationTensors(model, steps);
            if (SpeedPlacement.wanted(steps)) {
                // a layer left in float cuts the chain behind the next one: that layer's input then needs its own range;
                // a layer given an output pair needs its output's
                Set<String> more = new LinkedHashSet<>(tensors);
                more.addAll(Quantizer.calibrationTensors(model, MeasuredPlacement.layerPlaced(steps)));
                tensors = List.copyOf(more);
            }
            if (!tensors.isEmpty()) {
                hist = ActivationCalibration.collect(model, tensors, data, ActivationCalibration.externalDir(model), progress,
                        cancelled);
            }
        }
        // speed and measured placement try configurations whose graph pairs no first list foresees: more on demand
        QuantOptions.MoreStatistics more = data == null ? null
                : tensors -> ActivationCalibration.collect(model, tensors, data, ActivationCalibration.externalDir(model),
                        f -> { }, cancelled);
        QuantOptions options = new QuantOptions(hist, analyses, gptq, biasMeans, more);
        QuantResult r = Quantizer.apply(model, steps, options);
        // placement speed: what ONNX Runtime keeps as a round trip to int8 and back is left out
        if (SpeedPlacement.wanted(steps) && !r.report().activations().isEmpty()) {
            r = SpeedPlacement.apply(model, steps, options, r);
        }
        // placement measured: then the layers whose int8 kernels are slower here than float stay float
        if (MeasuredPlacement.wanted(steps) && !r.report().activations().isEmpty()) {
            r = MeasuredPlacement.apply(model, steps, options, r, data, cancelled);
        }
        // and the report says which conversions are left in the model written, and why
        return SpeedPlacement.wanted(steps) && !r.report().activations().isEmpty() ? SpeedPlacement.withConversions(r) : r;
    }

    public static QuantResult apply(OnnxModel model, List<QuantizeStep> steps, CalibrationData data) {
        return apply(model, steps, data, null, null, null);
    }
}
