package dev.whittle.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.model.DataType;
import dev.whittle.core.onnx.GraphBuilder;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each Q/DQ left gets the reason a reader of the optimized graph would give, from the ops beside it. */
class ConversionsLeftTest {
    @Test
    void eachConversionIsNamedByTheFloatSideBesideIt() {
        GraphBuilder b = new GraphBuilder("c").opset(13).input("x", DataType.FLOAT, 1L, 2L, 4L, 4L);
        b.initializer("s", new float[] {0.1f});
        b.initializer("z", DataType.UINT8, ByteBuffer.wrap(new byte[] {0}));
        b.initializer("wz", DataType.INT8, ByteBuffer.wrap(new byte[] {0}));
        b.initializer("wq", DataType.INT8, ByteBuffer.wrap(new byte[2 * 2 * 9]), 2, 2, 3, 3);
        b.node("QuantizeLinear", "x", "s", "z").name("q1").outputs("xq");
        b.node("DequantizeLinear", "xq", "s", "z").name("dq1").outputs("xd");
        b.node("DequantizeLinear", "wq", "s", "wz").name("wdq").outputs("w");
        b.node("Conv", "xd", "w").name("conv").outputs("c").attrInts("kernel_shape", 3, 3);
        b.node("Tanh", "c").name("tanh").outputs("t");
        b.node("QuantizeLinear", "t", "s", "z").name("q2").outputs("tq");
        b.node("DequantizeLinear", "tq", "s", "z").name("dq2").outputs("y");
        b.output("y", DataType.FLOAT, 1L, 2L, 2L, 2L);
        List<ConversionsLeft.Conversion> c = ConversionsLeft.of(b.toModel().graph());
        assertEquals(List.of(
                new ConversionsLeft.Conversion("QuantizeLinear", "x", "model input"),
                new ConversionsLeft.Conversion("DequantizeLinear", "xd", "before Conv"),
                new ConversionsLeft.Conversion("DequantizeLinear", "w", "weight of Conv"),
                new ConversionsLeft.Conversion("QuantizeLinear", "t", "after Tanh"),
                new ConversionsLeft.Conversion("DequantizeLinear", "y", "model output")), c);
        String s = ConversionsLeft.summary(c);
        assertTrue(s.startsWith("ONNX Runtime's optimized graph on this CPU keeps 2 QuantizeLinear (1 after Tanh; 1 model input)"
                + " and 3 DequantizeLinear (1 before Conv; 1 model output; 1 weight of Conv)"), s);
        assertEquals("", ConversionsLeft.summary(List.of()));
    }
}
