package dev.whittle.core.quant;

import java.util.Map;

/**
 * Everything {@link Quantizer#apply} needs besides the model and the steps. The quantizer never
 * runs a model: activation statistics arrive here as plain values, collected beforehand (by
 * {@code core.analysis.CalibratedQuantizer}) for the tensors {@link Quantizer#calibrationTensors} names.
 *
 * @param activations one histogram per activation tensor to calibrate (keyed by tensor name);
 *                    empty when no step quantizes activations
 * @param analyses    cache of weight analyses keyed by node name, reused across calls; null for
 *                    none: each layer's analysis (its weights as floats) is dropped as soon as
 *                    the layer is quantized, so a large model is not held on the heap whole
 * @param gptq        per node name, XᵀX of the layer's input (K×K row-major): those layers' weights
 *                    are rounded by {@link Gptq} instead of to nearest; empty for none
 * @param more        where statistics of tensors missing from {@code activations} come from (the
 *                    placements that try several configurations pair tensors no first list could
 *                    foresee); null: none, a missing tensor is an error
 */
public record QuantOptions(Map<String, ActivationHistogram> activations, Map<String, WeightAnalysis> analyses,
                           Map<String, double[]> gptq, Map<String, double[]> biasMeans, MoreStatistics more) {
    /** Collects the histograms of more activation tensors, on the same model and calibration data. */
    @FunctionalInterface
    public interface MoreStatistics {
        Map<String, ActivationHistogram> collect(java.util.List<String> tensors);
    }

    public QuantOptions {
        activations = activations == null ? Map.of() : Map.copyOf(activations);
        gptq = gptq == null ? Map.of() : Map.copyOf(gptq);
        biasMeans = biasMeans == null ? Map.of() : Map.copyOf(biasMeans);
    }

    public QuantOptions(Map<String, ActivationHistogram> activations, Map<String, WeightAnalysis> analyses,
                        Map<String, double[]> gptq, Map<String, double[]> biasMeans) {
        this(activations, analyses, gptq, biasMeans, null);
    }

    public QuantOptions(Map<String, ActivationHistogram> activations, Map<String, WeightAnalysis> analyses,
                        Map<String, double[]> gptq) {
        this(activations, analyses, gptq, null);
    }

    /**
     * These options with bias correction for the layers (node names) whose mean input (one value
     * per input feature, over the calibration rows) is given: the expected output error of the
     * quantized weight, (W - Ŵ)ᵀ·mean(x) per output channel, is added to the layer's bias.
     */
    public QuantOptions withBiasCorrection(Map<String, double[]> means) {
        return new QuantOptions(activations, analyses, gptq, means, more);
    }

    /** Without GPTQ: every weight rounds to nearest. */
    public QuantOptions(Map<String, ActivationHistogram> activations, Map<String, WeightAnalysis> analyses) {
        this(activations, analyses, null);
    }

    /** These options with GPTQ for the layers (node names) whose input XᵀX (K×K) is given. */
    public QuantOptions withGptq(Map<String, double[]> secondMoments) {
        return new QuantOptions(activations, analyses, secondMoments, biasMeans, more);
    }

    public static QuantOptions none() {
        return new QuantOptions(null, null);
    }

    public static QuantOptions calibrated(Map<String, ActivationHistogram> activations) {
        return new QuantOptions(activations, null);
    }
}
