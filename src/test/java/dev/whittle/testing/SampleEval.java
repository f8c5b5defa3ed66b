package dev.whittle.testing;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.whittle.core.tensor.Npy;
import dev.whittle.core.tensor.NpyArray;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Map;

/** Evaluates the sample models in ONNX Runtime (CPU, default options): tests and figures only. */
public final class SampleEval {
    public static final Path DIR = Path.of("sample-models");
    public static final Path MINILM = DIR.resolve("minilm/all-minilm-l6-v2.onnx");

    private SampleEval() {
    }

    /** Top-1 accuracy (fraction) on the first {@code limit} committed Fashion-MNIST test images. */
    public static double fashionAccuracy(Path model, int limit) {
        NpyArray xs = Npy.read(DIR.resolve("fashion-test-x.npy"));
        long[] y = Npy.read(DIR.resolve("fashion-test-y.npy")).toLongArray();
        int n = (int) Math.min(limit, xs.shape()[0]);
        float[] x = xs.toFloatArray();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(model.toString(), new OrtSession.SessionOptions());
             OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x, 0, n * 784), new long[] {n, 1, 28, 28});
             OrtSession.Result r = s.run(Map.of("input", in))) {
            float[][] logits = (float[][]) r.get(0).getValue();
            int correct = 0;
            for (int i = 0; i < n; i++) {
                int best = 0;
                for (int c = 1; c < logits[i].length; c++) {
                    best = logits[i][c] > logits[i][best] ? c : best;
                }
                correct += best == y[i] ? 1 : 0;
            }
            return (double) correct / n;
        } catch (OrtException e) {
            throw new AssertionError("ONNX Runtime failed on " + model + ": " + e.getMessage(), e);
        }
    }

    /** Mean-pooled (attention mask) sentence embeddings of the 64 committed sentences, L2-normalized. */
    public static float[][] miniLmEmbeddings(Path model) {
        NpyArray ids = Npy.read(DIR.resolve("minilm-input_ids.npy"));
        long[] mask = Npy.read(DIR.resolve("minilm-attention_mask.npy")).toLongArray();
        long[] types = Npy.read(DIR.resolve("minilm-token_type_ids.npy")).toLongArray();
        long[] shape = ids.shape();
        int rows = (int) shape[0];
        int len = (int) shape[1];
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(model.toString(), new OrtSession.SessionOptions());
             OnnxTensor i = OnnxTensor.createTensor(env, LongBuffer.wrap(ids.toLongArray()), shape);
             OnnxTensor m = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape);
             OnnxTensor t = OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape);
             OrtSession.Result r = s.run(Map.of("input_ids", i, "attention_mask", m, "token_type_ids", t))) {
            float[][][] out = (float[][][]) r.get("output_0").orElseThrow().getValue();
            float[][] emb = new float[rows][];
            for (int row = 0; row < rows; row++) {
                double[] sum = new double[out[row][0].length];
                double count = 0;
                for (int tok = 0; tok < len; tok++) {
                    if (mask[row * len + tok] != 0) {
                        count++;
                        for (int d = 0; d < sum.length; d++) {
                            sum[d] += out[row][tok][d];
                        }
                    }
                }
                double norm = 0;
                for (int d = 0; d < sum.length; d++) {
                    sum[d] /= count;
                    norm += sum[d] * sum[d];
                }
                emb[row] = new float[sum.length];
                for (int d = 0; d < sum.length; d++) {
                    emb[row][d] = (float) (sum[d] / Math.sqrt(norm));
                }
            }
            return emb;
        } catch (OrtException e) {
            throw new AssertionError("ONNX Runtime failed on " + model + ": " + e.getMessage(), e);
        }
    }

    /** {mean, min} cosine similarity of each sentence's embedding under {@code model} and under {@code reference}. */
    public static double[] cosine(float[][] reference, float[][] embeddings) {
        double sum = 0;
        double min = 1;
        for (int i = 0; i < reference.length; i++) {
            double dot = 0;
            for (int d = 0; d < reference[i].length; d++) {
                dot += (double) reference[i][d] * embeddings[i][d];
            }
            sum += dot;
            min = Math.min(min, dot);
        }
        return new double[] {sum / reference.length, min};
    }
}
