package dev.whittle.core.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.whittle.core.eval.ActivationCollector.Input;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.tensor.InputMoments;
import dev.whittle.testing.QuantModels;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

/** XᵀX, input norms and output means against plain loops over the same inputs. */
class LayerInputsTest {
    private static final int K = 24;
    private static final int H = 16;
    private static final int S = 37;

    @Test
    void secondMomentMatchesPlainLoop() {
        OnnxModel m = QuantModels.load(QuantModels.mlp(K, H, 4, 7, 13));
        float[] x = QuantModels.random(5, S * K, 1);
        CalibrationData d = CalibrationData.single("x", Input.floats(new long[] {S, K}, x), 8);
        List<WeightLayer> layers = m.graph().weightLayers();
        // A tiny budget forces one pass per layer; the result must not depend on it.
        Map<String, InputMoments> got = LayerInputs.collect(m, layers, true, d, 1, null, null);
        float[] w1 = layers.get(0).tensor().toFloatArray();
        float[] b1 = m.graph().constant("fc1.bias").orElseThrow().toFloatArray();
        float[] h = new float[S * H];
        float[] r = new float[S * H];
        for (int s = 0; s < S; s++) {
            for (int o = 0; o < H; o++) {
                double acc = b1[o];
                for (int k = 0; k < K; k++) {
                    acc += (double) x[s * K + k] * w1[o * K + k];
                }
                h[s * H + o] = (float) acc;
                r[s * H + o] = Math.max(0f, (float) acc);
            }
        }
        check(got.get("fc1"), x, K);
        check(got.get("fc2"), r, H);
        double[] mean = got.get("fc1").outputMeanAbs();
        for (int o = 0; o < H; o++) {
            double e = 0;
            for (int s = 0; s < S; s++) {
                e += Math.abs(h[s * H + o]);
            }
            assertEquals(e / S, mean[o], 1e-4 * (1 + e / S), "mean |h1| of channel " + o);
            double pos = 0;
            for (int s = 0; s < S; s++) {
                pos += r[s * H + o];
            }
            assertEquals(pos / S, got.get("fc1").outputMeanRelu()[o], 1e-4 * (1 + pos / S), "mean max(0, h1) of channel " + o);
        }
        Map<String, InputMoments> normsOnly = LayerInputs.collect(m, layers, false, d, LayerInputs.DEFAULT_BUDGET, null, null);
        assertNull(normsOnly.get("fc1").xtx());
        assertEquals(got.get("fc2").sumSquares()[3], normsOnly.get("fc2").sumSquares()[3], 1e-9);
    }

