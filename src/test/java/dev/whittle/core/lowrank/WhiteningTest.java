package dev.whittle.core.lowrank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Whitened SVD (lowrank.whiten) against an independent computation: the best rank-r
 * approximation of the output B = X·W by a one-sided Jacobi SVD written here, mapped back to
 * weights with X's pseudo-inverse (normal equations solved by Gaussian elimination).
 */
class WhiteningTest {
    private static final int N = 80;
    private static final int M = 12;
    private static final int OUT = 9;

    /** X (N x M) with columns of very different scales, so whitening matters; full column rank. */
    private static double[] inputs(Random rnd) {
        double[] x = new double[N * M];
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < M; j++) {
                x[i * M + j] = rnd.nextGaussian() * Math.pow(3, j % 4 - 1.5) + (j == 2 ? 0.5 * x[i * M] : 0);
            }
        }
        return x;
    }

    @Test
    void whitenedFactorsAreTheOptimalRankROutputApproximation() {
        Random rnd = new Random(7);
        double[] x = inputs(rnd);
        float[] w = new float[M * OUT];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rnd.nextGaussian();
        }
        double[] xtx = gram(x, N, M);
        double[] b = mul(x, toDouble(w), N, M, OUT);
        double[][] jacobi = jacobiSvd(b, N, OUT);
        double[] sigma = jacobi[0];
        for (int r : new int[] {1, 3, 5}) {
            float[][] f = LowRank.whitenedFactors(w, M, OUT, r, xtx, 0);
            double[] approx = mul(toDouble(f[0]), toDouble(f[1]), M, r, OUT);
            double err = outputError(x, toDouble(w), approx);
            double opt = 0;
            for (int i = r; i < sigma.length; i++) {
                opt += sigma[i] * sigma[i];
            }
            opt = Math.sqrt(opt);
            assertEquals(opt, err, 1e-6 * opt, "rank " + r + ": output error is Eckart-Young's optimum of X·W");
            // The optimal weights themselves: X⁺ B_r = (XᵀX)⁻¹ Xᵀ B_r, B_r = B V_r V_rᵀ.
            double[] br = bestRank(b, jacobi, N, OUT, r);
            double[] wOpt = solve(xtx, mul(transpose(x, N, M), br, M, N, OUT), M, OUT);
            assertTrue(maxDiff(wOpt, approx) <= 1e-5 * maxAbs(wOpt), "rank " + r + ": W' = X⁺ (XW)_r, max diff "
                    + maxDiff(wOpt, approx));
            float[][] plain = LowRank.factors(w, M, OUT, r);
            double plainErr = outputError(x, toDouble(w), mul(toDouble(plain[0]), toDouble(plain[1]), M, r, OUT));
            assertTrue(err <= plainErr, "whitened " + err + " <= plain " + plainErr);
            assertTrue(err < 0.9 * plainErr, "anisotropic inputs: whitening clearly helps (" + err + " vs " + plainErr + ")");
        }
        float[] spectrum = LowRank.whitenedSpectrum(w, M, OUT, xtx, 0);
        for (int i = 0; i < OUT; i++) {
            assertEquals(sigma[i], spectrum[i], 1e-5 * sigma[0], "whitened spectrum = singular values of X·W");
        }
    }

    @Test
    void isotropicInputsGiveThePlainSvd() {
        Random rnd = new Random(3);
        float[] w = new float[M * OUT];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rnd.nextGaussian();
        }
        double[] xtx = new double[M * M];
        for (int j = 0; j < M; j++) {
            xtx[j * M + j] = 4;
        }
        float[][] white = LowRank.whitenedFactors(w, M, OUT, 4, xtx, 0.01);
        float[][] plain = LowRank.factors(w, M, OUT, 4);
        double[] a = mul(toDouble(white[0]), toDouble(white[1]), M, 4, OUT);
        double[] p = mul(toDouble(plain[0]), toDouble(plain[1]), M, 4, OUT);
        assertTrue(maxDiff(a, p) < 1e-5 * maxAbs(p), "same product, max diff " + maxDiff(a, p));
    }

    @Test
    void energyReadsTheWhitenedSpectrumAndLayersWithoutStatisticsAreLeftAlone() {
        var model = dev.whittle.testing.TestModels.mlp();
        // fc1 is Gemm(transB=1) with W1 stored [12 out, 16 in]: XᵀX is 16 x 16, inputs of decaying scale
        double[] xtx = new double[16 * 16];
        for (int j = 0; j < 16; j++) {
            xtx[j * 16 + j] = Math.pow(10, -j / 3.0);
        }
        LowRankSpec spec = LowRankSpec.energy(0.9).withWhiten(true);
        var res = LowRank.apply(model, dev.whittle.core.select.LayerSelector.names("fc1|fc2"), spec,
                java.util.Map.of("fc1", xtx));
        float[] w1 = model.graph().layer("fc1").orElseThrow().tensor().toFloatArray();
        float[] w = Matrix.transpose(w1, 12, 16);
        int expected = spec.rankFor(16, 12, LowRank.whitenedSpectrum(w, 16, 12, xtx, LowRank.WHITEN_DAMP));
        var fc1 = res.report().layers().get(0);
        assertEquals(expected, fc1.rank(), fc1.toString());
        assertTrue(expected < 6, "decaying inputs concentrate the whitened energy: rank " + expected);
        assertTrue(fc1.energyKept() >= 0.9, fc1.toString());
        var fc2 = res.report().layers().get(1);
        assertTrue(fc2.skipped() != null && fc2.skipped().contains("needs the XᵀX of the layer's input"), fc2.toString());
    }

    private static double outputError(double[] x, double[] w, double[] approx) {
        double[] d = new double[w.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = w[i] - approx[i];
        }
        double[] e = mul(x, d, N, M, OUT);
        double s = 0;
        for (double v : e) {
            s += v * v;
        }
        return Math.sqrt(s);
    }

    /** One-sided Jacobi SVD of the rows x cols matrix a (rows >= cols): {sigma (descending), V row-major, order}. */
    static double[][] jacobiSvd(double[] a, int rows, int cols) {
        double[] u = a.clone();
        double[] v = new double[cols * cols];
        for (int j = 0; j < cols; j++) {
            v[j * cols + j] = 1;
        }
        for (int sweep = 0; sweep < 60; sweep++) {
            double off = 0;
            for (int p = 0; p < cols - 1; p++) {
                for (int q = p + 1; q < cols; q++) {
                    double alpha = 0;
                    double beta = 0;
                    double gamma = 0;
                    for (int i = 0; i < rows; i++) {
                        alpha += u[i * cols + p] * u[i * cols + p];
                        beta += u[i * cols + q] * u[i * cols + q];
                        gamma += u[i * cols + p] * u[i * cols + q];
                    }
                    off = Math.max(off, Math.abs(gamma) / Math.sqrt(alpha * beta));
                    if (gamma == 0) {
                        continue;
                    }
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = Math.signum(zeta == 0 ? 1 : zeta) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
                    double c = 1 / Math.sqrt(1 + t * t);
                    double s = c * t;
                    rotate(u, rows, cols, p, q, c, s);
                    rotate(v, cols, cols, p, q, c, s);
                }
            }
            if (off < 1e-15) {
                break;
            }
        }
        double[] sigma = new double[cols];
        Integer[] order = new Integer[cols];
        for (int j = 0; j < cols; j++) {
            double n = 0;
            for (int i = 0; i < rows; i++) {
                n += u[i * cols + j] * u[i * cols + j];
            }
            sigma[j] = Math.sqrt(n);
            order[j] = j;
        }
        java.util.Arrays.sort(order, (p, q) -> Double.compare(sigma[q], sigma[p]));
        double[] sorted = new double[cols];
        double[] ord = new double[cols];
        for (int j = 0; j < cols; j++) {
            sorted[j] = sigma[order[j]];
            ord[j] = order[j];
        }
        return new double[][] {sorted, v, ord};
    }

    private static void rotate(double[] a, int rows, int cols, int p, int q, double c, double s) {
        for (int i = 0; i < rows; i++) {
            double ap = a[i * cols + p];
            double aq = a[i * cols + q];
            a[i * cols + p] = c * ap - s * aq;
            a[i * cols + q] = s * ap + c * aq;
        }
    }

    /** B V_r V_rᵀ with V_r the right singular vectors of the r largest singular values. */
    private static double[] bestRank(double[] b, double[][] svd, int rows, int cols, int r) {
        double[] v = svd[1];
        double[] proj = new double[cols * cols];
        for (int k = 0; k < r; k++) {
            int c = (int) svd[2][k];
            for (int i = 0; i < cols; i++) {
                for (int j = 0; j < cols; j++) {
                    proj[i * cols + j] += v[i * cols + c] * v[j * cols + c];
                }
            }
        }
        return mul(b, proj, rows, cols, cols);
    }

    /** Solves A X = B (A n x n, B n x k) by Gaussian elimination with partial pivoting. */
    private static double[] solve(double[] a0, double[] b0, int n, int k) {
        double[] a = a0.clone();
        double[] b = b0.clone();
        for (int c = 0; c < n; c++) {
            int piv = c;
            for (int i = c + 1; i < n; i++) {
                if (Math.abs(a[i * n + c]) > Math.abs(a[piv * n + c])) {
                    piv = i;
                }
            }
            swapRows(a, n, c, piv);
            swapRows(b, k, c, piv);
            for (int i = c + 1; i < n; i++) {
                double f = a[i * n + c] / a[c * n + c];
                for (int j = c; j < n; j++) {
                    a[i * n + j] -= f * a[c * n + j];
                }
                for (int j = 0; j < k; j++) {
                    b[i * k + j] -= f * b[c * k + j];
                }
            }
        }
        double[] x = new double[n * k];
        for (int i = n - 1; i >= 0; i--) {
            for (int j = 0; j < k; j++) {
                double s = b[i * k + j];
                for (int p = i + 1; p < n; p++) {
                    s -= a[i * n + p] * x[p * k + j];
                }
                x[i * k + j] = s / a[i * n + i];
            }
        }
        return x;
    }

    private static void swapRows(double[] a, int cols, int i, int j) {
        for (int c = 0; c < cols; c++) {
            double t = a[i * cols + c];
            a[i * cols + c] = a[j * cols + c];
            a[j * cols + c] = t;
        }
    }

    static double[] gram(double[] x, int rows, int cols) {
        return mul(transpose(x, rows, cols), x, cols, rows, cols);
    }

    private static double[] transpose(double[] a, int rows, int cols) {
        double[] t = new double[a.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = a[i * cols + j];
            }
        }
        return t;
    }

    static double[] mul(double[] a, double[] b, int m, int k, int n) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                for (int j = 0; j < n; j++) {
                    c[i * n + j] += a[i * k + p] * b[p * n + j];
                }
            }
        }
        return c;
    }

    static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private static double maxDiff(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    static double maxAbs(double[] a) {
        double m = 0;
        for (double v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
