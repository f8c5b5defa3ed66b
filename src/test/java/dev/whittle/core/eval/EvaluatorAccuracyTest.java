package dev.whittle.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.whittle.core.job.CancelToken;
import dev.whittle.core.job.ProgressSink;
import dev.whittle.core.onnx.OnnxModel;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EvaluatorAccuracyTest {
    static final int IN = 16;
    static final int CLASSES = 10;
    static final int N = 1000;

    static float[] data(long seed) {
        return TinyModels.randomWeights(N * IN, seed);
    }

    static long[] labels(float[] x, float[] w, float[] b, long seed) {
        // Labels agree with the model most of the time, so accuracy is neither 0 nor 1.
        Random r = new Random(seed);
        long[] y = new long[N];
        for (int i = 0; i < N; i++) {
            y[i] = r.nextInt(4) == 0 ? r.nextInt(CLASSES) : javaArgmax(x, w, b, i);
        }
        return y;
    }

    static int javaArgmax(float[] x, float[] w, float[] b, int i) {
        int best = 0;
        double bv = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < CLASSES; c++) {
            double s = b[c];
            for (int k = 0; k < IN; k++) {
                s += (double) x[i * IN + k] * w[k * CLASSES + c];
            }
            if (s > bv) {
                bv = s;
                best = c;
            }
        }
        return best;
    }

    /** A plain ONNX Runtime loop written independently of Whittle's evaluation code. */
    static long bareCorrect(OnnxModel m, float[] x, long[] y, int batch) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long correct = 0;
        try (OrtSession s = env.createSession(m.proto().toByteArray(), new OrtSession.SessionOptions())) {
            for (int from = 0; from < N; from += batch) {
                int b = Math.min(batch, N - from);
                FloatBuffer fb = FloatBuffer.wrap(x, from * IN, b * IN).slice();
                try (OnnxTensor t = OnnxTensor.createTensor(env, fb, new long[] {b, IN});
                     OrtSession.Result r = s.run(Map.of("input", t))) {
                    float[][] logits = (float[][]) r.get(0).getValue();
                    for (int i = 0; i < b; i++) {
                        int best = 0;
                        for (int c = 1; c < CLASSES; c++) {
                            if (logits[i][c] > logits[i][best]) {
                                best = c;
                            }
                        }
                        if (best == y[from + i]) {
                            correct++;
                        }
                    }
                }
            }
        }
        return correct;
    }

    @Test
    void evaluationCountsTheSameCorrectPredictionsAsABareOnnxRuntimeLoop() throws Exception {
        float[] w = TinyModels.randomWeights(IN * CLASSES, 1);
        float[] b = TinyModels.randomWeights(CLASSES, 2);
        float[] x = data(3);
        long[] y = labels(x, w, b, 4);
        OnnxModel m = TinyModels.linear(w, b, IN, CLASSES);
        Dataset d = new Dataset(Map.of("input", HostTensor.ofFloats(new long[] {N, IN}, x)),
                HostTensor.ofLongs(new long[] {N}, y), "test");
        for (int batch : new int[] {1, 7, 32}) {
            EvalResult r = new Evaluator().evaluate(EvalRequest.of(m, d, batch), ProgressSink.NONE, CancelToken.none());
            long bare = bareCorrect(m, x, y, batch);
            assertEquals(bare, r.correct(), "batch " + batch);
            assertEquals(N, r.samples());
            assertEquals(bare / (double) N, r.accuracy(), 1e-12);
        }
        long java = 0;
        for (int i = 0; i < N; i++) {
            java += javaArgmax(x, w, b, i) == y[i] ? 1 : 0;
        }
        assertTrue(Math.abs(bareCorrect(m, x, y, 32) - java) <= 2, "float32 vs double argmax may differ on near-ties only");
    }

    @Test
    void fashionSamplesCountTheSameCorrectPredictionsAsABareOnnxRuntimeLoop() throws Exception {
        java.nio.file.Path dir = java.nio.file.Path.of("sample-models");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.exists(dir.resolve("fashion-test-x.npy")),
                "the Fashion-MNIST samples are not in this checkout");
        HostTensor x = ArrayFiles.read(dir.resolve("fashion-test-x.npy"));
        HostTensor y = ArrayFiles.read(dir.resolve("fashion-test-y.npy"));
        Dataset d = new Dataset(Map.of("input", x), y, "fashion").limit(500);
        float[] xs = new float[(int) (500 * 784)];
        x.bytes().asFloatBuffer().get(xs);
        for (String name : new String[] {"fashion-mlp.onnx", "fashion-cnn.onnx"}) {
            OnnxModel m = dev.whittle.core.onnx.OnnxReader.read(dir.resolve(name));
            EvalResult r = new Evaluator().evaluate(EvalRequest.of(m, d, 64), ProgressSink.NONE, CancelToken.none());
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            long bare = 0;
            try (OrtSession s = env.createSession(dir.resolve(name).toString(), new OrtSession.SessionOptions());
                 OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(xs), new long[] {500, 1, 28, 28});
                 OrtSession.Result res = s.run(Map.of("input", t))) {
                float[][] logits = (float[][]) res.get(0).getValue();
                for (int i = 0; i < 500; i++) {
                    int best = 0;
                    for (int c = 1; c < 10; c++) {
                        best = logits[i][c] > logits[i][best] ? c : best;
                    }
                    bare += best == y.longAt(i) ? 1 : 0;
                }
            }
            assertEquals(bare, r.correct(), name);
        }
    }

    @Test
    void topFiveCountsALabelAmongTheFiveLargestScores() {
        float[] w = TinyModels.randomWeights(IN * CLASSES, 5);
        float[] b = new float[CLASSES];
        float[] x = data(6);
        long[] y = new long[N];
        Random r = new Random(7);
        for (int i = 0; i < N; i++) {
            y[i] = r.nextInt(CLASSES);
        }
        Dataset d = new Dataset(Map.of("input", HostTensor.ofFloats(new long[] {N, IN}, x)),
                HostTensor.ofLongs(new long[] {N}, y), "test");
        EvalResult res = new Evaluator().evaluate(EvalRequest.of(TinyModels.linear(w, b, IN, CLASSES), d, 50),
                ProgressSink.NONE, CancelToken.none());
        long expected = 0;
        for (int i = 0; i < N; i++) {
            double[] s = new double[CLASSES];
            for (int c = 0; c < CLASSES; c++) {
                for (int k = 0; k < IN; k++) {
                    s[c] += (double) x[i * IN + k] * w[k * CLASSES + c];
                }
            }
            int above = 0;
            for (int c = 0; c < CLASSES; c++) {
                above += s[c] > s[(int) y[i]] ? 1 : 0;
            }
            expected += above < 5 ? 1 : 0;
        }
        assertEquals(expected / (double) N, res.top5(), 2.0 / N);
        assertNull(res.agreement(), "no baseline, no fidelity");
        assertEquals("cpu", res.runtime().provider());
        assertEquals(EvalSession.ortVersion(), res.runtime().ortVersion());
    }
}
