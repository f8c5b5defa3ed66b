package dev.whittle.core.quant;

import dev.whittle.core.eval.ActivationCollector;
import dev.whittle.core.onnx.ExposedOutputs;
import dev.whittle.core.onnx.OnnxModel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleConsumer;

/**
 * Streams calibration data through the float model and fills one {@link ActivationHistogram}
 * per tensor. Memory: one batch of activations at a time plus {@link ActivationHistogram#BINS}
 * counts per tensor.
 */
public final class ActivationCalibration {
    private ActivationCalibration() {
    }

    public static Map<String, ActivationHistogram> collect(OnnxModel model, List<String> tensors, CalibrationData data,
                                                           Path externalDir, DoubleConsumer progress,
                                                           BooleanSupplier cancelled) {
        Map<String, ActivationHistogram> hist = new LinkedHashMap<>();
        for (String t : tensors) {
            hist.put(t, new ActivationHistogram());
        }
        byte[] bytes = ExposedOutputs.serialize(model, tensors);
        try (ActivationCollector c = new ActivationCollector(bytes, externalDir)) {
            c.collect(tensors, data.batches(), data.batchCount(), (name, values) -> hist.get(name).add(values),
                    progress, cancelled);
        }
        return hist;
    }
}
