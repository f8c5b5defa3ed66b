package dev.whittle.core.analysis;


import dev.whittle.core.BadInputException;
import dev.whittle.core.eval.ActivationCollector.Input;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Calibration samples for activation quantization: one array per model input, all with the
 * samples along the first dimension, fed to the model {@code batchSize} samples at a time.
 */
public record CalibrationData(Map<String, Input> arrays, int batchSize) {
    public CalibrationData {
        if (arrays == null || arrays.isEmpty()) {
            throw new BadInputException("calibration data has no arrays.");
        }
        if (batchSize < 1) {
            throw new BadInputException("calibration batch size must be at least 1, got " + batchSize + ".");
        }
        arrays = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(arrays));
        long n = -1;
        for (var e : arrays.entrySet()) {
            if (e.getValue().shape().length == 0) {
                throw new BadInputException("calibration array '" + e.getKey() + "' is a scalar; it needs a samples dimension.");
            }
            long rows = e.getValue().rows();
            if (n >= 0 && rows != n) {
                throw new BadInputException("calibration arrays disagree on the number of samples: '" + e.getKey() + "' has "
                        + rows + ", another has " + n + ".");
            }
            n = rows;
        }
    }

    public int samples() {
        return (int) arrays.values().iterator().next().rows();
    }

    public int batchCount() {
        return (samples() + batchSize - 1) / batchSize;
    }

    /** The first {@code n} samples only. */
    public CalibrationData limit(int n) {
        if (n >= samples()) {
            return this;
        }
        Map<String, Input> m = new LinkedHashMap<>();
        arrays.forEach((k, v) -> m.put(k, v.slice(0, n)));
        return new CalibrationData(m, batchSize);
    }

    public CalibrationData withBatchSize(int b) {
        return new CalibrationData(arrays, b);
    }

    /** The arrays renamed by position to the model's inputs (for a single unnamed .npy file). */
    public static CalibrationData single(String input, Input array, int batchSize) {
        return new CalibrationData(Map.of(input, array), batchSize);
    }

    /** Batches, sliced lazily so only one batch's copy exists at a time. */
    public Iterable<Map<String, Input>> batches() {
        int total = samples();
        List<String> keys = List.copyOf(arrays.keySet());
        return () -> new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < total;
            }

            @Override
            public Map<String, Input> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                int count = Math.min(batchSize, total - next);
                Map<String, Input> m = new LinkedHashMap<>();
                for (String k : keys) {
                    m.put(k, arrays.get(k).slice(next, count));
                }
                next += count;
                return m;
            }
        };
    }
}
