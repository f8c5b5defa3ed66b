package dev.whittle.testing;

import ai.onnx.proto.OnnxMl.GraphProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Writes a model with one MatMul whose weight is [rows, cols] (default 4096 x 2560, 10.5 M
 * floats): Gaussian weights (std 0.02) with 1% of the input rows scaled by 8, like the outlier
 * features of trained transformers. For {@code whittle bench-preview}.
 *
 * <pre>java -cp target/test-classes:target/classes:$(cat target/classpath.txt) \
 *     dev.whittle.testing.BigMatMul /tmp/big-matmul.onnx 4096 2560</pre>
 */
public final class BigMatMul {
    private BigMatMul() {
    }

    public static void main(String[] args) throws java.io.IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "big-matmul.onnx");
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 4096;
        int cols = args.length > 2 ? Integer.parseInt(args[2]) : 2560;
        Random rnd = new Random(11);
        float[] w = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            float scale = rnd.nextInt(100) == 0 ? 8f : 1f;
            for (int j = 0; j < cols; j++) {
                w[i * cols + j] = (float) rnd.nextGaussian() * 0.02f * scale;
            }
        }
        GraphProto g = GraphProto.newBuilder().setName("big_matmul")
                .addInput(TinyModels.value("X", TinyModels.FLOAT, 1, rows))
                .addInitializer(TinyModels.floats("W", w, rows, cols))
                .addNode(TinyModels.node("MatMul", "mm", new String[] {"X", "W"}, "Y"))
                .addOutput(TinyModels.value("Y", TinyModels.FLOAT, 1, cols))
                .build();
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        TinyModels.write(TinyModels.model(g), out);
        System.out.println("wrote " + out + ": MatMul " + rows + " x " + cols);
    }
}
