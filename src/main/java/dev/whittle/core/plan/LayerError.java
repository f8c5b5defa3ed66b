package dev.whittle.core.plan;

import dev.whittle.core.job.Job;
import dev.whittle.core.lowrank.LowRankSpec;
import dev.whittle.core.model.DataType;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.prune.PruneSpec;
import dev.whittle.core.quant.QuantizedWeight;
import dev.whittle.core.quant.WeightAnalysis;
import dev.whittle.core.quant.WeightQuantizer;
import dev.whittle.core.quant.WeightSpec;
import dev.whittle.core.tensor.Svd;
import dev.whittle.core.tensor.SvdResult;
import dev.whittle.core.transform.WeightChecks;
import java.util.Arrays;

/**
 * A layer's final error under everything the plan does to it, composed as {@code apply}
 * composes it: prune (unstructured by magnitude, ties by position; N:M along the input axis;
 * channel: the removed output channels), then low rank (truncated SVD split as
 * U sqrt(S) and sqrt(S) V^T), then quantize (each factor of a factored layer). Computed on the
 * layer's weight alone, as a job for the exact tier.
 *
 * @param relativeError ||W - W_final||_F / ||W||_F
 * @param sqnrDb        10 log10(sum W^2 / sum (W - W_final)^2); +Infinity when nothing changes
 * @param note          what the figure leaves out, or null (global scope, spatial factoring)
 */
public record LayerError(String node, double relativeError, double sqnrDb, String note) {
    /** The job computing {@code e}'s error. */
    public static Job<LayerError> job(ResolvedPlan.Effective e) {
        return (progress, cancel) -> {
            WeightLayer l = e.layer();
            float[] w = l.tensor().toFloatArray();
            WeightChecks.requireFinite(l, w);
            float[] out = w.clone();
            String note = null;
            if (e.prune() != null) {
                if (e.prune().isGlobal()) {
                    note = "global scope: this layer's share of the global threshold is taken as the target sparsity";
                }
                prune(l, out, e.prune());
            }
            cancel.throwIfCancelled();
            int[] mn = matrix(l);
            float[][] factors = null;
            if (e.lowrank() != null && mn != null) {
                if (e.lowrank().isSpatial()) {
                    note = "spatial factoring is not previewed; the error shown leaves it out";
                } else {
                    factors = factor(out, mn[0], mn[1], e.lowrank());
                }
            }
            cancel.throwIfCancelled();
            WeightSpec q = e.quantize() == null ? null : e.quantize().weights();
            if (factors != null) {
                int r = factors[0].length / mn[0];
                if (q != null) {
                    // MatMul factors keep output channels on the last axis; Gemm and Conv factors on the first.
                    int axis = l.op().equals("MatMul") ? 1 : 0;
                    factors[0] = dequantized(matrixLayer(l, mn[0], r, axis), factors[0], q);
                    factors[1] = dequantized(matrixLayer(l, r, mn[1], axis), factors[1], q);
                    if (axis == 0) {
                        note = "the factors' quantization groups are taken along their rows";
                    }
                }
                out = product(factors[0], factors[1], mn[0], r, mn[1]);
            } else if (q != null) {
                out = dequantized(l, out, q);
            }
            double signal = 0;
            double noise = 0;
            for (int i = 0; i < w.length; i++) {
                double d = (double) w[i] - out[i];
                signal += (double) w[i] * w[i];
                noise += d * d;
            }
            return new LayerError(l.node(), signal == 0 ? 0 : Math.sqrt(noise / signal),
                    noise == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(signal / noise), note);
        };
    }

    /** The weight as the matrix low rank factors: rows x cols in storage order (Conv: out x in*kh*kw); null if none. */
    private static int[] matrix(WeightLayer l) {
        long[] s = l.shape();
        if ((l.op().equals("MatMul") || l.op().equals("Gemm")) && s.length == 2) {
            return new int[] {(int) s[0], (int) s[1]};
        }
        if (l.op().equals("Conv") && s.length >= 3) {
            return new int[] {(int) s[0], (int) (l.params() / s[0])};
        }
        return null;
    }

