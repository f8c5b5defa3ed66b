package dev.whittle.core.eval;

import dev.whittle.core.BadInputException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluation data in memory: one array per model input (axis 0 = samples, all the same count)
 * and optional integer class labels of shape [samples] (or [samples, 1]).
 *
 * @param inputs      model input name to its array, in the order given
 * @param labels      class indices, or null when the data has none
 * @param description where the data came from, for results ("fashion-test-x.npy", "synthetic")
 * @param notes       facts a user should see (defaulted dimensions, synthetic values)
 */
public record Dataset(Map<String, HostTensor> inputs, HostTensor labels, String description, List<String> notes) {
    public Dataset {
        if (inputs.isEmpty()) {
            throw new BadInputException("The data has no input arrays.");
        }
        inputs = Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
        notes = List.copyOf(notes);
        long n = -1;
        String first = null;
        for (var e : inputs.entrySet()) {
            if (e.getValue().rank() == 0) {
                throw new BadInputException("Input array for '" + e.getKey() + "' is a scalar; it needs a sample axis.");
            }
            long s = e.getValue().samples();
            if (n >= 0 && s != n) {
                throw new BadInputException("Input arrays disagree on the number of samples: '" + first + "' has " + n
                        + ", '" + e.getKey() + "' has " + s + ".");
            }
            n = s;
            first = e.getKey();
        }
        if (labels != null) {
            if (labels.rank() == 0 || labels.rank() > 2 || (labels.rank() == 2 && labels.shape()[1] != 1)) {
                throw new BadInputException("Labels must have shape [samples] or [samples, 1], got " + labels.describe() + ".");
            }
            if (labels.type().isFloating()) {
                throw new BadInputException("Labels must be integer class indices, got " + labels.type() + ".");
            }
            if (labels.samples() != n) {
                throw new BadInputException("There are " + labels.samples() + " labels for " + n + " samples of '" + first + "'.");
            }
        }
    }

    public Dataset(Map<String, HostTensor> inputs, HostTensor labels, String description) {
        this(inputs, labels, description, List.of());
    }

    /** Number of samples (axis 0 of every input). */
    public long samples() {
        return inputs.values().iterator().next().samples();
    }

    public boolean hasLabels() {
        return labels != null;
    }

    /** The first {@code n} samples (all when n &lt;= 0 or n &gt;= samples). */
    public Dataset limit(long n) {
        if (n <= 0 || n >= samples()) {
            return this;
        }
        Map<String, HostTensor> in = new LinkedHashMap<>();
        inputs.forEach((k, v) -> in.put(k, v.rows(0, n)));
        return new Dataset(in, labels == null ? null : labels.rows(0, n), description + " (first " + n + ")", notes);
    }

    /** Samples [from, to) of every input. */
    public Map<String, HostTensor> batch(long from, long to) {
        Map<String, HostTensor> in = new LinkedHashMap<>();
        inputs.forEach((k, v) -> in.put(k, v.rows(from, to)));
        return in;
    }

    /** The label of sample {@code i}. */
    public long label(long i) {
        return labels.longAt(i);
    }
}
