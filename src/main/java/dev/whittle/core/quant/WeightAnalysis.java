package dev.whittle.core.quant;

import dev.whittle.core.model.WeightLayer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A layer's weight values read once, with per-group statistics computed on first use and kept:
 * analyse once, quantize many times (the workbench moves sliders over these). Thread-safe.
 *
 * <p>{@link #values()} is the weight in row-major order, converted to float; do not modify it.
 */
public final class WeightAnalysis {
    private final WeightLayer layer;
    private final float[] values;
    private final Map<Grouping, GroupRanges> ranges = new ConcurrentHashMap<>();
    private final Map<Grouping, GroupedValues> grouped = new ConcurrentHashMap<>();
    private volatile double sumSquares = Double.NaN;

    private WeightAnalysis(WeightLayer layer, float[] values) {
        // A NaN or infinite weight has no range to quantize; its code would be silent garbage.
        dev.whittle.core.transform.WeightChecks.requireFinite(layer, values);
        this.layer = layer;
        this.values = values;
    }

    /** Reads the layer's weight (one pass over the stored tensor). */
    public static WeightAnalysis of(WeightLayer layer) {
        return new WeightAnalysis(layer, layer.tensor().toFloatArray());
    }

    /** For tests and tools that hold values without a model. */
    public static WeightAnalysis of(WeightLayer layer, float[] values) {
        return new WeightAnalysis(layer, values);
    }

    public WeightLayer layer() {
        return layer;
    }

    public float[] values() {
        return values;
    }

    /**
     * How {@code spec} splits this weight into groups. Conv blocks run over the flattened
     * in-channels x kernel dims, so the grouping's dims are then 2-D ([out, in*kh*kw]).
     */
    public Grouping grouping(WeightSpec spec) {
        Granularity g = spec.granularity();
        int rank = layer.shape().length;
        if (rank == 0 || (g == Granularity.BLOCK && OpRules.inputAxis(layer) < 0)) {
            g = Granularity.TENSOR;
        }
        long[] dims = layer.shape();
        if (g == Granularity.BLOCK && OpRules.flatBlocks(layer)) {
            // [out, in, kh, kw] seen as [out, in*kh*kw]: blocks cover the convolution's reduction.
            return Grouping.of(new long[] {dims[0], layer.params() / dims[0]}, g, 0, 1, spec.block());
        }
        return Grouping.of(dims, g, Math.max(0, layer.axis()), OpRules.inputAxis(layer), spec.block());
    }

    /**
     * Per-group min and max (finite values only), computed once per grouping; a block grouping
     * is merged from the ranges of a finer one already computed when its blocks nest in it.
     */
    public GroupRanges ranges(Grouping g) {
        GroupRanges known = ranges.get(g);
        if (known != null) {
            return known;
        }
        for (var e : ranges.entrySet()) {
            if (GroupRanges.nests(e.getKey(), g)) {
                return ranges.computeIfAbsent(g, k -> GroupRanges.coarsen(e.getValue(), e.getKey(), k));
            }
        }
        return ranges.computeIfAbsent(g, k -> GroupRanges.of(values, k));
    }

    /** Values reordered so each group is contiguous, computed once per grouping. */
    public GroupedValues grouped(Grouping g) {
        return grouped.computeIfAbsent(g, k -> GroupedValues.of(values, k));
    }

    /** Sum of w^2 over the finite values (the signal power of SQNR). */
    public double sumSquares() {
        double s = sumSquares;
        if (Double.isNaN(s)) {
            double acc = 0;
            for (float v : values) {
                if (Math.abs(v) <= Float.MAX_VALUE) {
                    acc += (double) v * v;
                }
            }
            sumSquares = s = acc;
        }
        return s;
    }
}
