package dev.whittle.core.preview;

import dev.whittle.core.BadInputException;
import dev.whittle.core.job.CancelToken;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.prune.PruneSpec;
import dev.whittle.core.quant.QuantizedWeight;
import dev.whittle.core.quant.WeightSpec;
import dev.whittle.core.transform.WeightChecks;

/** The exact tier's figures, computed from the real weight. */
final class ExactFigures {
    private ExactFigures() {
    }

    /** Figures of a real quantization; the common range is the union of the groups' ranges. */
    static QuantFigures of(QuantizedWeight q, WeightSpec spec) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < q.lo().length; i++) {
            lo = Math.min(lo, q.lo()[i]);
            hi = Math.max(hi, q.hi()[i]);
        }
        if (q.lo().length == 0) {
            lo = 0;
            hi = 0;
        }
        double scale;
        int zp = 0;
        if (q.scales().length == 1) {
            scale = q.scales()[0];
            zp = q.zeroPoints()[0];
        } else if (spec.symmetric()) {
            scale = Math.max(Math.abs(lo), Math.abs(hi)) / spec.qmax();
        } else {
            scale = (Math.max(hi, 0) - Math.min(lo, 0)) / spec.qmax();
            zp = scale == 0 ? 0 : (int) Math.max(0, Math.min(spec.qmax(), Math.rint(-Math.min(lo, 0) / scale)));
        }
        return new QuantFigures(lo, hi, scale, zp, q.scaleMin(), max(q.scales()), q.scales().length,
                q.clippedFraction(), q.sqnrDb(), true);
    }

    private static double max(float[] a) {
        double m = 0;
        for (float v : a) {
            m = Math.max(m, v);
        }
        return m;
    }

    /**
     * The exact count of zeros after {@code spec}: unstructured by threshold counts |w| <= t;
     * by sparsity max(floor(s n), zeros) (existing zeros count toward it); N:M counts per group
     * of M along the input axis max(M - N, zeros in the group); channel removes floor(s C)
     * channels of lowest norm (ties by position) and counts their weights plus the zeros left.
     */
    static PruneFigures prune(WeightLayer layer, PruneSpec spec, CancelToken cancel) {
        float[] w = layer.tensor().toFloatArray();
        WeightChecks.requireFinite(layer, w);
        cancel.throwIfCancelled();
        long n = w.length;
        long zeros = 0;
        for (float v : w) {
            if (v == 0) {
                zeros++;
            }
        }
        if (spec.isNofM()) {
            long count = nOfM(layer, w, spec.keepN(), spec.groupM());
            return new PruneFigures(Double.NaN, n == 0 ? 0 : (double) count / n, count, n, true);
        }
        if (spec.isChannel()) {
            long count = channel(layer, w, spec);
            return new PruneFigures(Double.NaN, n == 0 ? 0 : (double) count / n, count, n, true);
        }
        if (spec.threshold() != null) {
            long c = 0;
            double t = spec.threshold();
            for (float v : w) {
                if (Math.abs(v) <= t) {
                    c++;
                }
            }
            return new PruneFigures(t, n == 0 ? 0 : (double) c / n, c, n, true);
        }
        long k = (long) Math.floor(spec.sparsity() * n);
        float[] abs = new float[w.length];
        for (int i = 0; i < abs.length; i++) {
            abs[i] = Math.abs(w[i]);
        }
        java.util.Arrays.sort(abs);
        double t = k == 0 ? 0 : abs[(int) k - 1];
        long c = Math.max(k, zeros);
        return new PruneFigures(t, n == 0 ? 0 : (double) c / n, c, n, true);
    }

    private static int inputAxis(WeightLayer l) {
        return switch (l.op()) {
            case "Conv" -> 1;
            case "ConvTranspose" -> 0;
            case "Gemm" -> 1 - l.axis();
            default -> l.shape().length - 2;
        };
    }

    private static long nOfM(WeightLayer layer, float[] w, int keep, int m) {
        long[] shape = layer.shape();
        if (shape.length < 2 || shape[inputAxis(layer)] % m != 0) {
            throw new BadInputException("prune.structure " + keep + ":" + m + " cannot apply to layer '" + layer.node()
                    + "': its input dimension is not a multiple of " + m + ".");
        }
        int axis = inputAxis(layer);
        int len = (int) shape[axis];
        int stride = 1;
        for (int d = axis + 1; d < shape.length; d++) {
            stride *= (int) shape[d];
        }
        int outer = w.length / (len * stride);
        long count = 0;
        for (int o = 0; o < outer; o++) {
            for (int s = 0; s < stride; s++) {
                int base = o * len * stride + s;
                for (int g = 0; g < len; g += m) {
                    int z = 0;
                    for (int j = 0; j < m; j++) {
                        if (w[base + (g + j) * stride] == 0) {
                            z++;
                        }
                    }
                    count += Math.max(m - keep, z);
                }
            }
        }
        return count;
    }

    private static long channel(WeightLayer layer, float[] w, PruneSpec spec) {
        long[] shape = layer.shape();
        int axis = Math.max(0, layer.axis());
        int c = shape.length == 0 ? 1 : (int) shape[axis];
        int inner = 1;
        for (int d = axis + 1; d < shape.length; d++) {
            inner *= (int) shape[d];
        }
        int outer = w.length / Math.max(1, c * inner);
        double[] norm = new double[c];
        long[] zeros = new long[c];
        boolean l2 = "l2".equals(spec.criterion());
        for (int o = 0, idx = 0; o < outer; o++) {
            for (int k = 0; k < c; k++) {
                for (int i = 0; i < inner; i++) {
                    float v = w[idx++];
                    norm[k] += l2 ? (double) v * v : Math.abs(v);
                    zeros[k] += v == 0 ? 1 : 0;
                }
            }
        }
        Integer[] order = new Integer[c];
        for (int i = 0; i < c; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> norm[a] != norm[b] ? Double.compare(norm[a], norm[b]) : Integer.compare(a, b));
        int removed = (int) Math.floor(spec.sparsity() * c);
        long count = 0;
        for (int i = 0; i < c; i++) {
            count += i < removed ? (long) outer * inner : zeros[order[i]];
        }
        return count;
    }
}
