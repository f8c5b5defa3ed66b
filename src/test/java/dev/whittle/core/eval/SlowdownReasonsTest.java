package dev.whittle.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.model.DataType;
import dev.whittle.core.onnx.GraphBuilder;
import dev.whittle.core.onnx.OnnxModel;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class SlowdownReasonsTest {
    static RuntimeInfo on(Boolean vnni) {
        return new RuntimeInfo("1.29.0", "cpu", 2, "all", null, new CpuInfo("Test CPU", "amd64", vnni));
    }

    /** x -> Q -> DQ -> MatMul (DQ weight) -> output. */
    static OnnxModel qdq() {
        GraphBuilder b = new GraphBuilder("q").opset(17).input("x", DataType.FLOAT, 1L, 4L);
        b.initializer("s", new float[] {0.1f});
        b.initializer("wq", DataType.INT8, ByteBuffer.wrap(new byte[16]), 4, 4);
        b.node("QuantizeLinear", "x", "s").name("q").outputs("xq");
        b.node("DequantizeLinear", "xq", "s").name("dq").outputs("xd");
        b.node("DequantizeLinear", "wq", "s").name("dqw").outputs("w");
        b.node("MatMul", "xd", "w").name("mm").outputs("y");
        b.output("y", DataType.FLOAT, 1L, 4L);
        return b.toModel();
    }

    @Test
    void namesMissingVnniAndTheQdqLeft() {
        OnnxModel m = qdq();
        List<String> r = SlowdownReasons.of(m.graph(), m, on(false));
        assertEquals(2, r.size(), r.toString());
        assertTrue(r.get(0).startsWith("no VNNI on this CPU (Test CPU)"), r.get(0));
        // ONNX Runtime fuses the pair into an int8 MatMul: only the input's conversion is left.
        assertTrue(r.get(1).startsWith("every weight layer runs an int8 kernel"), r.get(1));
        assertEquals(1, SlowdownReasons.of(m.graph(), m, on(true)).size());
        // Without the file, the counts in the graph are all there is.
        List<String> fromFile = SlowdownReasons.of(m.graph(), null, on(true));
        assertTrue(fromFile.get(0).startsWith("1 QuantizeLinear and 2 DequantizeLinear around 1 weight layers"), fromFile.toString());
    }

    @Test
    void namesEightBitMatMulNBitsButNotFourBit() {
        for (int bits : new int[] {8, 4}) {
            GraphBuilder b = new GraphBuilder("n").opset(17).opset("com.microsoft", 1).input("x", DataType.FLOAT, 1L, 32L);
            b.initializer("w", DataType.UINT8, ByteBuffer.wrap(new byte[32 * bits / 8 * 4]), 4, 1, 32 * bits / 8);
            b.initializer("s", new float[4], 4);
            b.node("MatMulNBits", "x", "w", "s").name("mm").domain("com.microsoft").outputs("y").attr("K", 32L)
                    .attr("N", 4L).attr("bits", (long) bits).attr("block_size", 32L);
            b.output("y", DataType.FLOAT, 1L, 4L);
            OnnxModel m = b.toModel();
            List<String> r = SlowdownReasons.of(m.graph(), m, on(true));
            assertEquals(bits == 8 ? 1 : 0, r.size(), r.toString());
            if (bits == 8) {
                assertTrue(r.get(0).contains("1 MatMulNBits with 8-bit weights"), r.get(0));
            }
        }
    }

    /** x -> Q -> DQ -> Conv with a DequantizeLinear weight in {@code type}, zero point {@code zp}. */
    static OnnxModel conv(DataType type, int zp) {
        GraphBuilder b = new GraphBuilder("c").opset(17).input("x", DataType.FLOAT, 1L, 2L, 4L, 4L);
        b.initializer("s", new float[] {0.1f});
        b.initializer("ws", new float[] {0.1f, 0.1f}, 2);
        b.initializer("wz", type, ByteBuffer.wrap(new byte[] {(byte) zp, (byte) zp}), 2);
        b.initializer("wq", type, ByteBuffer.wrap(new byte[2 * 2 * 9]), 2, 2, 3, 3);
        b.node("QuantizeLinear", "x", "s").name("q").outputs("xq");
        b.node("DequantizeLinear", "xq", "s").name("dq").outputs("xd");
        b.node("DequantizeLinear", "wq", "ws", "wz").name("dqw").outputs("w").attr("axis", 0L);
        b.node("Conv", "xd", "w").name("conv").outputs("y");
        b.output("y", DataType.FLOAT, 1L, 2L, 2L, 2L);
        return b.toModel();
    }

    @Test
    void namesUint8WeightsThatKeepTheSymmetricKernelsOut() {
        OnnxModel u8 = conv(DataType.UINT8, 128);
        List<String> r = SlowdownReasons.of(u8.graph(), u8, on(true));
        assertTrue(r.stream().anyMatch(s -> s.startsWith("1 int8 weight layers store their weights as uint8")
                && s.contains("--int8-layout reduced")), r.toString());
        for (OnnxModel m : List.of(conv(DataType.INT8, 0), conv(DataType.UINT8, 0))) {
            List<String> none = SlowdownReasons.of(m.graph(), m, on(true));
            assertTrue(none.stream().noneMatch(s -> s.contains("as uint8")), none.toString());
        }
    }
}
