package dev.whittle.core.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.testing.QuantModels;
import org.junit.jupiter.api.Test;

/**
 * GPTQ against a plain-Java transcription of the paper's Algorithm 1 (explicit inverse by
 * Gauss-Jordan, Cholesky by the textbook loop, one column at a time, no blocks), and against
 * round to nearest on the layer's output error.
 */
class GptqTest {
    private static final int K = 150;
    private static final int N = 5;
    private static final int S = 400;

    @Test
    void sameCodesAsPaperAlgorithm() {
        WeightLayer l = layer();
        float[] w = l.tensor().toFloatArray();
        double[] xtx = xtx(inputs());
        QuantizedWeight rtn = WeightQuantizer.quantize(WeightAnalysis.of(l), WeightSpec.of(4, Granularity.CHANNEL));
        QuantizedWeight got = Gptq.refine(w, rtn, 0, xtx, 0.01);
        assertArrayEquals(reference(w, xtx, rtn), got.codes());
    }

    @Test
    void outputErrorBelowRoundToNearest() {
        WeightLayer l = layer();
        float[] w = l.tensor().toFloatArray();
        float[] x = inputs();
        for (int bits : new int[] {4, 8}) {
            QuantizedWeight rtn = WeightQuantizer.quantize(WeightAnalysis.of(l), WeightSpec.of(bits, Granularity.CHANNEL));
            QuantizedWeight g = Gptq.refine(w, rtn, 0, xtx(x), 0.01);
            double eR = outputError(x, w, rtn);
            double eG = outputError(x, w, g);
            assertTrue(eG < 0.8 * eR, bits + " bits: GPTQ output error " + eG + " vs round to nearest " + eR);
        }
    }

    /**
     * A grouped Conv: each group's filters are rounded with that group's XᵀX block, giving the
     * codes GPTQ gives a Conv made of that group alone (its filters, its input channels).
     */
    @Test
    void aGroupedConvIsRoundedGroupByGroupWithItsOwnBlock() {
        int groups = 2;
        int filters = 6;
        int perIn = 4;
        int k = perIn * 9;
        float[] w = QuantModels.random(51, filters * k, 0.5);
        WeightLayer whole = conv(w, filters, perIn, groups);
        double[] blocks = new double[groups * k * k];
        for (int g = 0; g < groups; g++) {
            float[] x = QuantModels.random(60 + g, 200 * k, 1);
            for (int r = 0; r < 200; r++) {
                for (int j = 0; j < k; j++) {
                    x[r * k + j] *= 1 + (j + g) % 5; // features of different scales, differently per group
                }
            }
            double[] b = gram(x, 200, k);
            System.arraycopy(b, 0, blocks, g * k * k, k * k);
        }
        WeightSpec spec = WeightSpec.of(4, Granularity.CHANNEL);
        QuantizedWeight rtn = WeightQuantizer.quantize(WeightAnalysis.of(whole), spec);
        QuantizedWeight got = Gptq.refineGroups(w, rtn, new long[] {filters, k}, blocks, groups, 0.1, true);
        int per = filters / groups;
        for (int g = 0; g < groups; g++) {
            float[] wg = java.util.Arrays.copyOfRange(w, g * per * k, (g + 1) * per * k);
            WeightLayer alone = conv(wg, per, perIn, 1);
            QuantizedWeight rg = WeightQuantizer.quantize(WeightAnalysis.of(alone), spec);
            QuantizedWeight want = Gptq.refine(wg, rg, new long[] {per, k}, 1,
                    java.util.Arrays.copyOfRange(blocks, g * k * k, (g + 1) * k * k), 0.1, true);
            assertArrayEquals(want.codes(), java.util.Arrays.copyOfRange(got.codes(), g * per * k, (g + 1) * per * k),
                    "group " + g);
        }
        var e = org.junit.jupiter.api.Assertions.assertThrows(dev.whittle.core.BadInputException.class,
                () -> Gptq.refineGroups(w, rtn, new long[] {filters, k}, java.util.Arrays.copyOf(blocks, k * k), groups, 0.1, true));
        assertTrue(e.getMessage().contains("2 XᵀX blocks of 36 x 36"), e.getMessage());
    }

    private static WeightLayer conv(float[] w, int filters, int perIn, int groups) {
        var b = new dev.whittle.core.onnx.GraphBuilder("c").opset(17)
                .input("x", dev.whittle.core.model.DataType.FLOAT, "N", (long) perIn * groups, 8L, 8L);
        b.initializer("w", w, filters, perIn, 3, 3);
        b.node("Conv", "x", "w").name("conv").outputs("y").attrInts("kernel_shape", 3, 3).attr("group", (long) groups);
        b.output("y", dev.whittle.core.model.DataType.FLOAT, "N", (long) filters, 6L, 6L);
        return b.toModel().graph().weightLayers().get(0);
    }

