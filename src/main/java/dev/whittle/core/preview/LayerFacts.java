package dev.whittle.core.preview;

import dev.whittle.core.job.CancelToken;
import dev.whittle.core.job.Job;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.quant.Granularity;
import dev.whittle.core.quant.GroupRanges;
import dev.whittle.core.quant.Grouping;
import dev.whittle.core.quant.WeightAnalysis;
import dev.whittle.core.quant.WeightSpec;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The cached statistics of one layer that the instant tier answers from, computed in one job
 * (a few passes over the weight) and then immutable and thread-safe. It holds no copy of the
 * weights:
 * <ul>
 *   <li>a fine histogram of |w| keyed by the top bits of the float (each bucket spans 2^-10 of
 *       its value, as {@code WeightStatistics}'), for threshold and sparsity both ways;</li>
 *   <li>per-group min and max for channels and for blocks of 16, 32, 64, 128 and 256 (the
 *       ranges {@code RangeSpec} intersects a common clip with), and channel L1/L2 norms;</li>
 *   <li>per grouping, a sample for the quantization error: the {@value #TAIL} largest |w|
 *       exactly, plus {@value #SAMPLE} of the others drawn at random (fixed seed) with
 *       probability proportional to their group's max|w|^2, each carrying the weight of the
 *       values it stands for; a layer small enough that its weights take no more room than
 *       these samples ({@value #KEEP_ALL} weights) keeps them all, once, so its estimates are
 *       exact.</li>
 * </ul>
 * {@link #memoryBytes()} is what the cache budget counts.
 */
public final class LayerFacts {
    /** Random sample size for the quantization error estimate. */
    public static final int SAMPLE = 1 << 15;
    /** Largest magnitudes kept exactly (they carry the clipping error). */
    public static final int TAIL = 1 << 12;
    /** Up to this many weights a layer's facts keep all values (1 MiB; an event then takes about a millisecond). */
    public static final int KEEP_ALL = 1 << 18;
    static final int SHIFT = 13;
    static final int KEYS = 1 << (31 - SHIFT);
    static final int[] BLOCKS = {16, 32, 64, 128, 256};

    final WeightLayer layer;
    final long count;
    final long zeros;
    final double sumSquares;
    final float min;
    final float max;
    final int[] absKeys;
    final Map<Grouping, Sample> samples;
    final Map<Grouping, GroupRanges> ranges;
    final double[] channelL1;
    final double[] channelL2;

    LayerFacts(WeightLayer layer, long count, long zeros, double sumSquares, float min, float max, int[] absKeys,
               Map<Grouping, Sample> samples, Map<Grouping, GroupRanges> ranges,
               double[] channelL1, double[] channelL2) {
        this.layer = layer;
        this.count = count;
        this.zeros = zeros;
        this.sumSquares = sumSquares;
        this.min = min;
        this.max = max;
        this.absKeys = absKeys;
        this.samples = Collections.unmodifiableMap(new LinkedHashMap<>(samples));
        this.ranges = Collections.unmodifiableMap(new LinkedHashMap<>(ranges));
        this.channelL1 = channelL1;
        this.channelL2 = channelL2;
    }

    /**
     * Computes the facts of {@code layer} on the calling thread (reads the weight once, then a
     * few passes over the copy, which is dropped at the end). Checks {@code cancel} between
     * passes.
     *
     * @throws dev.whittle.core.BadInputException when the weight holds NaN or infinity, or is not float
     */
    public static LayerFacts compute(WeightLayer layer, CancelToken cancel) {
        return FactsBuilder.build(layer, cancel);
    }

    /** {@link #compute} as a job. */
    public static Job<LayerFacts> job(WeightLayer layer) {
        return (progress, cancel) -> {
            progress.update(0, 1, "statistics " + layer.node());
            LayerFacts f = compute(layer, cancel);
            progress.update(1, 1, "statistics " + layer.node());
            return f;
        };
    }

    public WeightLayer layer() {
        return layer;
    }

    /** Elements of the weight. */
    public long count() {
        return count;
    }

    /** Elements exactly zero already. */
    public long zeros() {
        return zeros;
    }

    public double sumSquares() {
        return sumSquares;
    }

    public double min() {
        return min;
    }

    public double max() {
        return max;
    }

    public double absMax() {
        return Math.max(Math.abs(min), Math.abs(max));
    }

    /** Per-channel (output-channel axis) minimum, for the range plot; do not modify. */
    public float[] channelMin() {
        return channelRanges().min();
    }

    /** Per-channel maximum; do not modify. */
    public float[] channelMax() {
        return channelRanges().max();
    }

    /** L1 norm of each output channel's weights; do not modify. */
    public double[] channelL1() {
        return channelL1;
    }

    /** L2 norm of each output channel's weights; do not modify. */
    public double[] channelL2() {
        return channelL2;
    }

    /** Whether per-group ranges for {@code spec}'s grouping are cached (all but odd block sizes are). */
    public boolean hasRanges(WeightSpec spec) {
        return ranges.containsKey(grouping(spec));
    }

    /** The per-group min/max of {@code spec}'s grouping, or null when not cached. */
    public GroupRanges ranges(WeightSpec spec) {
        return ranges.get(grouping(spec));
    }

    GroupRanges channelRanges() {
        return ranges.get(grouping(WeightSpec.of(8, Granularity.CHANNEL)));
    }

    Grouping grouping(WeightSpec spec) {
        return WeightAnalysis.of(layer, EMPTY).grouping(spec);
    }

    private static final float[] EMPTY = new float[0];

    /**
     * Weights drawn for the error estimate of one grouping: the first {@code tail} entries are
     * exact (weight 1: the largest |w|, or every weight of a small layer); the others are drawn
     * with probability proportional to their group's max|w|^2 (the size of its rounding error),
     * each weighted by 1 / (draws x probability).
     */
    record Sample(int[] index, float[] value, float[] weight, int tail) {
        /** Every weight of a small layer, in order: index i is element i, weight 1, all exact. */
        static Sample all(float[] values) {
            return new Sample(null, values, null, values.length);
        }

        int size() {
            return value.length;
        }

        int element(int j) {
            return index == null ? j : index[j];
        }

        float weightOf(int j) {
            return weight == null ? 1f : weight[j];
        }

        long bytes() {
            return 4L * value.length + (index == null ? 0 : 8L * index.length) + 64;
        }
    }

    /** Bytes held, for the cache budget. */
    public long memoryBytes() {
        long b = 256L + 4L * absKeys.length + 16L * channelL1.length;
        java.util.Set<Sample> counted = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Sample x : samples.values()) {
            if (counted.add(x)) {
                b += x.bytes();
            }
        }
        for (GroupRanges r : ranges.values()) {
            b += 8L * r.min().length + 64;
        }
        return b;
    }
}
