package dev.whittle.core.quant;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Everything {@link Quantizer#apply} needs besides the model and the steps. The quantizer never
 * runs a model: activation statistics arrive here as plain values, collected beforehand (by
 * {@code core.analysis.CalibratedQuantizer}) for the tensors {@link Quantizer#calibrationTensors} names.
 *
 * @param activations one histogram per activation tensor to calibrate (keyed by tensor name);
 *                    empty when no step quantizes activations
 * @param analyses    cache of weight analyses keyed by node name, reused across calls (the
 *                    workbench keeps one per model); a fresh map when null
 */
public record QuantOptions(Map<String, ActivationHistogram> activations, Map<String, WeightAnalysis> analyses) {
    public QuantOptions {
        activations = activations == null ? Map.of() : Map.copyOf(activations);
        if (analyses == null) {
            analyses = new ConcurrentHashMap<>();
        }
    }

    public static QuantOptions none() {
        return new QuantOptions(null, null);
    }

    public static QuantOptions calibrated(Map<String, ActivationHistogram> activations) {
        return new QuantOptions(activations, null);
    }
}
