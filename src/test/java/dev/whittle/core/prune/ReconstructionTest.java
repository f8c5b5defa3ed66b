package dev.whittle.core.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.testing.QuantModels;
import org.junit.jupiter.api.Test;

/**
 * The refit against the normal equations solved another way (Gaussian elimination with partial
 * pivoting on the explicit X_Sᵀ X_S + λI, built from the samples rather than from XᵀX), and
 * its output error against plain pruning.
 */
class ReconstructionTest {
    private static final int K = 12;
    private static final int N = 3;
    private static final int S = 50;

    @Test
    void matchesNormalEquationsAndLowersOutputError() {
        float[] w = QuantModels.random(1, K * N, 1);
        float[] x = QuantModels.random(2, S * K, 1);
        float[] f = QuantModels.random(3, S, 1);
        for (int s = 0; s < S; s++) {
            for (int k = 0; k < K; k++) {
                x[s * K + k] += f[s];
            }
        }
        double[] xtx = new double[K * K];
        for (int s = 0; s < S; s++) {
            for (int i = 0; i < K; i++) {
                for (int j = 0; j < K; j++) {
                    xtx[i * K + j] += (double) x[s * K + i] * x[s * K + j];
                }
            }
        }
        float[] pruned = w.clone();
        for (int i = 0; i < pruned.length; i += 2) {
            pruned[i] = 0f;
        }
        double damp = 0.01;
        float[] got = Reconstruction.refit(w, pruned, new long[] {K, N}, 0, xtx, damp);
        double mean = 0;
        for (int j = 0; j < K; j++) {
            mean += xtx[j * K + j] / K;
        }
        for (int o = 0; o < N; o++) {
            java.util.List<Integer> kept = new java.util.ArrayList<>();
            for (int j = 0; j < K; j++) {
                if (pruned[j * N + o] != 0f) {
                    kept.add(j);
                }
            }
            int m = kept.size();
            double[][] a = new double[m][m + 1];
            for (int p = 0; p < m; p++) {
                for (int s = 0; s < S; s++) {
                    double y = 0;
                    for (int j = 0; j < K; j++) {
                        y += (double) x[s * K + j] * w[j * N + o];
                    }
                    a[p][m] += x[s * K + kept.get(p)] * y;
                    for (int q = 0; q < m; q++) {
                        a[p][q] += (double) x[s * K + kept.get(p)] * x[s * K + kept.get(q)];
                    }
                }
                a[p][p] += damp * mean;
                a[p][m] += damp * mean * w[kept.get(p) * N + o];
            }
            double[] sol = gauss(a);
            for (int p = 0; p < m; p++) {
                assertEquals(sol[p], got[kept.get(p) * N + o], 1e-4 * (1 + Math.abs(sol[p])), "output " + o + " input " + kept.get(p));
            }
            for (int j = 0; j < K; j++) {
                if (pruned[j * N + o] == 0f) {
                    assertEquals(0f, got[j * N + o], "pruned weights stay zero");
                }
            }
        }
        assertTrue(error(x, w, got) < 0.5 * error(x, w, pruned), error(x, w, got) + " vs " + error(x, w, pruned));
    }

    private static double error(float[] x, float[] w, float[] v) {
        double e = 0;
        for (int s = 0; s < S; s++) {
            for (int o = 0; o < N; o++) {
                double d = 0;
                for (int j = 0; j < K; j++) {
                    d += x[s * K + j] * (w[j * N + o] - v[j * N + o]);
                }
                e += d * d;
            }
        }
        return e;
    }

    private static double[] gauss(double[][] a) {
        int n = a.length;
        for (int c = 0; c < n; c++) {
            int p = c;
            for (int r = c + 1; r < n; r++) {
                if (Math.abs(a[r][c]) > Math.abs(a[p][c])) {
                    p = r;
                }
            }
            double[] t = a[c];
            a[c] = a[p];
            a[p] = t;
            for (int r = c + 1; r < n; r++) {
                double f = a[r][c] / a[c][c];
                for (int j = c; j <= n; j++) {
                    a[r][j] -= f * a[c][j];
                }
            }
        }
        double[] x = new double[n];
        for (int r = n - 1; r >= 0; r--) {
            double s = a[r][n];
            for (int j = r + 1; j < n; j++) {
                s -= a[r][j] * x[j];
            }
            x[r] = s / a[r][r];
        }
        return x;
    }
}
