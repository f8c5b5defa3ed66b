package dev.whittle.core.analysis;

import dev.whittle.core.BadInputException;
import dev.whittle.core.eval.ActivationCollector.Input;
import dev.whittle.core.eval.Dataset;
import dev.whittle.core.eval.HostTensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Calibration samples: a {@link Dataset} (each input's sample axis, inputs passed whole, a
 * stream whose state is carried), fed to the model the way evaluation feeds it
 * ({@link dev.whittle.core.eval.Feeding}, {@link dev.whittle.core.eval.ActivationCollector})
 * {@code batchSize} samples at a time (one chunk at a time for a stream; a batch size the
 * model fixes wins).
 */
public record CalibrationData(Dataset dataset, int batchSize) {
    public CalibrationData {
        if (dataset == null) {
            throw new BadInputException("calibration data has no arrays.");
        }
        if (batchSize < 1) {
            throw new BadInputException("calibration batch size must be at least 1, got " + batchSize + ".");
        }
    }

    /** Arrays with their samples along axis 0 (a scalar is passed whole). */
    public CalibrationData(Map<String, Input> arrays, int batchSize) {
        this(axisZero(arrays), batchSize);
    }

    private static Dataset axisZero(Map<String, Input> arrays) {
        if (arrays == null || arrays.isEmpty()) {
            throw new BadInputException("calibration data has no arrays.");
        }
        Map<String, HostTensor> in = new LinkedHashMap<>();
        arrays.forEach((k, v) -> in.put(k, v.floats() != null ? HostTensor.ofFloats(v.shape(), v.floats())
                : HostTensor.ofLongs(v.shape(), v.longs())));
        return new Dataset(in, null, "calibration arrays", List.of());
    }

    public int samples() {
        return Math.toIntExact(dataset.samples());
    }

    /** Runs over the data at the asked batch size (a stream: one per chunk). */
    public int batchCount() {
        return dataset.stream() != null ? samples() : (samples() + batchSize - 1) / batchSize;
    }

    /** The first {@code n} samples only (chunks, for a stream). */
    public CalibrationData limit(int n) {
        return n >= samples() ? this : new CalibrationData(dataset.limit(n), batchSize);
    }

    public CalibrationData withBatchSize(int b) {
        return new CalibrationData(dataset, b);
    }

    /**
     * What a user should know about how these samples feed {@code g}: inputs passed whole, axes
     * guessed, a fixed batch, samples left out, a stream's carry.
     */
    public List<String> notes(dev.whittle.core.model.ModelGraph g) {
        List<String> out = new java.util.ArrayList<>(dataset.notes());
        out.addAll(dev.whittle.core.eval.Feeding.of(g, dataset, batchSize).notes());
        if (dataset.stream() != null) {
            out.add(samples() + " chunks streamed in order, carrying " + dataset.stream().carry()
                    + " (zeros at each recording's start)");
        }
        return out;
    }

    /** One array for a one-input model. */
    public static CalibrationData single(String input, Input array, int batchSize) {
        return new CalibrationData(Map.of(input, array), batchSize);
    }
}
