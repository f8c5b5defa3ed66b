package dev.whittle.core.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.eval.ActivationCollector.Input;
import dev.whittle.core.model.DataType;
import dev.whittle.core.onnx.GraphBuilder;
import dev.whittle.core.onnx.GraphEditor;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.testing.QuantModels;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The refit is checked against ONNX Runtime itself: the original layer's outputs are computed by
 * ORT, so a refit that starts from perturbed weights and sees the same inputs must find the
 * original weights again (least squares with an exact solution). A wrong im2col (padding, stride,
 * dilation, groups), a wrong weight layout or a misplaced bias would not.
 */
class LayerRefitTest {
    private static final int SAMPLES = 24;

    @Test
    void aConvWithGroupsStridePaddingAndBiasIsRecoveredFromItsOutputs() {
        OnnxModel original = conv(new long[] {6, 2, 3, 3}, 2, 0, 0);
        OnnxModel perturbed = perturb(original, "w", "b");
        LayerRefit.Outcome o = LayerRefit.apply(original, perturbed, List.of("conv"), Map.of(), images(4, 9, 7), 1e-7,
                null, null);
        assertEquals(List.of("conv"), o.refit(), o.notes().toString());
        assertClose(floats(original, "w"), floats(o.model(), "w"), 2e-3);
        assertClose(floats(original, "b"), floats(o.model(), "b"), 2e-3);
    }

    @Test
    void aOneDimensionalDilatedConvIsRecovered() {
        GraphBuilder b = new GraphBuilder("c1d").opset(17).input("x", DataType.FLOAT, "N", 3L, 20L);
        b.initializer("w", QuantModels.random(5, 4 * 3 * 3, 0.4), 4, 3, 3);
        b.initializer("b", QuantModels.random(6, 4, 0.2), 4);
        b.node("Conv", "x", "w", "b").name("conv").outputs("y").attrInts("kernel_shape", 3).attrInts("dilations", 2)
                .attrInts("pads", 2, 1).attrInts("strides", 1);
        b.output("y", DataType.FLOAT, "N", 4L, "L");
        OnnxModel original = b.toModel();
        float[] x = QuantModels.random(7, SAMPLES * 3 * 20, 1.0);
        CalibrationData data = CalibrationData.single("x", Input.floats(new long[] {SAMPLES, 3, 20}, x), 8);
        LayerRefit.Outcome o = LayerRefit.apply(original, perturb(original, "w", "b"), List.of("conv"), Map.of(), data, 1e-7,
                null, null);
        assertClose(floats(original, "w"), floats(o.model(), "w"), 2e-3);
        assertClose(floats(original, "b"), floats(o.model(), "b"), 2e-3);
    }

    @Test
    void keptOutputChannelsAreFitToTheirOwnOriginals() {
        // The current layer keeps output channels 1 and 4 of 6 (as channel pruning leaves it).
        OnnxModel original = conv(new long[] {6, 4, 3, 3}, 1, 1, 1);
        float[] w = floats(original, "w");
        float[] bias = floats(original, "b");
        int per = 4 * 9;
        float[] kept = new float[2 * per];
        System.arraycopy(w, per, kept, 0, per);
        System.arraycopy(w, 4 * per, kept, per, per);
        GraphEditor ed = GraphEditor.of(original);
        ed.setTensor("w", new long[] {2, 4, 3, 3}, scaled(kept, 0.5f));
        ed.setTensor("b", new long[] {2}, new float[] {0, 0});
        OnnxModel current = ed.build();
        LayerRefit.Outcome o = LayerRefit.apply(original, current, List.of("conv"), Map.of("conv", new int[] {1, 4}),
                images(4, 8, 8), 1e-7, null, null);
        assertClose(kept, floats(o.model(), "w"), 2e-3);
        assertClose(new float[] {bias[1], bias[4]}, floats(o.model(), "b"), 2e-3);
    }

    @Test
    void gemmWithTransposedWeightAndMatMulAreRecoveredAndAutoDampingPicksASmallOneForExactData() {
        GraphBuilder b = new GraphBuilder("fc").opset(17).input("x", DataType.FLOAT, "N", 10L);
        b.initializer("w1", QuantModels.random(8, 7 * 10, 0.4), 7, 10);
        b.initializer("b1", QuantModels.random(9, 7, 0.2), 7);
        b.initializer("w2", QuantModels.random(10, 7 * 5, 0.4), 7, 5);
        b.node("Gemm", "x", "w1", "b1").name("fc1").outputs("h").attr("transB", 1L);
        b.node("MatMul", "h", "w2").name("fc2").outputs("y");
        b.output("y", DataType.FLOAT, "N", 5L);
        OnnxModel original = b.toModel();
        float[] x = QuantModels.random(11, 64 * 10, 1.0);
        CalibrationData data = CalibrationData.single("x", Input.floats(new long[] {64, 10}, x), 16);
        OnnxModel current = perturb(perturb(original, "w1", "b1"), "w2", null);
        LayerRefit.Outcome o = LayerRefit.apply(original, current, List.of("fc2", "fc1"), Map.of(), data, null, null, null);
        assertEquals(List.of("fc1", "fc2"), o.refit(), "graph order");
        assertEquals(LayerRefit.AUTO_CANDIDATES[0], o.damping().get("fc1"), "exact data: the least damping fits best");
        // The smallest candidate (0.001) still pulls a little towards the perturbed start.
        assertClose(floats(original, "w1"), floats(o.model(), "w1"), 2e-2);
        assertClose(floats(original, "w2"), floats(o.model(), "w2"), 2e-2);
    }