    /**
     * A MatMul read by one bias Add: its output statistics are those of x·W + b, what the Relu
     * after the Add (and the next layer) sees; checked by plain loops on the sample MLP.
     */
    @Test
    void aMatMulsOutputIsSeenThroughItsBiasAdd() {
        OnnxModel m = dev.whittle.core.onnx.OnnxReader.read(java.nio.file.Path.of("sample-models", "fashion-mlp.onnx"));
        int s = 12;
        int k = 784;
        float[] x = QuantModels.random(3, s * k, 1);
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.abs(x[i]); // pixels are >= 0
        }
        CalibrationData d = CalibrationData.single("input", Input.floats(new long[] {s, 1, 28, 28}, x), 4);
        WeightLayer fc1 = m.graph().layer("fc1").orElseThrow();
        InputMoments got = LayerInputs.collect(m, List.of(fc1), false, d, LayerInputs.DEFAULT_BUDGET, null, null).get("fc1");
        float[] w = fc1.tensor().toFloatArray(); // [784, 256]
        String bias = LayerInputs.biasAdded(m, "placeholder-not-a-tensor", 256);
        assertEquals("placeholder-not-a-tensor", bias, "a tensor nobody reads has no bias Add");
        var add = m.graph().nodes().stream().filter(n -> n.opType().equals("Add")).findFirst().orElseThrow();
        String b = add.inputs().stream().filter(t -> m.graph().constant(t).isPresent()).findFirst().orElseThrow();
        float[] bv = m.graph().constant(b).orElseThrow().toFloatArray();
        int out = 256;
        for (int o = 0; o < out; o += 17) {
            double abs = 0;
            double pos = 0;
            for (int r = 0; r < s; r++) {
                double y = bv[o];
                for (int j = 0; j < k; j++) {
                    y += (double) x[r * k + j] * w[j * out + o];
                }
                abs += Math.abs(y);
                pos += Math.max(0, y);
            }
            assertEquals(abs / s, got.outputMeanAbs()[o], 1e-4 * (1 + abs / s), "mean |x W + b| of channel " + o);
            assertEquals(pos / s, got.outputMeanRelu()[o], 1e-4 * (1 + pos / s), "mean max(0, x W + b) of channel " + o);
        }
    }

    /**
     * A Conv's statistics are those of its im2col rows: checked against patches cut out by plain
     * loops here (group 2, stride 2, asymmetric pads), its XᵀX (group 1) against the identity
     * wᵀ·XᵀX·w = Σ y² with y computed by ONNX Runtime, and its output means against ORT's output.
     */
    @Test
    void convStatisticsAreThoseOfItsPatches() {
        int n = 11;
        int c = 4;
        int h = 7;
        int w = 6;
        float[] x = QuantModels.random(21, n * c * h * w, 1);
        CalibrationData d = CalibrationData.single("x", Input.floats(new long[] {n, c, h, w}, x), 4);
        for (int group : new int[] {1, 2}) {
            dev.whittle.core.onnx.GraphBuilder b = new dev.whittle.core.onnx.GraphBuilder("conv").opset(17)
                    .input("x", dev.whittle.core.model.DataType.FLOAT, "N", (long) c, (long) h, (long) w);
            int m = 6;
            int width = c / group * 9;
            float[] wt = QuantModels.random(22, m * width, 0.5);
            b.initializer("w", wt, m, c / group, 3, 3);
            b.node("Conv", "x", "w").name("conv").outputs("y").attrInts("kernel_shape", 3, 3).attr("group", (long) group)
                    .attrInts("strides", 2, 2).attrInts("pads", 1, 0, 2, 1);
            b.output("y", dev.whittle.core.model.DataType.FLOAT, "N", (long) m, "OH", "OW");
            OnnxModel model = b.toModel();
            InputMoments got = LayerInputs.collect(model, model.graph().weightLayers(), true, d, LayerInputs.DEFAULT_BUDGET,
                    null, null).get("conv");
            int oh = (h + 1 + 2 - 3) / 2 + 1;
            int ow = (w + 0 + 1 - 3) / 2 + 1;
            int rows = n * oh * ow;
            assertEquals(c * 9, got.dim());
            assertEquals(rows, got.rows());
            // patches[row][g * width + j]: the input value (0 in the padding) under kernel element j of group g
            double[][] patches = new double[rows][c * 9];
            for (int s = 0, row = 0; s < n; s++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++, row++) {
                        for (int ch = 0; ch < c; ch++) {
                            for (int ky = 0; ky < 3; ky++) {
                                for (int kx = 0; kx < 3; kx++) {
                                    int y = oy * 2 - 1 + ky;
                                    int xx = ox * 2 + kx;
                                    patches[row][ch * 9 + ky * 3 + kx] = y < 0 || y >= h || xx < 0 || xx >= w ? 0
                                            : x[((s * c + ch) * h + y) * w + xx];
                                }
                            }
                        }
                    }
                }
            }
            for (int j = 0; j < c * 9; j++) {
                double sum = 0;
                double sq = 0;
                double max = 0;
                for (double[] p : patches) {
                    sum += p[j];
                    sq += p[j] * p[j];
                    max = Math.max(max, Math.abs(p[j]));
                }
                assertEquals(sum / rows, got.means()[j], 1e-6, "group " + group + ": mean of column " + j);
                assertEquals(sq, got.sumSquares()[j], 1e-6 * (1 + sq), "group " + group + ": sum of squares of column " + j);
                assertEquals(max, got.maxAbs()[j], 1e-6, "group " + group + ": max of column " + j);
            }
            dev.whittle.testing.Tensor y = dev.whittle.testing.Ort.run1(model, "x",
                    new dev.whittle.testing.Tensor(new long[] {n, c, h, w}, x));
            double[] meanAbs = new double[m];
            double[] meanRelu = new double[m];
            for (int i = 0; i < y.data().length; i++) {
                meanAbs[(i / (oh * ow)) % m] += Math.abs(y.data()[i]) / rows;
                meanRelu[(i / (oh * ow)) % m] += Math.max(0, y.data()[i]) / rows;
            }
            for (int o = 0; o < m; o++) {
                assertEquals(meanAbs[o], got.outputMeanAbs()[o], 1e-5, "group " + group + ": mean |y| of channel " + o);
                assertEquals(meanRelu[o], got.outputMeanRelu()[o], 1e-5, "group " + group + ": mean max(0, y) of channel " + o);
            }
            if (group == 2) {
                assertNull(got.xtx(), "a grouped Conv's XᵀX is one block per group, not the whole");
                double[] blocks = got.groupBlocks();
                assertEquals(group * width * width, blocks.length);
                for (int g = 0; g < group; g++) {
                    for (int i = 0; i < width; i += 5) {
                        for (int j = 0; j < width; j += 3) {
                            double e = 0;
                            for (double[] p : patches) {
                                e += p[g * width + i] * p[g * width + j];
                            }
                            assertEquals(e, blocks[(g * width + i) * width + j], 1e-5 * (1 + Math.abs(e)),
                                    "block " + g + " [" + i + ", " + j + "]");
                        }
                    }
                }
            } else {
                assertNull(got.groupBlocks());
            }
            for (int o = 0; o < m; o++) {
                // filter o reads its group's columns: w'·(its block)·w = Σ y² of its channel
                double[] hm = group == 1 ? got.xtx() : java.util.Arrays.copyOfRange(got.groupBlocks(),
                        o / (m / group) * width * width, (o / (m / group) + 1) * width * width);
                double quad = 0;
                for (int i = 0; i < width; i++) {
                    for (int j = 0; j < width; j++) {
                        quad += wt[o * width + i] * hm[i * width + j] * wt[o * width + j];
                    }
                }
                double energy = 0;
                for (int i = 0; i < y.data().length; i++) {
                    if ((i / (oh * ow)) % m == o) {
                        energy += (double) y.data()[i] * y.data()[i];
                    }
                }
                assertEquals(energy, quad, 1e-4 * energy, "w'XᵀXw = Σ y² of channel " + o);
            }
        }
    }

    @Test
    void cancelStopsCollection() {
        OnnxModel m = QuantModels.load(QuantModels.mlp(K, H, 4, 7, 13));
        CalibrationData d = CalibrationData.single("x", Input.floats(new long[] {S, K}, QuantModels.random(5, S * K, 1)), 8);
        assertThrows(CancellationException.class,
                () -> LayerInputs.collect(m, m.graph().weightLayers(), true, d, LayerInputs.DEFAULT_BUDGET, null, () -> true));
    }

    private static void check(InputMoments got, float[] x, int k) {
        assertEquals(S, got.rows());
        for (int i = 0; i < k; i++) {
            double m = 0;
            for (int s = 0; s < S; s++) {
                m += x[s * k + i];
            }
            assertEquals(m / S, got.means()[i], 1e-6 * (1 + Math.abs(m / S)), "mean of input feature " + i);
            double max = 0;
            for (int s = 0; s < S; s++) {
                max = Math.max(max, Math.abs(x[s * k + i]));
            }
            assertEquals(max, got.maxAbs()[i], 1e-6 * (1 + max), "max |x| of input feature " + i);
        }
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                double e = 0;
                for (int s = 0; s < S; s++) {
                    e += (double) x[s * k + i] * x[s * k + j];
                }
                // Float accumulation within a batch of 8 rows: relative 1e-5 of the diagonal scale.
                assertEquals(e, got.xtx()[i * k + j], 1e-5 * (1 + Math.abs(e)) + 1e-4, "XtX[" + i + "," + j + "]");
                if (i == j) {
                    assertEquals(e, got.sumSquares()[i], 1e-6 * (1 + e), "sum of squares " + i);
                }
            }
        }
    }
}
