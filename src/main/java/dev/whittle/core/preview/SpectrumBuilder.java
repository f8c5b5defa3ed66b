package dev.whittle.core.preview;

import dev.whittle.core.job.CancelToken;
import dev.whittle.core.lowrank.LowRank;
import dev.whittle.core.lowrank.LowRankSpec;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.tensor.Svd;
import dev.whittle.core.transform.WeightChecks;

/**
 * Computes a {@link Spectrum}: LAPACK's full spectrum through {@link LowRank#spectrum} (cached
 * there too) for matrices of moderate size, the top {@value Spectrum#TOP} values by randomized
 * SVD for large MatMul/Gemm weights. A grouped Conv's groups are folded into one array whose
 * i-th value is sqrt(sum over groups of sigma_i^2), so the energy kept at a rank (the same rank
 * in every group, as the transform does) stays exact.
 */
final class SpectrumBuilder {
    private SpectrumBuilder() {
    }

    static Spectrum build(OnnxModel model, WeightLayer layer, String method, CancelToken cancel) {
        boolean spatial = new LowRankSpec(1, null, null, method, false).isSpatial();
        long[] shape = layer.shape();
        String op = layer.op();
        boolean matrix = (op.equals("MatMul") || op.equals("Gemm")) && shape.length == 2;
        if (matrix && !spatial) {
            // A plain matrix needs no graph context: straight to LAPACK (or the randomized SVD),
            // without copying the model's graph as the transform's own lookup does.
            if (layer.quantized() || WeightChecks.unsupported(layer) != null) {
                return null;
            }
            float[] w = layer.tensor().toFloatArray();
            WeightChecks.requireFinite(layer, w);
            int m = (int) shape[0];
            int n = (int) shape[1];
            cancel.throwIfCancelled();
            boolean partial = Math.min(m, n) > Spectrum.FULL_BELOW;
            // Two power iterations: the top values of a decaying spectrum settle within 1%
            // (tested), at a third less time than the transform's three.
            float[] s = partial ? Svd.randomized(w, m, n, Spectrum.TOP, 10, 2, 0x5EEDL).s() : Svd.values(w, m, n);
            return new Spectrum(layer.node(), method, m, n, s, sumSquares(w), partial, layer.params(), (long) m + n);
        }
        float[][] all = LowRank.spectrum(model, layer, method);
        if (all == null) {
            return null;
        }
        cancel.throwIfCancelled();
        int groups = all.length;
        int len = all[0].length;
        float[] values = new float[len];
        double total = 0;
        for (float[] g : all) {
            for (int i = 0; i < len; i++) {
                total += (double) g[i] * g[i];
            }
        }
        for (int i = 0; i < len; i++) {
            double e = 0;
            for (float[] g : all) {
                e += (double) g[i] * g[i];
            }
            values[i] = (float) Math.sqrt(e);
        }
        int m;
        int n;
        if (shape.length == 2) {
            m = (int) shape[0];
            n = (int) shape[1];
        } else {
            long kh = shape.length > 2 ? shape[2] : 1;
            long kw = shape.length > 3 ? shape[3] : 1;
            long outPerGroup = shape[0] / groups;
            m = (int) (spatial ? shape[1] * kh : outPerGroup);
            n = (int) (spatial ? outPerGroup * kw : shape[1] * kh * kw);
        }
        return new Spectrum(layer.node(), method, m, n, values, total, false, layer.params(), (long) groups * (m + n));
    }

    private static double sumSquares(float[] w) {
        double s = 0;
        for (float v : w) {
            s += (double) v * v;
        }
        return s;
    }
}