    /**
     * A transformer's linear layer (MatMul, then an Add of a [1, m] constant, here as the Add's
     * first input) is refit with its bias, and a layer named otherwise than in the original (a
     * factored layer's second factor) is fit to the original layer that {@code origin} names.
     */
    @Test
    void aMatMulIsRefitWithTheBiasItsAddAddsAndToTheOriginalLayerOriginNames() {
        OnnxModel original = linear("fc");
        OnnxModel current = perturb(linear("fc.v"), "w", "b");
        float[] x = QuantModels.random(14, 64 * 10, 1.0);
        CalibrationData data = CalibrationData.single("x", Input.floats(new long[] {64, 10}, x), 16);
        LayerRefit.Outcome o = LayerRefit.apply(original, current, List.of("fc.v"), Map.of(), Map.of("fc.v", "fc"), data,
                1e-7, null, null);
        assertEquals(List.of("fc.v"), o.refit(), o.notes().toString());
        assertClose(floats(original, "w"), floats(o.model(), "w"), 2e-3);
        assertClose(floats(original, "b"), floats(o.model(), "b"), 2e-3);
        LayerRefit.Outcome unnamed = LayerRefit.apply(original, current, List.of("fc.v"), Map.of(), data, 1e-7, null, null);
        assertTrue(unnamed.notes().get(0).contains("the original model has no layer of this name"), unnamed.notes().toString());
    }

