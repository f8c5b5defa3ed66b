package dev.whittle.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.GraphProto;
import dev.whittle.core.job.CancelToken;
import dev.whittle.core.job.ProgressSink;
import dev.whittle.core.onnx.OnnxModel;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FidelityTest {
    static final int IN = 8;
    static final int C = 6;
    static final int N = 300;

    static double[] logits(float[] x, float[] w, float[] b, int i) {
        double[] s = new double[C];
        for (int c = 0; c < C; c++) {
            s[c] = b[c];
            for (int k = 0; k < IN; k++) {
                s[c] += (double) x[i * IN + k] * w[k * C + c];
            }
        }
        return s;
    }

    @Test
    void fidelityMetricsMatchAnIndependentComputationAndTheBaselineRunsOnce() {
        float[] w = TinyModels.randomWeights(IN * C, 11);
        float[] b = TinyModels.randomWeights(C, 12);
        float[] w2 = w.clone();
        for (int i = 0; i < w2.length; i += 3) {
            w2[i] *= 0.7f;
        }
        float[] x = TinyModels.randomWeights(N * IN, 13);
        OnnxModel base = TinyModels.linear(w, b, IN, C);
        OnnxModel variant = TinyModels.linear(w2, b, IN, C);
        Dataset d = new Dataset(Map.of("input", HostTensor.ofFloats(new long[] {N, IN}, x)), null, "t");
        Evaluator ev = new Evaluator();
        EvalRequest req = EvalRequest.of(variant, d, 16).withBaseline(base);
        EvalResult r = ev.evaluate(req, ProgressSink.NONE, CancelToken.none());

        double signal = 0;
        double noise = 0;
        double maxAbs = 0;
        double cosSum = 0;
        double cosMin = 1;
        int agree = 0;
        for (int i = 0; i < N; i++) {
            double[] p = logits(x, w, b, i);
            double[] q = logits(x, w2, b, i);
            double dot = 0;
            double np = 0;
            double nq = 0;
            int ap = 0;
            int aq = 0;
            for (int c = 0; c < C; c++) {
                signal += p[c] * p[c];
                noise += (p[c] - q[c]) * (p[c] - q[c]);
                maxAbs = Math.max(maxAbs, Math.abs(p[c] - q[c]));
                dot += p[c] * q[c];
                np += p[c] * p[c];
                nq += q[c] * q[c];
                ap = p[c] > p[ap] ? c : ap;
                aq = q[c] > q[aq] ? c : aq;
            }
            double cos = dot / Math.sqrt(np * nq);
            cosSum += cos;
            cosMin = Math.min(cosMin, cos);
            agree += ap == aq ? 1 : 0;
        }
        // float32 outputs vs double reference: tolerances sized for single precision
        assertEquals(10 * Math.log10(signal / noise), r.outputSqnrDb(), 1e-3);
        assertEquals(maxAbs, r.maxAbsDiff(), 1e-4);
        assertEquals(cosSum / N, r.meanCosine(), 1e-6);
        assertEquals(cosMin, r.minCosine(), 1e-6);
        assertEquals(agree / (double) N, r.agreement(), 2.0 / N);
        assertNull(r.accuracy());

        EvalResult self = ev.evaluate(req.withModel(base, "same"), ProgressSink.NONE, CancelToken.none());
        assertEquals(1.0, self.agreement());
        assertEquals(1.0, self.meanCosine(), 1e-12);
        assertEquals(0.0, self.maxAbsDiff());
        assertTrue(self.outputSqnrDb().isInfinite());
        ev.evaluate(req.withModel(TinyModels.linear(w2, new float[C], IN, C), "v3"), ProgressSink.NONE, CancelToken.none());
        assertEquals(1, ev.cache().computations(), "three comparisons with one baseline computed it once");
    }

    /** out = x + bias (broadcast over tokens), with an attention_mask input the graph ignores. */
    static OnnxModel embedder(float[] bias, int t, int h) {
        GraphProto g = GraphProto.newBuilder().setName("emb")
                .addInput(TinyModels.value("x", 1, "N", t, h)).addInput(TinyModels.value("attention_mask", 7, "N", t))
                .addOutput(TinyModels.value("out", 1, "N", t, h))
                .addInitializer(TinyModels.floats("bias", bias, h))
                .addNode(TinyModels.node("Add", "add", new String[] {"x", "bias"}, "out"))
                .build();
        return TinyModels.model(g);
    }

    @Test
    void meanPoolingWeighsTokensByTheAttentionMaskAndClsTakesTheFirstToken() {
        int n = 5;
        int t = 4;
        int h = 3;
        float[] x = TinyModels.randomWeights(n * t * h, 21);
        long[] mask = new long[n * t];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i % t; j++) {
                mask[i * t + j] = 1;
            }
        }
        float[] bias = {0.5f, -0.25f, 1f};
        Map<String, HostTensor> in = new LinkedHashMap<>();
        in.put("x", HostTensor.ofFloats(new long[] {n, t, h}, x));
        in.put("attention_mask", HostTensor.ofLongs(new long[] {n, t}, mask));
        Dataset d = new Dataset(in, null, "t");
        OnnxModel base = embedder(new float[h], t, h);
        OnnxModel variant = embedder(bias, t, h);
        for (Pool pool : new Pool[] {Pool.MEAN, Pool.CLS}) {
            EvalRequest req = new EvalRequest(variant, null, base, d, 2, 0, null, pool, SessionSpec.defaults());
            EvalResult r = new Evaluator().evaluate(req, ProgressSink.NONE, CancelToken.none());
            double sum = 0;
            for (int i = 0; i < n; i++) {
                double[] p = new double[h];
                double[] q = new double[h];
                double wsum = 0;
                for (int j = 0; j < t; j++) {
                    double m = pool == Pool.CLS ? (j == 0 ? 1 : 0) : mask[i * t + j];
                    wsum += m;
                    for (int k = 0; k < h; k++) {
                        p[k] += m * x[(i * t + j) * h + k];
                        q[k] += m * (x[(i * t + j) * h + k] + bias[k]);
                    }
                }
                double dot = 0;
                double np = 0;
                double nq = 0;
                for (int k = 0; k < h; k++) {
                    dot += p[k] / wsum * q[k] / wsum;
                    np += p[k] * p[k] / wsum / wsum;
                    nq += q[k] * q[k] / wsum / wsum;
                }
                sum += dot / Math.sqrt(np * nq);
            }
            assertEquals(sum / n, r.meanCosine(), 1e-5, pool.name());
            assertNull(r.agreement(), "no top-1 agreement for pooled embeddings");
        }
    }
}
