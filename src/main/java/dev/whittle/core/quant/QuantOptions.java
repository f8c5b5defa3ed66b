package dev.whittle.core.quant;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleConsumer;

/**
 * Everything {@link Quantizer#apply} needs besides the model and the steps.
 *
 * @param calibration samples for activation calibration, or null when no step quantizes activations
 * @param analyses    cache of weight analyses keyed by node name, reused across calls (the
 *                    workbench keeps one per model); a fresh map when null
 * @param progress    receives the calibration's fraction done, or null
 * @param cancelled   polled once per calibration batch, or null
 */
public record QuantOptions(CalibrationData calibration, Map<String, WeightAnalysis> analyses, DoubleConsumer progress,
                           BooleanSupplier cancelled) {
    public QuantOptions {
        if (analyses == null) {
            analyses = new ConcurrentHashMap<>();
        }
    }

    public static QuantOptions none() {
        return new QuantOptions(null, null, null, null);
    }

    public static QuantOptions calibrated(CalibrationData data) {
        return new QuantOptions(data, null, null, null);
    }
}