    /**
     * The joint refit of a factored layer is the reduced-rank regression: with exact targets
     * (Y = XW + b) and almost no damping its output error on the calibration rows must equal the
     * Eckart-Young bound in the metric of the centred inputs, the sum of the trailing eigenvalues
     * of Wᵀ C W (C = the centred XᵀX), computed here apart by LAPACK's symmetric eigensolver; the
     * factors it starts from (random) do not matter.
     */
    @Test
    void aFactoredLayersJointRefitReachesTheBestRankRErrorOfItsOutput() {
        int n = 200;
        int in = 10;
        int out = 6;
        int rank = 2;
        OnnxModel original = linear("fc");
        GraphBuilder b = new GraphBuilder("lin").opset(17).input("x", DataType.FLOAT, "N", (long) in);
        b.initializer("wu", QuantModels.random(21, in * rank, 0.4), in, rank);
        b.initializer("wv", QuantModels.random(22, rank * out, 0.4), rank, out);
        b.initializer("b", QuantModels.random(23, out, 0.3), 1, out);
        b.node("MatMul", "x", "wu").name("fc.u").outputs("h.u");
        b.node("MatMul", "h.u", "wv").name("fc.v").outputs("h");
        b.node("Add", "b", "h").name("bias").outputs("y");
        b.output("y", DataType.FLOAT, "N", (long) out);
        float[] x = QuantModels.random(24, n * in, 1.0);
        for (int i = 0; i < x.length; i += in) {
            x[i] += 2f; // a mean for the bias to take
        }
        CalibrationData data = CalibrationData.single("x", Input.floats(new long[] {n, in}, x), 50);
        LayerRefit.Outcome o = LayerRefit.apply(original, b.toModel(), List.of("fc.v"), Map.of(), Map.of("fc.v", "fc"), data,
                1e-9, null, null);
        assertEquals(List.of("fc.v"), o.refit(), o.notes().toString());
        float[] w = floats(original, "w");
        float[] b0 = floats(original, "b");
        float[] u = floats(o.model(), "wu");
        float[] v = floats(o.model(), "wv");
        float[] b1 = floats(o.model(), "b");
        double err = 0;
        double[] mean = new double[in];
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < out; c++) {
                double want = b0[c];
                double got = b1[c];
                for (int k = 0; k < in; k++) {
                    want += x[r * in + k] * w[k * out + c];
                    double uv = 0;
                    for (int j = 0; j < rank; j++) {
                        uv += u[k * rank + j] * v[j * out + c];
                    }
                    got += x[r * in + k] * uv;
                }
                err += (want - got) * (want - got);
            }
            for (int k = 0; k < in; k++) {
                mean[k] += x[r * in + k] / (double) n;
            }
        }
        double[] m = new double[out * out]; // Wᵀ C W
        for (int r = 0; r < n; r++) {
            double[] xw = new double[out];
            for (int c = 0; c < out; c++) {
                for (int k = 0; k < in; k++) {
                    xw[c] += (x[r * in + k] - mean[k]) * w[k * out + c];
                }
            }
            for (int i = 0; i < out; i++) {
                for (int j = 0; j < out; j++) {
                    m[i * out + j] += xw[i] * xw[j];
                }
            }
        }
        double[] eig = new double[out];
        assertEquals(0, org.bytedeco.openblas.global.openblas.LAPACKE_dsyev(
                org.bytedeco.openblas.global.openblas.LAPACK_ROW_MAJOR, (byte) 'N', (byte) 'U', out, m, out, eig));
        double bound = 0;
        for (int i = 0; i < out - rank; i++) {
            bound += eig[i]; // ascending: all but the largest rank ones
        }
        assertTrue(bound > 1, "a layer that rank " + rank + " cannot hold exactly: " + bound);
        assertEquals(bound, err, 1e-3 * bound, "the refit reaches the best rank-" + rank + " error");
    }

    private static OnnxModel linear(String node) {
        GraphBuilder b = new GraphBuilder("lin").opset(17).input("x", DataType.FLOAT, "N", 10L);
        b.initializer("w", QuantModels.random(15, 10 * 6, 0.4), 10, 6);
        b.initializer("b", QuantModels.random(16, 6, 0.3), 1, 6);
        b.node("MatMul", "x", "w").name(node).outputs("h");
        b.node("Add", "b", "h").name("bias").outputs("y");
        b.output("y", DataType.FLOAT, "N", 6L);
        return b.toModel();
    }

    @Test
    void unsupportedLayersAreLeftAsTheyWereWithTheReason() {
        GraphBuilder b = new GraphBuilder("ct").opset(17).input("x", DataType.FLOAT, "N", 2L, 5L, 5L);
        b.initializer("w", QuantModels.random(12, 2 * 3 * 9, 0.4), 2, 3, 3, 3);
        b.node("ConvTranspose", "x", "w").name("up").outputs("y").attrInts("kernel_shape", 3, 3);
        b.output("y", DataType.FLOAT, "N", 3L, 7L, 7L);
        OnnxModel m = b.toModel();
        float[] x = QuantModels.random(13, 4 * 2 * 25, 1.0);
        LayerRefit.Outcome o = LayerRefit.apply(m, m, List.of("up"), Map.of(),
                CalibrationData.single("x", Input.floats(new long[] {4, 2, 5, 5}, x), 4), 0.1, null, null);
        assertEquals(List.of(), o.refit());
        assertTrue(o.notes().get(0).contains("'up'") && o.notes().get(0).contains("ConvTranspose"), o.notes().toString());
        assertArrayEquals(floats(m, "w"), floats(o.model(), "w"));
    }

    private static OnnxModel conv(long[] wDims, int group, int stride1, int padOffset) {
        int in = (int) wDims[1] * group;
        GraphBuilder b = new GraphBuilder("conv").opset(17).input("x", DataType.FLOAT, "N", (long) in, "H", "W");
        int n = (int) (wDims[0] * wDims[1] * wDims[2] * wDims[3]);
        b.initializer("w", QuantModels.random(1, n, 0.4), wDims);
        b.initializer("b", QuantModels.random(2, (int) wDims[0], 0.2), wDims[0]);
        b.node("Conv", "x", "w", "b").name("conv").outputs("y").attrInts("kernel_shape", wDims[2], wDims[3])
                .attr("group", (long) group).attrInts("strides", 2 - stride1, 2 - stride1)
                .attrInts("pads", 1, 1 - padOffset, 1, 0);
        b.output("y", DataType.FLOAT, "N", wDims[0], "OH", "OW");
        return b.toModel();
    }

    private static CalibrationData images(int channels, int h, int w) {
        float[] x = QuantModels.random(3, SAMPLES * channels * h * w, 1.0);
        return CalibrationData.single("x", Input.floats(new long[] {SAMPLES, channels, h, w}, x), 8);
    }

    private static OnnxModel perturb(OnnxModel m, String weight, String bias) {
        GraphEditor ed = GraphEditor.of(m);
        ed.setTensor(weight, ed.dims(weight), scaled(ed.floats(weight), 0.7f));
        if (bias != null) {
            ed.setTensor(bias, ed.dims(bias), scaled(ed.floats(bias), -1f));
        }
        return ed.build();
    }

    private static float[] scaled(float[] v, float s) {
        float[] out = v.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] = out[i] * s + 0.05f * ((i % 5) - 2);
        }
        return out;
    }

    private static float[] floats(OnnxModel m, String name) {
        return GraphEditor.of(m).floats(name);
    }

    private static void assertClose(float[] want, float[] got, double tol) {
        assertEquals(want.length, got.length);
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], tol, "element " + i);
        }
    }
}
