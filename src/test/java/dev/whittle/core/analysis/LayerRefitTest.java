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
