package dev.whittle.core.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.whittle.core.model.DataType;
import dev.whittle.core.onnx.GraphBuilder;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.testing.QuantModels;
import dev.whittle.testing.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Scale and shift in front of a Conv, as Paddle2ONNX writes PP-LCNet's learnable affine blocks
 * (constant first, shape [1]): folded where that is exact, checked against ONNX Runtime running
 * the original with every optimization off.
 */
class AffineIntoConvTest {
    /**
     * input -> Relu -> Mul(a) -> Add(b) -> {@code conv} -> y, where {@code conv} is a 1x1 Conv (no
     * padding), a padded 3x3 Conv, or (with {@code shift} false) a padded 3x3 Conv after the Mul alone.
     */
    static OnnxModel model(boolean padded, boolean shift, boolean bias) {
        GraphBuilder b = new GraphBuilder("lab").opset(17).input("input", DataType.FLOAT, 2L, 3L, 6L, 6L);
        int k = padded ? 3 : 1;
        b.initializer("w", QuantModels.random(11, 4 * 3 * k * k, 0.5), 4, 3, k, k);
        if (bias) {
            b.initializer("bias", new float[] {0.1f, -0.2f, 0.3f, 0f}, 4);
        }
        b.initializer("a", new float[] {1.7f}, 1);
        if (shift) {
            b.initializer("b", new float[] {-0.4f}, 1);
        }
        b.node("Relu", "input").name("relu").outputs("r");
        b.node("Mul", "a", "r").name("mul").outputs("m");
        String into = "m";
        if (shift) {
            b.node("Add", "b", "m").name("add").outputs("s");
            into = "s";
        }
        var conv = bias ? b.node("Conv", into, "w", "bias") : b.node("Conv", into, "w");
        conv.name("conv").outputs("y").attrInts("kernel_shape", k, k);
        if (padded) {
            conv.attrInts("pads", 1, 1, 1, 1);
        }
        b.output("y", DataType.FLOAT, 2L, 4L, 6L, 6L);
        return b.toModel();
    }

    @Test
    void scaleAndShiftFoldIntoAnUnpaddedConvTheScaleAloneIntoAPaddedOneAndTheModelComputesTheSame() throws Exception {
        Object[][] cases = { // padded, shift, bias, removed
            {false, true, true, 2}, {false, true, false, 2}, {true, false, true, 1}, {true, true, true, 0}};
        for (Object[] c : cases) {
            OnnxModel m = model((boolean) c[0], (boolean) c[1], (boolean) c[2]);
            AffineIntoConv.Folded f = AffineIntoConv.apply(m);
            String name = "padded " + c[0] + ", shift " + c[1] + ", bias " + c[2];
            assertEquals((int) c[3], f.removed(), name);
            int elementwise = f.model().graph().opCounts().getOrDefault("Mul", 0) + f.model().graph().opCounts().getOrDefault("Add", 0);
            assertEquals(((boolean) c[1] ? 2 : 1) - (int) c[3], elementwise, name + ": " + f.model().graph().opCounts());
            java.util.Set<String> read = new java.util.HashSet<>();
            f.model().graph().nodes().forEach(n -> read.addAll(n.inputs()));
            for (var t : f.model().graph().constants()) {
                org.junit.jupiter.api.Assertions.assertTrue(read.contains(t.name()), name + ": unused initializer " + t.name());
            }
            Tensor x = Tensor.random(3, 2, 3, 6, 6);
            float[] want = GraphPreparationTest.runUnoptimized(m, x);
            float[] got = GraphPreparationTest.runUnoptimized(f.model(), x);
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-5 * Math.max(1, Math.abs(want[i])), name + ", element " + i);
            }
        }
    }

    @Test
    void aConstantReadByAnotherNodeOrAnActivationShiftIsLeftAlone() {
        GraphBuilder b = new GraphBuilder("two").opset(17).input("input", DataType.FLOAT, 1L, 2L, 4L, 4L);
        b.initializer("w", QuantModels.random(12, 2 * 2, 0.5), 2, 2, 1, 1);
        b.initializer("a", new float[] {2f}, 1);
        b.node("Mul", "a", "input").name("mul").outputs("m");
        b.node("Conv", "m", "w").name("conv").outputs("y").attrInts("kernel_shape", 1, 1);
        b.node("Relu", "m").name("relu").outputs("z"); // the scaled value is read twice: no fold
        b.output("y", DataType.FLOAT, 1L, 2L, 4L, 4L);
        b.output("z", DataType.FLOAT, 1L, 2L, 4L, 4L);
        assertEquals(0, AffineIntoConv.apply(b.toModel()).removed());
    }
}
