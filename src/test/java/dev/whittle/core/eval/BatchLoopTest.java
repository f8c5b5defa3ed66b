package dev.whittle.core.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.OnnxTensor;
import dev.whittle.core.BadInputException;
import dev.whittle.core.job.CancelToken;
import dev.whittle.core.job.ProgressSink;
import dev.whittle.core.onnx.OnnxModel;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shared batch loop reuses input views, shapes and output buffers; none of it may carry data across batches. */
class BatchLoopTest {
    static final int IN = 8;
    static final int C = 6;

    /** One batch as the handler saw it, copied at once. */
    record Seen(long from, long to, float[] values, long[] shape, float[] sameArray) {
    }

    /** x[i] @ w + b in double, the independent reference. */
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

    static List<Seen> runAll(OnnxModel m, Dataset d, int batch) {
        List<Seen> seen = new ArrayList<>();
        try (EvalSession s = EvalSession.open(m, SessionSpec.defaults().withThreads(1), n -> { });
             Terminator t = new Terminator(CancelToken.none())) {
            String out = m.graph().outputs().get(0).name();
            Batches.run(s, d, batch, out, t, CancelToken.none(), ProgressSink.NONE, "test",
                    (from, to, o, nanos) -> seen.add(new Seen(from, to, o.values().clone(), o.shape().clone(), o.values())));
        }
        return seen;
    }

    @Test
    void everyBatchGetsExactlyItsOwnOutputsWhenTheOutputBufferIsReusedIncludingAShortLastBatch() {
        int n = 100;
        int batch = 16; // six full batches, then 4 samples
        float[] w = TinyModels.randomWeights(IN * C, 21);
        float[] b = TinyModels.randomWeights(C, 22);
        float[] x = TinyModels.randomWeights(n * IN, 23);
        Dataset d = new Dataset(Map.of("input", HostTensor.ofFloats(new long[] {n, IN}, x)), null, "t");

        List<Seen> seen = runAll(TinyModels.linear(w, b, IN, C), d, batch);

        assertEquals(7, seen.size());
        for (Seen s : seen) {
            int rows = (int) (s.to() - s.from());
            assertArrayEquals(new long[] {rows, C}, s.shape());
            assertEquals(rows * C, s.values().length, "values of samples " + s.from() + ".." + s.to());
            for (int i = 0; i < rows; i++) {
                double[] ref = logits(x, w, b, (int) s.from() + i);
                for (int c = 0; c < C; c++) {
                    assertEquals(ref[c], s.values()[i * C + c], 1e-4, "sample " + (s.from() + i) + " class " + c);
                }
            }
        }
        // The check above only means something if the buffer really was reused: full batches
        // after the first share one array, and the short batch has its own.
        assertSame(seen.get(1).sameArray(), seen.get(5).sameArray());
        assertNotSame(seen.get(5).sameArray(), seen.get(6).sameArray());
    }

    @Test
    void inputTensorsHoldTheirBatchsRowsOfEveryInputAndAreClosedWhenTheNextBatchIsMade() throws Exception {
        int n = 10;
        float[] a = new float[n * 3];
        long[] ids = new long[n * 2];
        for (int i = 0; i < a.length; i++) {
            a[i] = i * 0.5f;
        }
        for (int i = 0; i < ids.length; i++) {
            ids[i] = 1000 + i;
        }
        Map<String, HostTensor> in = new LinkedHashMap<>();
        in.put("a", HostTensor.ofFloats(new long[] {n, 3}, a));
        in.put("ids", HostTensor.ofLongs(new long[] {n, 2}, ids));
        Dataset d = new Dataset(in, null, "t");
        List<OnnxTensor> earlier = new ArrayList<>();
        try (BatchFeeds feeds = new BatchFeeds(d, 4)) {
            for (long from = 0; from < n; from += 4) {
                long to = Math.min(n, from + 4);
                int rows = (int) (to - from);
                Map<String, OnnxTensor> t = feeds.tensors(from, to);
                for (OnnxTensor old : earlier) {
                    assertTrue(old.isClosed(), "a tensor of an earlier batch is still open");
                }
                assertEquals(List.of("a", "ids"), new ArrayList<>(t.keySet()));
                assertArrayEquals(new long[] {rows, 3}, t.get("a").getInfo().getShape());
                assertArrayEquals(new long[] {rows, 2}, t.get("ids").getInfo().getShape());
                FloatBuffer fa = t.get("a").getFloatBuffer();
                LongBuffer li = t.get("ids").getLongBuffer();
                assertEquals(rows * 3, fa.remaining());
                assertEquals(rows * 2, li.remaining());
                for (int k = 0; k < rows * 3; k++) {
                    assertEquals(a[(int) from * 3 + k], fa.get(k));
                }
                for (int k = 0; k < rows * 2; k++) {
                    assertEquals(ids[(int) from * 2 + k], li.get(k));
                }
                earlier.addAll(t.values());
            }
        }
        for (OnnxTensor old : earlier) {
            assertTrue(old.isClosed(), "closing the feeds leaves a tensor open");
        }
    }

