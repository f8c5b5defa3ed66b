package dev.whittle.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.whittle.core.BadInputException;
import dev.whittle.core.job.CancelToken;
import dev.whittle.core.job.ProgressSink;
import dev.whittle.core.onnx.OnnxModel;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The overhead benchmark compares like with like: both sides count the same hits, or read outputs only. */
class OverheadBenchTest {
    static final int IN = 8;
    static final int C = 6;

    @Test
    void bothSidesCountTheTopOneHitsAnIndependentLoopCounts() {
        int n = 100;
        float[] w = TinyModels.randomWeights(IN * C, 31);
        float[] b = TinyModels.randomWeights(C, 32);
        float[] x = TinyModels.randomWeights(n * IN, 33);
        long[] y = new long[n];
        long expected = 0;
        for (int i = 0; i < n; i++) {
            double[] s = BatchLoopTest.logits(x, w, b, i);
            int best = 0;
            for (int c = 1; c < C; c++) {
                best = s[c] > s[best] ? c : best;
            }
            y[i] = i % 3 == 0 ? (best + 1) % C : best; // a third wrong on purpose
            expected += y[i] == best ? 1 : 0;
        }
        Dataset d = new Dataset(Map.of("input", HostTensor.ofFloats(new long[] {n, IN}, x)),
                HostTensor.ofLongs(new long[] {n}, y), "t");

        OverheadBench.Result r = OverheadBench.run(TinyModels.linear(w, b, IN, C), d, 32, 3,
                SessionSpec.defaults().withThreads(1), ProgressSink.NONE, CancelToken.none());

        assertEquals(expected, r.whittleCorrect());
        assertEquals(expected, r.bareCorrect());
        assertEquals(3, r.whittleMs().length);
        assertTrue(r.ratio() > 0 && Double.isFinite(r.ratio()) && r.cpuRatio() > 0 && Double.isFinite(r.cpuRatio()));
        assertEquals(0, EvalSession.openSessions());
    }

    @Test
    void unlabelledDataWithSeveralInputsOfOtherTypesIsBenchmarkedOnOutputsAlone() {
        // out = x + Cast(ids): a float and an int64 input, like a text model's token arrays.
        GraphProto g = GraphProto.newBuilder().setName("two")
                .addInput(TinyModels.value("x", 1, "N", 4)).addInput(TinyModels.value("ids", 7, "N", 4))
                .addOutput(TinyModels.value("out", 1, "N", 4))
                .addNode(TinyModels.node("Cast", "cast", new String[] {"ids"}, "idsf").toBuilder()
                        .addAttribute(AttributeProto.newBuilder().setName("to").setType(AttributeProto.AttributeType.INT)
                                .setI(TensorProto.DataType.FLOAT_VALUE)).build())
                .addNode(TinyModels.node("Add", "add", new String[] {"x", "idsf"}, "out"))
                .build();
        OnnxModel m = TinyModels.model(g);
        int n = 40;
        Map<String, HostTensor> in = new LinkedHashMap<>();
        in.put("x", HostTensor.ofFloats(new long[] {n, 4}, TinyModels.randomWeights(n * 4, 41)));
        in.put("ids", HostTensor.ofLongs(new long[] {n, 4}, new long[n * 4]));
        Dataset d = new Dataset(in, null, "t");

        OverheadBench.Result r = OverheadBench.run(m, d, 16, 2, SessionSpec.defaults().withThreads(1), ProgressSink.NONE,
                CancelToken.none());

        assertEquals(-1, r.whittleCorrect());
        assertEquals(-1, r.bareCorrect());
        assertEquals(40, r.samples());
        assertEquals(0, EvalSession.openSessions());
    }

    @Test
    void aModelWhoseOutputIsNotFloat32IsRefused() {
        GraphProto g = GraphProto.newBuilder().setName("ints")
                .addInput(TinyModels.value("ids", 7, "N", 4)).addOutput(TinyModels.value("same", 7, "N", 4))
                .addNode(TinyModels.node("Identity", "id", new String[] {"ids"}, "same")).build();
        Dataset d = new Dataset(Map.of("ids", HostTensor.ofLongs(new long[] {2, 4}, new long[8])), null, "t");
        BadInputException e = assertThrows(BadInputException.class, () -> OverheadBench.run(TinyModels.model(g), d, 2, 1,
                SessionSpec.defaults().withThreads(1), ProgressSink.NONE, CancelToken.none()));
        assertTrue(e.getMessage().contains("float32 output") && e.getMessage().contains("'same'"), e.getMessage());
    }
}
