package dev.whittle.testing;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import java.util.Arrays;

/**
 * Asks ONNX Runtime on this CPU whether its uint8 x int8 integer kernels are exact for
 * full-range int8 weights. On x86 without VNNI they add pairs of products in 16 bits
 * (VPMADDUBSW) and saturate; with VNNI (and on ARM) they do not. The answer is measured, not
 * read from /proc/cpuinfo, so an emulated CPU ({@code qemu-x86_64 -cpu Haswell}, which still
 * shows the host's /proc/cpuinfo) answers for itself.
 */
public final class Int8Kernels {
    /** Skip message for tests that need exact full-range u8s8 kernels. */
    public static final String NEEDS_EXACT_U8S8 = "needs a CPU whose ONNX Runtime u8s8 integer kernels do not saturate"
            + " (x86 with avx512_vnni or avx_vnni, or ARM); on this CPU they do, so full-range int8 weights with int8"
            + " activations are not exact here: the reduced and uint8 layouts are tested instead";

    private static final int K = 64;
    private static final int N = 16;
    private static Boolean exact;

    private Int8Kernels() {
    }

    /** True when MatMulInteger(255s, 127s) gives 255 * 127 * K exactly. */
    public static synchronized boolean fullRangeExact() {
        if (exact == null) {
            byte[] w = new byte[K * N];
            Arrays.fill(w, (byte) 127);
            GraphProto g = GraphProto.newBuilder().setName("u8s8-probe")
                    .addInput(QuantModels.value("x", -1, K)).addOutput(QuantModels.value("y", -1, N))
                    .addInitializer(scalar("one", 1, ByteString.copyFrom(java.nio.ByteBuffer.allocate(4)
                            .order(java.nio.ByteOrder.LITTLE_ENDIAN).putFloat(1f).array())))
                    .addInitializer(scalar("zp", 2, ByteString.copyFrom(new byte[] {0})))
                    .addInitializer(TensorProto.newBuilder().setName("w").setDataType(3).addDims(K).addDims(N)
                            .setRawData(ByteString.copyFrom(w)))
                    .addNode(QuantModels.node("QuantizeLinear", "q", new String[] {"x", "one", "zp"}, new String[] {"xq"}))
                    .addNode(QuantModels.node("MatMulInteger", "mm", new String[] {"xq", "w"}, new String[] {"yi"}))
                    .addNode(QuantModels.node("Cast", "c", new String[] {"yi"}, new String[] {"y"},
                            QuantModels.intAttr("to", 1)))
                    .build();
            float[] x = new float[4 * K];
            Arrays.fill(x, 255f);
            float[] y = QuantOrt.run(QuantModels.model(g, 13).toByteArray(), "x", new long[] {4, K}, x);
            boolean all = true;
            for (float v : y) {
                all &= v == 255f * 127 * K; // 2,072,640 is exact in float32
            }
            exact = all;
        }
        return exact;
    }

    private static TensorProto scalar(String name, int type, ByteString raw) {
        return TensorProto.newBuilder().setName(name).setDataType(type).setRawData(raw).build();
    }
}
