package dev.whittle.core.tensor;

import static org.bytedeco.openblas.global.openblas.LAPACK_ROW_MAJOR;

import dev.whittle.core.BadInputException;
import org.bytedeco.openblas.global.openblas;

/**
 * The damped Cholesky factor of a layer's input second moment XᵀX that the data-aware methods
 * share (GPTQ's inverse Hessian, low rank's whitening): H = XᵀX + λI with λ = damp · mean
 * diagonal (1 when the diagonal is all zero), and features that never fire (zero diagonal) given
 * a diagonal of 1 first, so H is positive definite whenever the rest of XᵀX is.
 */
public final class DampedCholesky {
    private DampedCholesky() {
    }

    /** λ = damp · mean diagonal of the k×k {@code xtx} (1 when that mean is 0). */
    public static double lambda(double[] xtx, int k, double damp) {
        double mean = 0;
        for (int j = 0; j < k; j++) {
            mean += xtx[j * k + j];
        }
        mean /= k;
        return damp * (mean > 0 ? mean : 1);
    }

    /** The damped H itself (row-major k×k, a new array). */
    public static double[] damped(double[] xtx, int k, double damp) {
        double[] h = xtx.clone();
        double lambda = lambda(xtx, k, damp);
        for (int j = 0; j < k; j++) {
            if (h[j * k + j] == 0) {
                h[j * k + j] = 1;
            }
            h[j * k + j] += lambda;
        }
        return h;
    }

    /**
     * Upper-triangular R (row-major k×k, zeros below the diagonal) with RᵀR = H, by LAPACK's
     * dpotrf; {@code who} names the method in the error raised when H is not positive definite.
     */
    public static double[] upper(double[] xtx, int k, double damp, String who) {
        double[] h = damped(xtx, k, damp);
        check(who, "dpotrf", openblas.LAPACKE_dpotrf(LAPACK_ROW_MAJOR, (byte) 'U', k, h, k));
        for (int i = 1; i < k; i++) {
            for (int j = 0; j < i; j++) {
                h[i * k + j] = 0;
            }
        }
        return h;
    }

    /** Raises the shared error for a failed factorization ({@code info != 0}). */
    public static void check(String who, String what, int info) {
        if (info != 0) {
            throw new BadInputException(who + ": " + what + " failed (info " + info + "); the layer's input statistics are not"
                    + " positive definite even with damping; raise the damping.");
        }
    }

    /**
     * Upper-triangular U with UᵀU = (XᵀX + λI)⁻¹, λ = damp · mean diagonal (GPTQ's and SparseGPT's
     * factor: row j of U weighs how an error on input j moves onto the inputs after it).
     */
    public static float[] inverseUpper(double[] xtx, int k, double damp, String who) {
        double[] h = upper(xtx, k, damp, who);
        check(who, "dpotri", org.bytedeco.openblas.global.openblas.LAPACKE_dpotri(
                org.bytedeco.openblas.global.openblas.LAPACK_ROW_MAJOR, (byte) 'U', k, h, k));
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < i; j++) {
                h[i * k + j] = h[j * k + i];
            }
        }
        check(who, "dpotrf", org.bytedeco.openblas.global.openblas.LAPACKE_dpotrf(
                org.bytedeco.openblas.global.openblas.LAPACK_ROW_MAJOR, (byte) 'U', k, h, k));
        float[] u = new float[k * k];
        for (int i = 0; i < k; i++) {
            for (int j = i; j < k; j++) {
                u[i * k + j] = (float) h[i * k + j];
            }
        }
        return u;
    }
}