    private static double[] gram(float[] x, int rows, int k) {
        double[] g = new double[k * k];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    g[i * k + j] += (double) x[r * k + i] * x[r * k + j];
                }
            }
        }
        return g;
    }

    private static WeightLayer layer() {
        OnnxModel m = QuantModels.load(QuantModels.matmul(K, N, 11, 13));
        return m.graph().weightLayers().get(0);
    }

    /** Correlated inputs (a shared factor per row), as real activations are. */
    private static float[] inputs() {
        float[] z = QuantModels.random(21, S * K, 1);
        float[] f = QuantModels.random(22, S, 1);
        float[] x = new float[S * K];
        for (int s = 0; s < S; s++) {
            for (int k = 0; k < K; k++) {
                x[s * K + k] = z[s * K + k] * (0.2f + k % 7) + 2 * f[s];
            }
        }
        return x;
    }

    private static double[] xtx(float[] x) {
        double[] h = new double[K * K];
        for (int s = 0; s < S; s++) {
            for (int i = 0; i < K; i++) {
                for (int j = 0; j < K; j++) {
                    h[i * K + j] += (double) x[s * K + i] * x[s * K + j];
                }
            }
        }
        return h;
    }

    private static double outputError(float[] x, float[] w, QuantizedWeight q) {
        double e = 0;
        for (int s = 0; s < S; s++) {
            for (int o = 0; o < N; o++) {
                double d = 0;
                for (int k = 0; k < K; k++) {
                    int i = k * N + o;
                    d += x[s * K + k] * (w[i] - (q.codes()[i] - q.zeroPoints()[o]) * q.scales()[o]);
                }
                e += d * d;
            }
        }
        return e;
    }

    /** Algorithm 1 of the paper, per output column o of a MatMul weight [K, N], with the RTN scales. */
    private static byte[] reference(float[] w0, double[] xtx, QuantizedWeight rtn) {
        double[][] h = new double[K][K];
        double mean = 0;
        for (int i = 0; i < K; i++) {
            mean += xtx[i * K + i] / K;
        }
        for (int i = 0; i < K; i++) {
            for (int j = 0; j < K; j++) {
                h[i][j] = xtx[i * K + j] + (i == j ? 0.01 * mean : 0);
            }
        }
        double[][] u = choleskyUpper(invert(h));
        double[] w = new double[w0.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = w0[i];
        }
        byte[] codes = new byte[w0.length];
        for (int j = 0; j < K; j++) {
            for (int o = 0; o < N; o++) {
                float s = rtn.scales()[o];
                int z = rtn.zeroPoints()[o];
                float v = (float) w[j * N + o];
                int q = (int) Math.max(rtn.spec().qmin(), Math.min(rtn.spec().qmax(), Math.rint(v / s) + z));
                codes[j * N + o] = (byte) q;
                double err = (v - (q - z) * s) / u[j][j];
                for (int k = j + 1; k < K; k++) {
                    w[k * N + o] -= err * u[j][k];
                }
            }
        }
        return codes;
    }

    private static double[][] invert(double[][] a) {
        int n = a.length;
        double[][] m = new double[n][2 * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a[i], 0, m[i], 0, n);
            m[i][n + i] = 1;
        }
        for (int c = 0; c < n; c++) {
            int p = c;
            for (int r = c + 1; r < n; r++) {
                if (Math.abs(m[r][c]) > Math.abs(m[p][c])) {
                    p = r;
                }
            }
            double[] t = m[c];
            m[c] = m[p];
            m[p] = t;
            double d = m[c][c];
            for (int j = 0; j < 2 * n; j++) {
                m[c][j] /= d;
            }
            for (int r = 0; r < n; r++) {
                if (r != c) {
                    double f = m[r][c];
                    for (int j = 0; j < 2 * n; j++) {
                        m[r][j] -= f * m[c][j];
                    }
                }
            }
        }
        double[][] inv = new double[n][n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(m[i], n, inv[i], 0, n);
        }
        return inv;
    }

    /** U upper with UᵀU = a. */
    private static double[][] choleskyUpper(double[][] a) {
        int n = a.length;
        double[][] u = new double[n][n];
        for (int i = 0; i < n; i++) {
            double d = a[i][i];
            for (int k = 0; k < i; k++) {
                d -= u[k][i] * u[k][i];
            }
            u[i][i] = Math.sqrt(d);
            for (int j = i + 1; j < n; j++) {
                double s = a[i][j];
                for (int k = 0; k < i; k++) {
                    s -= u[k][i] * u[k][j];
                }
                u[i][j] = s / u[i][i];
            }
        }
        return u;
    }
}
