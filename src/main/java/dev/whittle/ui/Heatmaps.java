package dev.whittle.ui;

import dev.whittle.core.job.CancelToken;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.plan.ResolvedPlan;
import dev.whittle.core.preview.ChannelFigures;
import dev.whittle.core.prune.PruneSpec;
import dev.whittle.core.quant.QuantizedWeight;
import dev.whittle.core.quant.WeightAnalysis;
import dev.whittle.core.quant.WeightQuantizer;
import dev.whittle.core.tensor.Svd;
import dev.whittle.core.tensor.SvdResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The Weights tab's three matrices, computed off the FX thread: the weight seen as output
 * channels x everything else (Conv: out x in*kh*kw), sampled at up to {@link #MAX} rows and
 * columns (every k-th, so big layers stay cheap to draw), before and after the layer's plan
 * (prune, then low rank, then quantize, as apply composes them), and their difference.
 * The quantization is core.quant's own; pruning zeroes |w| at or under the threshold, the removed
 * channels, or, for N:M, what the pruner's own N:M keeps (by magnitude); low rank is the truncated
 * SVD evaluated at the sampled positions. For N:M the columns (the input axis, along which the
 * groups run) are sampled in whole groups, so that each group's kept and zeroed weights stand side
 * by side: {@code group} columns at a time, then a jump of {@code colStep} groups.
 */
record Heatmaps(int rows, int cols, int rowStep, int colStep, int group, float[] before, float[] after, List<String> notes) {
    static final int MAX = 192;

    float diff(int i) {
        return after[i] - before[i];
    }

    /** Whether the plan sets image cell {@code i} to zero (it was not zero before). */
    boolean zeroed(int i) {
        return after[i] == 0f && before[i] != 0f;
    }

    /** The weight's column (position along the non-channel axes) shown in image column {@code k}. */
    long column(int k) {
        return group == 1 ? (long) k * colStep : ((long) (k / group) * colStep) * group + k % group;
    }

    /**
     * @param pruneThreshold the |w| at or under which unstructured pruning zeroes (0: none)
     * @param channels       the removed channels for channel pruning, or null
     * @param rank           the rank of the low-rank factoring (0: none)
     */
    static Heatmaps compute(WeightLayer layer, ResolvedPlan.Effective e, double pruneThreshold, ChannelFigures channels,
                            int rank, CancelToken cancel) {
        float[] w = layer.tensor().toFloatArray();
        cancel.throwIfCancelled();
        List<String> notes = new ArrayList<>();
        float[] after = w.clone();
        long[] dims = layer.shape();
        int axis = layer.axis();
        long channelsN = dims.length == 0 ? 1 : dims[axis];
        long inner = 1;
        for (int d = axis + 1; d < dims.length; d++) {
            inner *= dims[d];
        }
        long outer = w.length / Math.max(1, channelsN * inner);
        PruneSpec p = e == null ? null : e.prune();
        if (p != null) {
            if (p.isChannel() && channels != null) {
                for (int c : channels.removed()) {
                    for (long o = 0; o < outer; o++) {
                        long base = (o * channelsN + c) * inner;
                        Arrays.fill(after, (int) base, (int) (base + inner), 0f);
                    }
                }
            } else if (p.isNofM()) {
                String why = dev.whittle.core.prune.Pruner.nOfMUnsupported(layer, p.groupM());
                if (why != null) {
                    notes.add(p.structure() + " cannot apply: " + why);
                } else {
                    dev.whittle.core.prune.Pruner.nOfM(layer, after, p.keepN(), p.groupM());
                    if (p.dataAware()) {
                        notes.add("drawn with magnitude; wanda picks each group's weights from calibration data");
                    }
                }
            } else if (pruneThreshold > 0) {
                for (int i = 0; i < after.length; i++) {
                    if (Math.abs(after[i]) <= pruneThreshold) {
                        after[i] = 0f;
                    }
                }
            }
        }
        cancel.throwIfCancelled();
        if (rank > 0 && dims.length >= 2) {
            int m = (int) dims[0];
            int n = after.length / m;
            int r = Math.min(Math.min(m, n), rank);
            SvdResult svd = r < Math.min(m, n) / 2 ? Svd.randomized(after, m, n, r) : Svd.full(after, m, n).truncate(r);
            cancel.throwIfCancelled();
            after = svd.reconstruct();
        }
        cancel.throwIfCancelled();
        if (e != null && e.quantize() != null && e.quantize().weights() != null) {
            QuantizedWeight q = WeightQuantizer.quantize(WeightAnalysis.of(layer, after), e.quantize().weights());
            after = q.dequantize();
        }
        // rows: output channels; columns: (outer, inner) positions of each channel
        long colsN = outer * inner;
        int rowStep = (int) Math.max(1, (channelsN + MAX - 1) / MAX);
        int group = p != null && p.isNofM() && nmAlongColumns(layer) && colsN % p.groupM() == 0 ? p.groupM() : 1;
        long units = colsN / group;
        int perImage = Math.max(1, MAX / group);
        int colStep = (int) Math.max(1, (units + perImage - 1) / perImage);
        int rows = (int) ((channelsN + rowStep - 1) / rowStep);
        int cols = (int) ((units + colStep - 1) / colStep) * group;
        Heatmaps shape = new Heatmaps(rows, cols, rowStep, colStep, group, null, null, List.of());
        float[] b = new float[rows * cols];
        float[] a = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            long c = (long) r * rowStep;
            for (int k = 0; k < cols; k++) {
                long j = shape.column(k);
                long o = j / inner;
                long i = j % inner;
                int idx = (int) ((o * channelsN + c) * inner + i);
                b[r * cols + k] = w[idx];
                a[r * cols + k] = after[idx];
            }
        }
        return new Heatmaps(rows, cols, rowStep, colStep, group, b, a, notes);
    }

    /**
     * Whether the N:M groups run along the image's columns: the input axis is the one axis after
     * the channel axis (MatMul [in, out] seen transposed: channel axis 1, columns = axis 0 = input)
     * or, for Conv [out, in, kh, kw], the groups step through in with stride kh*kw, not adjacent.
     */
    private static boolean nmAlongColumns(WeightLayer layer) {
        long[] d = layer.shape();
        int in = dev.whittle.core.prune.Pruner.nOfMAxis(layer);
        int axis = layer.axis();
        // columns enumerate (outer, inner): adjacent columns are adjacent input positions when the
        // input axis is the last axis, or the only axis before the channel axis with nothing after it.
        return d.length == 2 && in != axis;
    }
}
