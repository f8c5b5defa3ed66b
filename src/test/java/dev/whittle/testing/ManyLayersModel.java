package dev.whittle.testing;

import ai.onnx.proto.OnnxMl.GraphProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Writes a chain of {@code layers} MatMuls, each with a [width, width] weight (default 200 x
 * 708 x 708: 100 M parameters, 400 MB): the "200 layers, 100 million parameters" model the
 * workbench must stay responsive on. Gaussian weights (std 0.02, a different scale per layer)
 * with 1% of the input rows scaled by 8, as {@link BigMatMul}.
 *
 * <pre>java -cp target/test-classes:target/classes:$(cat target/classpath.txt) \
 *     dev.whittle.testing.ManyLayersModel /tmp/many.onnx 200 708</pre>
 */
public final class ManyLayersModel {
    private ManyLayersModel() {
    }

    public static void main(String[] args) throws java.io.IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "many-layers.onnx");
        int layers = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int width = args.length > 2 ? Integer.parseInt(args[2]) : 708;
        SplittableRandom rnd = new SplittableRandom(13);
        GraphProto.Builder g = GraphProto.newBuilder().setName("many_layers")
                .addInput(TinyModels.value("X", TinyModels.FLOAT, 1, width));
        String in = "X";
        float[] w = new float[width * width];
        for (int l = 0; l < layers; l++) {
            float std = 0.02f * (1 + l % 7) / 4;
            for (int i = 0; i < width; i++) {
                float scale = rnd.nextInt(100) == 0 ? 8f : 1f;
                for (int j = 0; j < width; j++) {
                    w[i * width + j] = (float) rnd.nextGaussian() * std * scale;
                }
            }
            String name = String.format(java.util.Locale.ROOT, "W%03d", l);
            String y = l == layers - 1 ? "Y" : "h" + l;
            g.addInitializer(TinyModels.floats(name, w, width, width))
                    .addNode(TinyModels.node("MatMul", String.format(java.util.Locale.ROOT, "mm%03d", l),
                            new String[] {in, name}, y));
            in = y;
        }
        g.addOutput(TinyModels.value("Y", TinyModels.FLOAT, 1, width));
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        TinyModels.write(TinyModels.model(g.build()), out);
        System.out.printf(java.util.Locale.ROOT, "wrote %s: %d MatMul layers of %d x %d (%.1f M parameters)%n",
                out, layers, width, width, (double) layers * width * width / 1e6);
    }
}
