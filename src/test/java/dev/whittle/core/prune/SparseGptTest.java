package dev.whittle.core.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * SparseGPT against a plain implementation of the paper's algorithm written here without
 * Cholesky factors or lazy blocks: for each input j in turn, the inverse of the Hessian of the
 * inputs not yet processed, H[j:, j:]⁻¹, by Gauss-Jordan elimination; the mask from
 * w² / [H[j:, j:]⁻¹]₀₀; the removed weight's error moved onto the later inputs by that inverse's
 * first row.
 */
class SparseGptTest {
    private static final int N = 60;
    private static final int K = 12;
    private static final int OUT = 5;

    private static double[] inputs(Random rnd) {
        double[] x = new double[N * K];
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < K; j++) {
                x[i * K + j] = rnd.nextGaussian() * Math.pow(2.5, j % 4 - 1.5) + (j == 3 ? 0.7 * x[i * K] : 0);
            }
        }
        return x;
    }

    @Test
    void matchesThePlainAlgorithmAndBeatsMagnitudeOnTheOutput() {
        Random rnd = new Random(11);
        double[] x = inputs(rnd);
        double[] h = gram(x);
        float[] w = new float[K * OUT]; // MatMul layout [K, OUT]
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rnd.nextGaussian();
        }
        double damp = 0.1;
        float[] got = SparseGpt.prune(w, new long[] {K, OUT}, 0, h, damp, 0.5, 0, 0);
        double[] want = plain(w, h, damp, 0.5);
        for (int i = 0; i < w.length; i++) {
            assertEquals(want[i], got[i], 1e-4 * (1 + Math.abs(want[i])), "weight " + i);
        }
        int zeros = 0;
        for (float v : got) {
            zeros += v == 0f ? 1 : 0;
        }
        assertEquals(K * OUT / 2, zeros, "half of each output's inputs");
        float[] magnitude = w.clone();
        Magnitude.zeroSmallest(magnitude, K * OUT / 2);
        assertTrue(outputError(x, w, got) < 0.7 * outputError(x, w, magnitude),
                "SparseGPT " + outputError(x, w, got) + " vs magnitude " + outputError(x, w, magnitude));
    }

    @Test
    void twoOfFourKeepsTwoOfEveryFourInputsPerOutput() {
        Random rnd = new Random(5);
        double[] x = inputs(rnd);
        double[] h = gram(x);
        float[] w = new float[OUT * K]; // Gemm transB layout [OUT, K]: inputs along axis 1
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rnd.nextGaussian();
        }
        float[] got = SparseGpt.prune(w, new long[] {OUT, K}, 1, h, 0.1, 0, 2, 4);
        for (int o = 0; o < OUT; o++) {
            for (int g = 0; g < K; g += 4) {
                int kept = 0;
                for (int j = g; j < g + 4; j++) {
                    kept += got[o * K + j] != 0f ? 1 : 0;
                }
                assertEquals(2, kept, "output " + o + ", inputs " + g + ".." + (g + 3));
            }
        }
    }

    private static double[] gram(double[] x) {
        double[] h = new double[K * K];
        for (int r = 0; r < N; r++) {
            for (int a = 0; a < K; a++) {
                for (int b = 0; b < K; b++) {
                    h[a * K + b] += x[r * K + a] * x[r * K + b];
                }
            }
        }
        return h;
    }

    /** The paper's algorithm, one input at a time, for a [K, OUT] weight. */
    private static double[] plain(float[] w0, double[] h, double damp, double sparsity) {
        double mean = 0;
        for (int j = 0; j < K; j++) {
            mean += h[j * K + j];
        }
        double[] hd = h.clone();
        for (int j = 0; j < K; j++) {
            hd[j * K + j] += damp * mean / K;
        }
        double[][] inv = new double[K][];
        for (int j = 0; j < K; j++) {
            inv[j] = inverse(hd, j); // (K - j) x (K - j), row-major
        }
        double[] w = new double[w0.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = w0[i];
        }
        boolean[] pruned = new boolean[w.length];
        int drop = (int) Math.floor(sparsity * K);
        for (int o = 0; o < OUT; o++) {
            Integer[] order = new Integer[K];
            double[] score = new double[K];
            for (int j = 0; j < K; j++) {
                order[j] = j;
                score[j] = w[j * OUT + o] * w[j * OUT + o] / inv[j][0];
            }
            java.util.Arrays.sort(order, (a, b) -> Double.compare(score[a], score[b]));
            for (int i = 0; i < drop; i++) {
                pruned[order[i] * OUT + o] = true;
            }
        }
        for (int j = 0; j < K; j++) {
            int m = K - j;
            for (int o = 0; o < OUT; o++) {
                double v = w[j * OUT + o];
                double q = pruned[j * OUT + o] ? 0 : v;
                double e = (v - q) / inv[j][0];
                w[j * OUT + o] = q;
                for (int i = 1; i < m; i++) {
                    w[(j + i) * OUT + o] -= e * inv[j][i];
                }
            }
        }
        return w;
    }

    /** (H[j:, j:])⁻¹ by Gauss-Jordan elimination. */
    private static double[] inverse(double[] h, int from) {
        int m = K - from;
        double[][] a = new double[m][2 * m];
        for (int r = 0; r < m; r++) {
            for (int c = 0; c < m; c++) {
                a[r][c] = h[(from + r) * K + from + c];
            }
            a[r][m + r] = 1;
        }
        for (int c = 0; c < m; c++) {
            double p = a[c][c];
            for (int k = 0; k < 2 * m; k++) {
                a[c][k] /= p;
            }
            for (int r = 0; r < m; r++) {
                if (r != c) {
                    double f = a[r][c];
                    for (int k = 0; k < 2 * m; k++) {
                        a[r][k] -= f * a[c][k];
                    }
                }
            }
        }
        double[] out = new double[m * m];
        for (int r = 0; r < m; r++) {
            System.arraycopy(a[r], m, out, r * m, m);
        }
        return out;
    }

    private static double outputError(double[] x, float[] w, float[] approx) {
        double s = 0;
        for (int r = 0; r < N; r++) {
            for (int o = 0; o < OUT; o++) {
                double d = 0;
                for (int j = 0; j < K; j++) {
                    d += x[r * K + j] * (w[j * OUT + o] - approx[j * OUT + o]);
                }
                s += d * d;
            }
        }
        return Math.sqrt(s);
    }
}