    private static float[][] factor(float[] a, int m, int n, LowRankSpec spec) {
        float[] s = spec.energy() == null ? null : Svd.values(a, m, n);
        int r = Math.min(Math.min(m, n), spec.rankFor(m, n, s));
        if ((long) r * (m + n) >= (long) m * n) {
            return null;
        }
        // the low-rank step's own SVD and factor split, so the preview cannot drift from apply
        return dev.whittle.core.lowrank.LowRank.factors(a, m, n, r);
    }

    private static float[] product(float[] a, float[] b, int m, int r, int n) {
        float[] out = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int k = 0; k < r; k++) {
                float x = a[i * r + k];
                for (int j = 0; j < n; j++) {
                    out[i * n + j] += x * b[k * n + j];
                }
            }
        }
        return out;
    }

    /** A factor seen as a 2-D weight [rows, cols] with output channels along {@code axis}. */
    private static WeightLayer matrixLayer(WeightLayer l, int rows, int cols, int axis) {
        return new WeightLayer(l.node() + "_factor", axis == 1 ? "MatMul" : "Gemm", l.weight() + "_factor",
                new long[] {rows, cols}, DataType.FLOAT, (long) rows * cols, 4L * rows * cols, l.storage(), axis, false,
                l.graphPath(), null);
    }

    private static float[] dequantized(WeightLayer l, float[] values, WeightSpec spec) {
        QuantizedWeight q = WeightQuantizer.quantize(WeightAnalysis.of(l, values), spec);
        return q.dequantize();
    }

    private static void prune(WeightLayer l, float[] w, PruneSpec spec) {
        if (spec.isChannel()) {
            channels(l, w, spec);
        } else if (spec.isNofM()) {
            nOfM(l, w, spec.keepN(), spec.groupM());
        } else if (spec.threshold() != null) {
            for (int i = 0; i < w.length; i++) {
                if (Math.abs(w[i]) <= spec.threshold()) {
                    w[i] = 0;
                }
            }
        } else {
            int k = (int) Math.floor(spec.sparsity() * w.length);
            long[] keys = new long[w.length];
            for (int i = 0; i < w.length; i++) {
                keys[i] = ((long) Float.floatToRawIntBits(Math.abs(w[i])) << 32) | i;
            }
            Arrays.sort(keys);
            for (int i = 0; i < k; i++) {
                w[(int) keys[i]] = 0;
            }
        }
    }

    private static void nOfM(WeightLayer l, float[] w, int keep, int m) {
        // the pruner's own N:M, so the preview cannot drift from what apply writes
        dev.whittle.core.prune.Pruner.nOfM(l, w, keep, m);
    }

    private static void channels(WeightLayer l, float[] w, PruneSpec spec) {
        long[] d = l.shape();
        int axis = Math.max(0, l.axis());
        int c = d.length == 0 ? 1 : (int) d[axis];
        int stride = 1;
        for (int k = axis + 1; k < d.length; k++) {
            stride *= (int) d[k];
        }
        double[] norm = new double[c];
        boolean l2 = "l2".equals(spec.criterion());
        for (int i = 0; i < w.length; i++) {
            int ch = (i / stride) % c;
            norm[ch] += l2 ? (double) w[i] * w[i] : Math.abs(w[i]);
        }
        Integer[] order = new Integer[c];
        for (int i = 0; i < c; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> norm[x] != norm[y] ? Double.compare(norm[x], norm[y]) : Integer.compare(x, y));
        boolean[] gone = new boolean[c];
        for (int i = 0; i < (int) Math.floor(spec.sparsity() * c); i++) {
            gone[order[i]] = true;
        }
        for (int i = 0; i < w.length; i++) {
            if (gone[(i / stride) % c]) {
                w[i] = 0;
            }
        }
    }
}
