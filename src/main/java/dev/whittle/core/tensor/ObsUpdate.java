package dev.whittle.core.tensor;

import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;

import org.bytedeco.openblas.global.openblas;

/**
 * The Optimal Brain Surgeon update that GPTQ (rounding) and SparseGPT (pruning) share: once input
 * j of a layer is changed, its error (divided by U_jj) is moved onto the inputs after it through
 * row j of U, the upper Cholesky factor of (XᵀX + λI)⁻¹. Weights are held feature-major,
 * {@code wk[j * n + o]} for input j and output o; errors of a block of inputs likewise,
 * {@code err[(j - b0) * n + o]}. Within a block the update is immediate; the inputs after the
 * block get the whole block's update as one matrix product ("lazy batch").
 */
public final class ObsUpdate {
    private ObsUpdate() {
    }

    /** Moves input {@code j}'s error onto inputs {@code j+1 .. b1-1} of its block. */
    public static void withinBlock(float[] wk, float[] u, int k, int n, int j, int b0, int b1, float[] err) {
        int er = (j - b0) * n;
        for (int i = j + 1; i < b1; i++) {
            float c = u[j * k + i];
            int ri = i * n;
            for (int o = 0; o < n; o++) {
                wk[ri + o] -= c * err[er + o];
            }
        }
    }

    /** wk[b1:, :] -= U[b0:b1, b1:]ᵀ · err: the block's errors onto every input after it. */
    public static void afterBlock(float[] wk, float[] u, int k, int n, int b0, int b1, float[] err) {
        if (b1 >= k) {
            return;
        }
        int rest = k - b1;
        int rows = b1 - b0;
        float[] ub = new float[rows * rest]; // the block of U copied out: arrays carry no offset
        for (int j = 0; j < rows; j++) {
            System.arraycopy(u, (b0 + j) * k + b1, ub, j * rest, rest);
        }
        float[] delta = new float[rest * n];
        openblas.cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, rest, n, rows, 1f, ub, rest, err, n, 0f, delta, n);
        for (int i = 0, off = b1 * n; i < delta.length; i++) {
            wk[off + i] -= delta[i];
        }
    }
}
