package dev.whittle.core.preview;

import dev.whittle.core.job.Job;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;

/**
 * Singular values of a layer's weight seen as a matrix (MatMul/Gemm: the weight; Conv with
 * method svd: out x in*kh*kw), descending. For a large matrix only the top values are computed
 * (randomized SVD); {@code totalEnergy} is still exact (||W||_F^2), so energy kept and error are
 * exact for any rank up to {@code values.length}.
 *
 * @param m           rows of the matrix
 * @param n           columns
 * @param values      the singular values known, descending (all min(m, n) unless {@code partial})
 * @param totalEnergy sum of all sigma^2 = sum of w^2
 * @param partial     whether only the top values were computed
 * @param paramsBefore the weight's parameters
 * @param factorParamsPerRank parameters the two factors add per unit of rank (m + n for a matrix)
 */
public record Spectrum(String node, String method, int m, int n, float[] values, double totalEnergy, boolean partial,
                       long paramsBefore, long factorParamsPerRank) {
    /** Largest rank that can be previewed (min(m, n), or the number of top values computed). */
    public int maxRank() {
        return values.length;
    }

    /** Top singular values computed for large matrices. */
    public static final int TOP = 512;

    /**
     * A job computing the spectrum: all values by LAPACK for matrices whose smaller side is at
     * most {@value #FULL_BELOW}, else the top {@value #TOP} by randomized SVD. Null result when
     * the layer cannot be factored (an op low-rank does not support).
     */
    public static Job<Spectrum> job(OnnxModel model, WeightLayer layer, String method) {
        return (progress, cancel) -> SpectrumBuilder.build(model, layer, method, cancel);
    }

    /** Smaller-side size up to which the full spectrum is computed. */
    public static final int FULL_BELOW = 1536;

    public long memoryBytes() {
        return 128L + 4L * values.length;
    }
}
