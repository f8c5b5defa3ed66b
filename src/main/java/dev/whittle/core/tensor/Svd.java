package dev.whittle.core.tensor;

import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;
import static org.bytedeco.openblas.global.openblas.LAPACK_COL_MAJOR;
import static org.bytedeco.openblas.global.openblas.LAPACK_ROW_MAJOR;

import dev.whittle.core.InternalException;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas;

/**
 * Singular value decompositions of row-major float matrices through the LAPACK that ND4J
 * bundles (OpenBLAS via javacpp). ND4J's own SVD is broken in 1.0.0-M2.1 (see STACK.md), and
 * {@code gesvd} with both U and Vt is very slow on square matrices, so the full path is the
 * divide-and-conquer {@code sgesdd}. The first call loads the native library (seconds).
 *
 * <p>Inputs are never modified. All results are economy-size: k = min(m, n).
 */
public final class Svd {
    private Svd() {
    }

    /**
     * Full economy SVD. LAPACK is called in column-major order on A^T (n x m), which is the
     * row-major buffer of A as it is: then A^T = U' S V'^T gives U_A = V' and Vt_A = U'^T, and
     * both land in the right row-major layout without any transposing copy.
     */
    public static SvdResult full(float[] a, int m, int n) {
        check(a, m, n);
        int k = Math.min(m, n);
        float[] work = a.clone();
        float[] s = new float[k];
        float[] u = new float[m * k];
        float[] vt = new float[k * n];
        // Column-major problem: B = A^T is n x m (lda = n). "U" of B (n x k, ldu = n) is Vt of A;
        // "VT" of B (k x m, ldvt = k) is U of A.
        int info = openblas.LAPACKE_sgesdd(LAPACK_COL_MAJOR, (byte) 'S', n, m, work, n, s, vt, n, u, k);
        checkInfo("sgesdd", info);
        return new SvdResult(m, n, u, s, vt);
    }

    /** Singular values only (descending), without vectors: several times cheaper than {@link #full}. */
    public static float[] values(float[] a, int m, int n) {
        check(a, m, n);
        int k = Math.min(m, n);
        float[] work = a.clone();
        float[] s = new float[k];
        int info = openblas.LAPACKE_sgesdd(LAPACK_COL_MAJOR, (byte) 'N', n, m, work, n, s, new float[1], 1,
                new float[1], 1);
        checkInfo("sgesdd", info);
        return s;
    }

    /**
     * Randomized truncated SVD (Halko, Martinsson and Tropp 2011, algorithm 4.4 with
     * re-orthonormalized power iterations): a Gaussian sketch of {@code rank + oversample}
     * columns, {@code powerIterations} rounds of A A^T, then an exact SVD of the small
     * projected matrix. Deterministic for a given seed.
     *
     * @return the first {@code rank} components
     */
    public static SvdResult randomized(float[] a, int m, int n, int rank, int oversample, int powerIterations, long seed) {
        check(a, m, n);
        int k = Math.min(m, n);
        if (rank < 1 || rank > k) {
            throw new IllegalArgumentException("rank " + rank + " outside [1, " + k + "]");
        }
        int l = Math.min(k, rank + Math.max(0, oversample));
        if (l >= k) {
            return full(a, m, n).truncate(rank);
        }
        float[] omega = new float[n * l];
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < omega.length; i++) {
            omega[i] = (float) gaussian(rnd);
        }
        // Native buffers: A is copied once, not on every BLAS call as float[] arguments would be.
        try (FloatPointer pa = new FloatPointer(a);
             FloatPointer po = new FloatPointer(omega);
             FloatPointer y = new FloatPointer((long) m * l);
             FloatPointer z = new FloatPointer((long) n * l);
             FloatPointer tau = new FloatPointer(l)) {
            gemm(false, false, m, l, n, pa, po, y);        // Y = A Omega       (m x l)
            orthonormalize(y, m, l, tau);
            for (int q = 0; q < powerIterations; q++) {
                gemm(true, false, n, l, m, pa, y, z);      // Z = A^T Q         (n x l)
                orthonormalize(z, n, l, tau);
                gemm(false, false, m, l, n, pa, z, y);     // Y = A Z           (m x l)
                orthonormalize(y, m, l, tau);
            }
            float[] b = new float[l * n];
            try (FloatPointer pb = new FloatPointer((long) l * n)) {
                gemm(true, false, l, n, m, y, pa, pb);     // B = Q^T A         (l x n)
                pb.get(b);
            }
            SvdResult small = full(b, l, n);
            float[] u = new float[m * l];
            try (FloatPointer pu = new FloatPointer((long) m * l); FloatPointer ub = new FloatPointer(small.u())) {
                gemm(false, false, m, l, l, y, ub, pu);    // U = Q U_B         (m x l)
                pu.get(u);
            }
            return new SvdResult(m, n, u, small.s(), small.vt()).truncate(rank);
        }
    }

    /** Randomized SVD with the defaults the benchmark and the low-rank transform use. */
    public static SvdResult randomized(float[] a, int m, int n, int rank) {
        return randomized(a, m, n, rank, 10, 3, 0x5EEDL);
    }

    /**
     * C = op(A) op(B) for row-major matrices; C is rows x cols, the inner size is {@code inner}.
     * With {@code transA}, A is stored inner x rows; B is stored inner x cols.
     */
    static void gemm(boolean transA, boolean transB, int rows, int cols, int inner, FloatPointer a, FloatPointer b, FloatPointer c) {
        int lda = transA ? rows : inner;
        int ldb = transB ? inner : cols;
        openblas.cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                rows, cols, inner, 1f, a, lda, b, ldb, 0f, c, cols);
    }

    /** Replaces the columns of row-major {@code y} (rows x cols, rows >= cols) by an orthonormal basis. */
    private static void orthonormalize(FloatPointer y, int rows, int cols, FloatPointer tau) {
        checkInfo("sgeqrf", openblas.LAPACKE_sgeqrf(LAPACK_ROW_MAJOR, rows, cols, y, cols, tau));
        checkInfo("sorgqr", openblas.LAPACKE_sorgqr(LAPACK_ROW_MAJOR, rows, cols, cols, y, cols, tau));
    }

    private static double gaussian(SplittableRandom r) {
        // Box-Muller; SplittableRandom has no nextGaussian on Java 17.
        double u1 = 1.0 - r.nextDouble();
        double u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    private static void check(float[] a, int m, int n) {
        if (m < 1 || n < 1 || (long) m * n != a.length) {
            throw new IllegalArgumentException("matrix " + m + "x" + n + " does not match " + a.length + " values");
        }
    }

    private static void checkInfo(String routine, int info) {
        if (info != 0) {
            throw new InternalException("LAPACK " + routine + " failed (info " + info + ")"
                    + (info > 0 ? ": it did not converge, or the matrix holds NaN or infinite values." : "."), null);
        }
    }

    /** Relative Frobenius error ||A - B|| / ||A|| (0 when A is zero and B equals it). */
    public static double relativeError(float[] a, float[] b) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[i];
            num += d * d;
            den += (double) a[i] * a[i];
        }
        return den == 0 ? (num == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.sqrt(num / den);
    }

    /** Share of sum(s^2) held by the first r values. */
    public static double energy(float[] s, int r) {
        double kept = 0;
        double all = 0;
        for (int i = 0; i < s.length; i++) {
            double v = (double) s[i] * s[i];
            all += v;
            if (i < r) {
                kept += v;
            }
        }
        return all == 0 ? 1 : kept / all;
    }
}
