package dev.whittle.core.lowrank;

import static org.bytedeco.openblas.global.openblas.LAPACK_ROW_MAJOR;

import dev.whittle.core.tensor.DampedCholesky;
import org.bytedeco.openblas.global.openblas;

/**
 * Truncation-aware data whitening (SVD-LLM, arXiv 2403.07378) for y = x·W, W the m×n
 * ([in, out]) matrix of a layer. With H = XᵀX + λI = RᵀR (R upper triangular, the damped
 * Cholesky factor shared with GPTQ), ‖X(W − W')‖²_F = ‖R(W − W')‖²_F when λ = 0, so the best
 * rank-r W' for the layer's output is R⁻¹·(R·W)_r, (R·W)_r the truncated SVD U_r Σ_r V_rᵀ of R·W.
 * The factors are written as left = R⁻¹ U_r Σ_r^½ (m×r) and right = Σ_r^½ V_rᵀ (r×n). All in
 * double (LAPACK dpotrf, dgesdd, dtrtrs); the singular values of R·W are the whitened spectrum.
 */
final class Whitening {
    private final int m;
    private final int n;
    private final double[] r;
    private final double[] u;
    private final double[] s;
    private final double[] vt;

    private Whitening(int m, int n, double[] r, double[] u, double[] s, double[] vt) {
        this.m = m;
        this.n = n;
        this.r = r;
        this.u = u;
        this.s = s;
        this.vt = vt;
    }

    /** The SVD of R·W for the m×n matrix {@code w} and the m×m {@code xtx} of its input. */
    static Whitening of(Matrix w, double[] xtx, double damp) {
        int m = w.m();
        int n = w.n();
        if (xtx.length != (long) m * m) {
            throw new IllegalArgumentException("XᵀX is not " + m + " x " + m + " for a weight with " + m + " inputs");
        }
        double[] r = DampedCholesky.upper(xtx, m, damp, "lowrank.whiten");
        double[] a = new double[m * n];
        float[] wa = w.a();
        for (int i = 0; i < m; i++) {
            for (int p = i; p < m; p++) {
                double rip = r[i * m + p];
                if (rip == 0) {
                    continue;
                }
                int row = p * n;
                for (int j = 0; j < n; j++) {
                    a[i * n + j] += rip * wa[row + j];
                }
            }
        }
        int k = Math.min(m, n);
        double[] s = new double[k];
        double[] u = new double[m * k];
        double[] vt = new double[k * n];
        DampedCholesky.check("lowrank.whiten", "dgesdd",
                openblas.LAPACKE_dgesdd(LAPACK_ROW_MAJOR, (byte) 'S', m, n, a, n, s, u, k, vt, n));
        return new Whitening(m, n, r, u, s, vt);
    }

    /** The whitened spectrum (singular values of R·W, descending). */
    float[] spectrum() {
        float[] out = new float[s.length];
        for (int i = 0; i < s.length; i++) {
            out[i] = (float) s[i];
        }
        return out;
    }

    /** ‖R·W‖²_F: the output energy of the layer (or group) on the calibration data. */
    double energy() {
        double all = 0;
        for (double v : s) {
            all += v * v;
        }
        return all;
    }

    /** Share of ‖R·W‖²_F that rank {@code rank} keeps. */
    double kept(int rank) {
        double all = 0;
        double kept = 0;
        for (int i = 0; i < s.length; i++) {
            all += s[i] * s[i];
            if (i < rank) {
                kept += s[i] * s[i];
            }
        }
        return all == 0 ? 1 : kept / all;
    }

    /** The rank-{@code rank} factors: R⁻¹ U_r Σ_r^½ and Σ_r^½ V_rᵀ. */
    Factors factors(int rank) {
        double[] b = new double[m * rank];
        double[] right = new double[rank * n];
        for (int c = 0; c < rank; c++) {
            double root = Math.sqrt(s[c]);
            for (int i = 0; i < m; i++) {
                b[i * rank + c] = u[i * s.length + c] * root;
            }
            for (int j = 0; j < n; j++) {
                right[c * n + j] = vt[c * n + j] * root;
            }
        }
        DampedCholesky.check("lowrank.whiten", "dtrtrs", openblas.LAPACKE_dtrtrs(LAPACK_ROW_MAJOR, (byte) 'U', (byte) 'N',
                (byte) 'N', m, rank, r, m, b, rank));
        float[] sv = spectrum();
        return new Factors(m, n, rank, toFloat(b), toFloat(right), java.util.Arrays.copyOf(sv, rank));
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }
}
