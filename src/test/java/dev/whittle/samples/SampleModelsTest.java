package dev.whittle.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.tensor.Npy;
import dev.whittle.core.tensor.NpyArray;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The committed Fashion-MNIST samples load in Whittle, run in ONNX Runtime (CPU, default session
 * options, fp32) at the accuracy sample-models/README.md states, and compute what an independent
 * plain-Java forward pass computes (direct convolution, no im2col) within 1e-4.
 */
class SampleModelsTest {
    static final Path DIR = Path.of("sample-models");
    static final double TOLERANCE = 1e-4;
    static OrtEnvironment env;
    static float[] x;
    static long[] y;
    static int n;

    @BeforeAll
    static void loadTestSet() {
        env = OrtEnvironment.getEnvironment();
        NpyArray xs = Npy.read(DIR.resolve("fashion-test-x.npy"));
        NpyArray ys = Npy.read(DIR.resolve("fashion-test-y.npy"));
        n = (int) xs.shape()[0];
        assertArrayEquals(new long[] {n, 1, 28, 28}, xs.shape());
        assertEquals("float32", xs.dtype());
        assertEquals("int64", ys.dtype());
        assertArrayEquals(new long[] {n}, ys.shape());
        assertTrue(n >= 2000, "at least 2000 test images");
        x = xs.toFloatArray();
        y = ys.toLongArray();
    }

    static float[][] runOrt(Path model, float[] input, int count) throws OrtException {
        try (OrtSession s = env.createSession(model.toString(), new OrtSession.SessionOptions());
             OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(input, 0, count * 784), new long[] {count, 1, 28, 28});
             OrtSession.Result r = s.run(Map.of("input", in))) {
            return (float[][]) r.get("logits").orElseThrow().getValue();
        }
    }

    static double accuracy(float[][] logits) {
        int correct = 0;
        for (int i = 0; i < logits.length; i++) {
            int best = 0;
            for (int c = 1; c < 10; c++) {
                best = logits[i][c] > logits[i][best] ? c : best;
            }
            correct += best == y[i] ? 1 : 0;
        }
        return 100.0 * correct / logits.length;
    }

    /** The accuracy in percent from the README's table row for {@code file}. */
    static double statedAccuracy(String file) throws IOException {
        String readme = Files.readString(DIR.resolve("README.md"));
        Matcher m = Pattern.compile("(?m)^\\| `" + Pattern.quote(file) + "` \\| (\\d+\\.\\d+) %").matcher(readme);
        assertTrue(m.find(), "README.md has a table row for " + file);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void mlpReachesTheStatedAccuracyInOnnxRuntime() throws Exception {
        Path file = DIR.resolve("fashion-mlp.onnx");
        ModelGraph g = OnnxReader.read(file).graph();
        assertEquals(Map.of("Add", 3, "Flatten", 1, "MatMul", 3, "Relu", 2), g.opCounts());
        double acc = accuracy(runOrt(file, x, n));
        System.out.printf("fashion-mlp: ORT accuracy %.2f %% on %d images%n", acc, n);
        assertEquals(statedAccuracy("fashion-mlp.onnx"), acc, 0.5);
        assertEquals(Double.parseDouble(g.metadata().get("accuracy")) * 100, acc, 0.5);
    }

    @Test
    void cnnReachesTheStatedAccuracyInOnnxRuntime() throws Exception {
        Path file = DIR.resolve("fashion-cnn.onnx");
        ModelGraph g = OnnxReader.read(file).graph();
        assertEquals(Map.of("Conv", 2, "Flatten", 1, "Gemm", 3, "MaxPool", 2, "Relu", 4), g.opCounts());
        double acc = accuracy(runOrt(file, x, n));
        System.out.printf("fashion-cnn: ORT accuracy %.2f %% on %d images%n", acc, n);
        assertEquals(statedAccuracy("fashion-cnn.onnx"), acc, 0.5);
        assertEquals(Double.parseDouble(g.metadata().get("accuracy")) * 100, acc, 0.5);
    }

    @Test
    void mlpLogitsInOnnxRuntimeMatchAPlainJavaForwardPass() throws Exception {
        Path file = DIR.resolve("fashion-mlp.onnx");
        OnnxModel m = OnnxReader.read(file);
        int count = 8;
        float[][] ort = runOrt(file, x, count);
        for (int i = 0; i < count; i++) {
            float[] h = new float[784];
            System.arraycopy(x, i * 784, h, 0, 784);
            for (int layer = 1; layer <= 3; layer++) {
                h = ReferenceForward.matMulAdd(h, weight(m, "fc" + layer + ".weight"), weight(m, "fc" + layer + ".bias"));
                if (layer < 3) {
                    ReferenceForward.relu(h);
                }
            }
            assertArrayEquals(h, ort[i], (float) TOLERANCE, "image " + i);
        }
    }

    @Test
    void cnnLogitsInOnnxRuntimeMatchAPlainJavaForwardPass() throws Exception {
        Path file = DIR.resolve("fashion-cnn.onnx");
        OnnxModel m = OnnxReader.read(file);
        int count = 8;
        float[][] ort = runOrt(file, x, count);
        for (int i = 0; i < count; i++) {
            float[] img = new float[784];
            System.arraycopy(x, i * 784, img, 0, 784);
            float[] c1 = ReferenceForward.conv(img, 1, 28, weight(m, "conv1.weight"), weight(m, "conv1.bias"), 6, 5, 2);
            ReferenceForward.relu(c1);
            float[] p1 = ReferenceForward.maxPool2(c1, 6, 28);
            float[] c2 = ReferenceForward.conv(p1, 6, 14, weight(m, "conv2.weight"), weight(m, "conv2.bias"), 16, 5, 0);
            ReferenceForward.relu(c2);
            float[] h = ReferenceForward.maxPool2(c2, 16, 10);
            for (int layer = 1; layer <= 3; layer++) {
                h = ReferenceForward.gemmTransB(h, weight(m, "fc" + layer + ".weight"), weight(m, "fc" + layer + ".bias"));
                if (layer < 3) {
                    ReferenceForward.relu(h);
                }
            }
            assertArrayEquals(h, ort[i], (float) TOLERANCE, "image " + i);
        }
    }

    private static ReferenceForward.Weight weight(OnnxModel m, String name) {
        var t = m.graph().constant(name).orElseThrow(() -> new AssertionError("no initializer " + name));
        return new ReferenceForward.Weight(t.toFloatArray(), t.dims());
    }

    @Test
    void calibrationSetHoldsTrainingImagesScaledToTheUnitInterval() {
        NpyArray calib = Npy.read(DIR.resolve("fashion-calib-x.npy"));
        assertArrayEquals(new long[] {256, 1, 28, 28}, calib.shape());
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float v : calib.toFloatArray()) {
            min = Math.min(min, v);
            max = Math.max(max, v);
            assertEquals(Math.round(v * 255) / 255f, v, 1e-7f, "pixels are x/255");
        }
        assertEquals(0f, min);
        assertEquals(1f, max);
    }
}
