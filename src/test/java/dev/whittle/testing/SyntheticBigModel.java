package dev.whittle.testing;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a decoder-shaped model with several GB of float16 weights in one external data file,
 * made sparse with {@link RandomAccessFile#setLength} so it costs no disk. For timing
 * {@code whittle bench-open}; the weights are all zero, which opening never looks at.
 *
 * <pre>java -cp target/test-classes:target/classes:$(cat target/classpath.txt) \
 *     dev.whittle.testing.SyntheticBigModel /tmp/big 32 2048 5632</pre>
 * writes /tmp/big/big.onnx + big.onnx.data: 32 blocks of 7 MatMuls (q, k, v, o of
 * [hidden, hidden]; gate, up [hidden, ffn]; down [ffn, hidden]).
 */
public final class SyntheticBigModel {
    private SyntheticBigModel() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Files.createDirectories(Path.of(args[0]));
        int blocks = Integer.parseInt(args[1]);
        long hidden = Long.parseLong(args[2]);
        long ffn = Long.parseLong(args[3]);
        int f16 = ai.onnx.proto.OnnxMl.TensorProto.DataType.FLOAT16_VALUE;
        GraphProto.Builder g = GraphProto.newBuilder().setName("big").addInput(TinyModels.value("X", f16, 1, hidden));
        long offset = 0;
        String x = "X";
        for (int b = 0; b < blocks; b++) {
            String[][] mats = {{"q", "h"}, {"k", "h"}, {"v", "h"}, {"o", "h"}, {"gate", "f"}, {"up", "f"}};
            String attn = x;
            for (String[] m : mats) {
                long cols = m[1].equals("h") ? hidden : ffn;
                String w = "blk" + b + "." + m[0];
                long bytes = 2 * hidden * cols;
                g.addInitializer(TinyModels.external(w, f16, "big.onnx.data", offset, bytes, hidden, cols));
                offset += (bytes + 4095) / 4096 * 4096;
                String in = m[0].equals("o") ? "blk" + b + ".v_out" : m[0].equals("gate") || m[0].equals("up") ? "blk" + b + ".o_out" : attn;
                g.addNode(TinyModels.node("MatMul", "blk" + b + "." + m[0] + "_proj", new String[] {in, w}, "blk" + b + "." + m[0] + "_out"));
            }
            g.addNode(TinyModels.node("Mul", "blk" + b + ".glu", new String[] {"blk" + b + ".gate_out", "blk" + b + ".up_out"}, "blk" + b + ".glu_out"));
            String down = "blk" + b + ".down";
            long bytes = 2 * ffn * hidden;
            g.addInitializer(TinyModels.external(down, f16, "big.onnx.data", offset, bytes, ffn, hidden));
            offset += (bytes + 4095) / 4096 * 4096;
            g.addNode(TinyModels.node("MatMul", down + "_proj", new String[] {"blk" + b + ".glu_out", down}, down + "_out"));
            x = down + "_out";
        }
        g.addOutput(TinyModels.value(x, f16, 1, hidden));
        ModelProto m = TinyModels.model(g.build());
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("big.onnx.data").toFile(), "rw")) {
            f.setLength(offset);
        }
        TinyModels.write(m, dir.resolve("big.onnx"));
        System.out.printf("wrote %s: %d weight tensors, %.2f GiB of external data%n", dir.resolve("big.onnx"),
                g.getInitializerCount(), offset / (double) (1L << 30));
    }
}