    @Test
    void anOutputWhoseShapeChangesBetweenBatchesOfOneSizeFallsBackToOrdinaryRuns() {
        // y = Cast(NonZero(x)): shape [2, non-zeros in the batch], which differs from batch to batch.
        GraphProto g = GraphProto.newBuilder().setName("nonzero")
                .addInput(TinyModels.value("input", 1, "N", 3))
                .addOutput(TinyModels.value("where", 1, 2, "K"))
                .addNode(TinyModels.node("NonZero", "nz", new String[] {"input"}, "idx"))
                .addNode(TinyModels.node("Cast", "cast", new String[] {"idx"}, "where").toBuilder()
                        .addAttribute(ai.onnx.proto.OnnxMl.AttributeProto.newBuilder().setName("to")
                                .setType(ai.onnx.proto.OnnxMl.AttributeProto.AttributeType.INT).setI(TensorProto.DataType.FLOAT_VALUE))
                        .build())
                .build();
        OnnxModel m = TinyModels.model(g);
        int n = 12;
        float[] x = new float[n * 3];
        int[] nonZeros = {1, 4, 2}; // per batch of 4 samples
        for (int batch = 0; batch < 3; batch++) {
            for (int k = 0; k < nonZeros[batch]; k++) {
                x[batch * 12 + k * 2] = 1 + k; // every other element of the batch's 12
            }
        }
        Dataset d = new Dataset(Map.of("input", HostTensor.ofFloats(new long[] {n, 3}, x)), null, "t");

        List<Seen> seen = runAll(m, d, 4);

        assertEquals(3, seen.size());
        for (int batch = 0; batch < 3; batch++) {
            Seen s = seen.get(batch);
            int k = nonZeros[batch];
            assertArrayEquals(new long[] {2, k}, s.shape(), "batch " + batch);
            for (int j = 0; j < k; j++) {
                int flat = j * 2; // position within the batch's [4, 3] block
                assertEquals(flat / 3, s.values()[j], "row of non-zero " + j + " in batch " + batch);
                assertEquals(flat % 3, s.values()[k + j], "column of non-zero " + j + " in batch " + batch);
            }
        }
    }

    @Test
    void aLabelOutsideTheClassesIsStillFoundWithItsSampleAfterTheRangeIsKnown() {
        OnnxModel m = TinyModels.linear(TinyModels.randomWeights(IN * C, 1), TinyModels.randomWeights(C, 2), IN, C);
        HostTensor x = HostTensor.ofFloats(new long[] {3, IN}, new float[3 * IN]);
        Dataset good = new Dataset(Map.of("input", x), HostTensor.ofLongs(new long[] {3}, new long[] {0, 5, 2}), "t");
        InputCheck.checkLabels(m.graph(), m.graph().outputs().get(0), good);
        assertArrayEquals(new long[] {0, 5}, good.labels().integerRange());
        Dataset bad = new Dataset(Map.of("input", x), HostTensor.ofLongs(new long[] {3}, new long[] {0, -1, 2}), "t");
        BadInputException e = assertThrows(BadInputException.class,
                () -> new Evaluator().evaluate(EvalRequest.of(m, bad, 2), ProgressSink.NONE, CancelToken.none()));
        assertTrue(e.getMessage().startsWith("Label -1 of sample 1 "), e.getMessage());
        Dataset high = new Dataset(Map.of("input", x), HostTensor.ofLongs(new long[] {3}, new long[] {0, 1, 6}), "t");
        e = assertThrows(BadInputException.class,
                () -> new Evaluator().evaluate(EvalRequest.of(m, high, 2), ProgressSink.NONE, CancelToken.none()));
        assertTrue(e.getMessage().startsWith("Label 6 of sample 2 "), e.getMessage());
    }
}
