package dev.whittle.core.analysis;

import dev.whittle.core.model.Storage;

import dev.whittle.core.quant.ActivationHistogram;

import dev.whittle.core.eval.ActivationCollector;
import dev.whittle.core.onnx.ExposedOutputs;
import dev.whittle.core.onnx.RuntimeCopy;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.InternalException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleConsumer;

/**
 * Feeds calibration data through the float model and fills one {@link ActivationHistogram}
 * per tensor. Memory: one batch of activations at a time plus {@link ActivationHistogram#BINS}
 * counts per tensor.
 */
public final class ActivationCalibration {
    private ActivationCalibration() {
    }

    /**
     * Where {@code model}'s external tensor data lies (its file's folder), or null when it has
     * none or was not read from a file: the copies calibration runs must find the data there.
     */
    static Path externalDir(OnnxModel model) {
        boolean external = model.graph().constants().stream().anyMatch(t -> t.storage() == Storage.EXTERNAL);
        return external && model.source() != null ? model.source().toAbsolutePath().getParent() : null;
    }

    public static Map<String, ActivationHistogram> collect(OnnxModel model, List<String> tensors, CalibrationData data,
                                                           Path externalDir, DoubleConsumer progress,
                                                           BooleanSupplier cancelled) {
        Map<String, ActivationHistogram> hist = new LinkedHashMap<>();
        for (String t : tensors) {
            hist.put(t, new ActivationHistogram());
        }
        stream(model, tensors, data, externalDir, (name, values) -> hist.get(name).add(values),
                progress, cancelled);
        return hist;
    }

    /**
     * Feeds the calibration data through {@code model} with {@code tensors} exposed, as
     * evaluation feeds it ({@link ActivationCollector#collect}: sample axes, inputs passed whole,
     * fixed batch, streams with their state carried), and hands each run's values of each tensor
     * to {@code sink} (valid only during the call).
     */
    static void stream(OnnxModel model, List<String> wanted, CalibrationData data, Path externalDir, ActivationCollector.Sink named, DoubleConsumer progress,
                       BooleanSupplier cancelled) {
        // a tensor inside an If/Loop/Scan body reaches the outputs under another name; one no output can reach is not seen
        Map<String, String> outputs = ExposedOutputs.outputNames(model, wanted);
        Map<String, String> back = new java.util.HashMap<>();
        outputs.forEach((t, o) -> back.put(o, t));
        List<String> tensors = List.copyOf(outputs.values());
        ActivationCollector.Sink sink = new ActivationCollector.Sink() {
            @Override
            public void accept(String name, java.nio.FloatBuffer values) {
                named.accept(back.getOrDefault(name, name), values);
            }

            @Override
            public void accept(String name, java.nio.FloatBuffer values, long[] shape) {
                named.accept(back.getOrDefault(name, name), values, shape);
            }
        };
        if (model.spilled()) {
            // Some weights are in this process's temporary file: ONNX Runtime gets a written copy.
            try (RuntimeCopy copy = RuntimeCopy.of(ExposedOutputs.proto(model, wanted), model);
                 ActivationCollector c = new ActivationCollector(copy.bytes(), copy.folder())) {
                c.collect(model.graph(), tensors, data.dataset(), data.batchSize(), sink, progress, cancelled);
            }
            return;
        }
        if (externalDir != null) {
            // Weights live in external files, so the model itself is small: pass it as bytes.
            try (ActivationCollector c = new ActivationCollector(ExposedOutputs.serialize(model, wanted), externalDir)) {
                c.collect(model.graph(), tensors, data.dataset(), data.batchSize(), sink, progress, cancelled);
            }
            return;
        }
        // Everything inline: stream the model to a temporary file rather than a heap array.
        Path tmp = null;
        try {
            tmp = Files.createTempFile("whittle-calibration-", ".onnx");
            ExposedOutputs.write(model, wanted, tmp);
            try (ActivationCollector c = new ActivationCollector(tmp)) {
                c.collect(model.graph(), tensors, data.dataset(), data.batchSize(), sink, progress, cancelled);
            }
            return;
        } catch (IOException e) {
            throw new InternalException("cannot create a temporary calibration model: " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // A stray temporary file; the OS cleans its temp folder.
                }
            }
        }
    }
}
