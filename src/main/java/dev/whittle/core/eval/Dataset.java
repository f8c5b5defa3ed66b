package dev.whittle.core.eval;

import dev.whittle.core.BadInputException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluation data in memory: one array per model input and optional integer class labels of
 * shape [samples] (or [samples, 1]). Each input has a sample axis ({@code axes}; axis 0 unless
 * stated) along which every input holds the same number of samples, or none
 * ({@link SampleAxes#CONSTANT}: a sample rate, a fixed-size state), in which case the whole
 * array goes to every run. A scalar array has no sample axis.
 *
 * @param inputs      model input name to its array, in the order given
 * @param labels      class indices, or null when the data has none
 * @param description where the data came from, for results ("fashion-test-x.npy", "synthetic")
 * @param notes       facts a user should see (defaulted dimensions, synthetic values)
 * @param axes        input name to its sample axis or {@link SampleAxes#CONSTANT}; inputs left
 *                    out use axis 0 (rank 0: constant); normalized to hold every input
 * @param stream      how a streaming model is fed, or null for independent batches
 */
public record Dataset(Map<String, HostTensor> inputs, HostTensor labels, String description, List<String> notes,
                      Map<String, Integer> axes, StreamSpec stream) {
    public Dataset {
        if (inputs.isEmpty()) {
            throw new BadInputException("The data has no input arrays.");
        }
        inputs = Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
        notes = List.copyOf(notes);
        Map<String, Integer> ax = new LinkedHashMap<>();
        long n = -1;
        String first = null;
        for (var e : inputs.entrySet()) {
            HostTensor t = e.getValue();
            Integer given = axes == null ? null : axes.get(e.getKey());
            int a = given != null ? given : t.rank() == 0 ? SampleAxes.CONSTANT : 0;
            if (a >= t.rank()) {
                throw new BadInputException("Input array for '" + e.getKey() + "' has shape " + java.util.Arrays.toString(t.shape())
                        + " (rank " + t.rank() + "), so it has no axis " + a + " to take samples from.");
            }
            ax.put(e.getKey(), a);
            if (a == SampleAxes.CONSTANT) {
                continue;
            }
            long s = t.size(a);
            if (n >= 0 && s != n) {
                throw new BadInputException("Input arrays disagree on the number of samples: '" + first + "' has " + n
                        + ", '" + e.getKey() + "' has " + s + (a == 0 ? "" : " along its sample axis " + a)
                        + "; if '" + e.getKey() + "' is the same for every sample, mark it constant in the dataset spec"
                        + " (axes: {" + e.getKey() + ": none}).");
            }
            n = s;
            first = e.getKey();
        }
        axes = Collections.unmodifiableMap(ax);
        long samples = n < 0 ? 1 : n;
        if (labels != null) {
            if (labels.rank() == 0 || labels.rank() > 2 || (labels.rank() == 2 && labels.shape()[1] != 1)) {
                throw new BadInputException("Labels must have shape [samples] or [samples, 1], got " + labels.describe() + ".");
            }
            if (labels.type().isFloating()) {
                throw new BadInputException("Labels must be integer class indices, got " + labels.type() + ".");
            }
            if (labels.samples() != samples) {
                throw new BadInputException("There are " + labels.samples() + " labels for " + samples + " samples"
                        + (first == null ? "" : " of '" + first + "'") + ".");
            }
        }
    }

    public Dataset(Map<String, HostTensor> inputs, HostTensor labels, String description, List<String> notes) {
        this(inputs, labels, description, notes, null, null);
    }

    public Dataset(Map<String, HostTensor> inputs, HostTensor labels, String description) {
        this(inputs, labels, description, List.of());
    }

    /** Number of samples (along the sample axis of every input that has one; 1 when none has). */
    public long samples() {
        for (var e : inputs.entrySet()) {
            int a = axes.get(e.getKey());
            if (a != SampleAxes.CONSTANT) {
                return e.getValue().size(a);
            }
        }
        return 1;
    }

    /** The sample axis of input {@code name}, or {@link SampleAxes#CONSTANT}. */
    public int axis(String name) {
        return axes.get(name);
    }

    public boolean hasLabels() {
        return labels != null;
    }

    /** The same data with other notes. */
    public Dataset withNotes(List<String> n) {
        return new Dataset(inputs, labels, description, n, axes, stream);
    }

    /** The first {@code n} samples (all when n &lt;= 0 or n &gt;= samples). */
    public Dataset limit(long n) {
        if (n <= 0 || n >= samples()) {
            return this;
        }
        return new Dataset(batch(0, n), labels == null ? null : labels.rows(0, n), description + " (first " + n + ")", notes,
                axes, stream);
    }

    /** Samples [from, to) of every input; inputs without a sample axis whole. */
    public Map<String, HostTensor> batch(long from, long to) {
        Map<String, HostTensor> in = new LinkedHashMap<>();
        inputs.forEach((k, v) -> {
            int a = axes.get(k);
            in.put(k, a == SampleAxes.CONSTANT ? v : v.slice(a, from, to));
        });
        return in;
    }

    /** The label of sample {@code i}. */
    public long label(long i) {
        return labels.longAt(i);
    }
}
