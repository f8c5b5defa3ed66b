package dev.whittle.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.BadInputException;
import dev.whittle.core.job.CancelToken;
import dev.whittle.core.job.ProgressSink;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.testing.StateModels;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Inputs whose samples sit on another axis than 0, inputs passed whole, and models that fix their batch. */
class StateInputsTest {
    static final long SR = 16000;

    static float[] random(long seed, int n) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    static Map<String, HostTensor> arrays(int samples, int stateBatch) {
        Map<String, HostTensor> m = new LinkedHashMap<>();
        m.put("x", HostTensor.ofFloats(new long[] {samples, 4}, random(1, samples * 4)));
        m.put("state", HostTensor.ofFloats(new long[] {2, stateBatch, 3}, random(2, 2 * stateBatch * 3)));
        m.put("sr", HostTensor.ofLongs(new long[0], new long[] {SR}));
        return m;
    }

    /** Every sample's output from a bare session on the data, fed as the evaluation feeds it. */
    static float[] outputs(OnnxModel m, Dataset d, int batch) {
        List<Float> all = new ArrayList<>();
        try (EvalSession s = EvalSession.open(m, SessionSpec.defaults(), n -> { });
             Terminator t = new Terminator(new CancelToken())) {
            Batches.run(s, d, batch, "out", t, new CancelToken(), ProgressSink.NONE, "model", (from, to, o, nanos) -> {
                for (float v : o.values()) {
                    all.add(v);
                }
            });
        }
        float[] r = new float[all.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = all.get(i);
        }
        return r;
    }

    /** The Java reference for sample i: its x row, and state[:, i or 0, :]. */
    static double expected(Map<String, HostTensor> a, int i, int stateIndex) {
        HostTensor x = a.get("x");
        HostTensor st = a.get("state");
        long sb = st.shape()[1];
        float[] xi = new float[4];
        for (int k = 0; k < 4; k++) {
            xi[k] = (float) x.doubleAt(i * 4L + k);
        }
        float[][] state = new float[2][3];
        for (int l = 0; l < 2; l++) {
            for (int k = 0; k < 3; k++) {
                state[l][k] = (float) st.doubleAt((l * sb + stateIndex) * 3 + k);
            }
        }
        return StateModels.step(StateModels.WO, xi, state, SR, new float[2][]);
    }

    @Test
    void theSampleAxisOfEachInputIsWhereTheSharedBatchSymbolSits() {
        OnnxModel m = StateModels.vad(StateModels.WO, true);
        List<String> notes = new ArrayList<>();
        Map<String, Integer> axes = SampleAxes.decide(m.graph(), arrays(5, 5), Map.of(), notes);
        assertEquals(Map.of("x", 0, "state", 1, "sr", SampleAxes.CONSTANT), axes);
        assertEquals("batch", SampleAxes.batchSymbol(m.graph()));
        assertTrue(notes.stream().anyMatch(n -> n.contains("'sr' is a scalar")), notes.toString());
    }

    @Test
    void aStateWithItsBatchOnAxisOneIsCutPerBatchAndEverySampleMatchesJava() {
        OnnxModel m = StateModels.vad(StateModels.WO, true);
        Map<String, HostTensor> a = arrays(5, 5);
        Dataset d = new Dataset(a, null, "t", List.of(), SampleAxes.decide(m.graph(), a, Map.of(), new ArrayList<>()), null);
        assertEquals(5, d.samples());
        float[] got = outputs(m, d, 2); // batches of 2, 2 and a short one of 1, state copied along axis 1
        assertEquals(5, got.length);
        for (int i = 0; i < 5; i++) {
            assertEquals(expected(a, i, i), got[i], 1e-5, "sample " + i);
        }
        // Feeding axis 0 of the state instead would have mixed samples: the reference tells them apart.
        assertTrue(Math.abs(expected(a, 3, 3) - expected(a, 3, 0)) > 1e-3);
    }

    @Test
    void withUnnamedDimsAStateOfOneBatchIsPassedWholeToEveryRunWithANote() {
        OnnxModel m = StateModels.vad(StateModels.WO, false);
        Map<String, HostTensor> a = arrays(5, 1);
        List<String> notes = new ArrayList<>();
        Map<String, Integer> axes = SampleAxes.decide(m.graph(), a, Map.of(), notes);
        assertEquals(Map.of("x", 0, "state", SampleAxes.CONSTANT, "sr", SampleAxes.CONSTANT), axes);
        assertTrue(notes.stream().anyMatch(n -> n.contains("'state'") && n.contains("passed as it is")), notes.toString());
        Dataset d = new Dataset(a, null, "t", notes, axes, null);
        float[] got = outputs(m, d, 1);
        for (int i = 0; i < 5; i++) {
            assertEquals(expected(a, i, 0), got[i], 1e-5, "sample " + i);
        }
        // With as many states as samples, the first unfixed dim (axis 1) is taken, with a note.
        List<String> n2 = new ArrayList<>();
        assertEquals(1, SampleAxes.decide(m.graph(), arrays(5, 5), Map.of(), n2).get("state"));
        assertTrue(n2.stream().anyMatch(n -> n.contains("along axis 1")), n2.toString());
    }

    @Test
    void theDatasetSpecsAxesOverrideTheModelAndAreChecked() {
        OnnxModel m = StateModels.vad(StateModels.WO, true);
        Map<String, HostTensor> a = arrays(4, 1);
        BadInputException e = assertThrows(BadInputException.class, () ->
                new Dataset(a, null, "t", List.of(), SampleAxes.decide(m.graph(), a, Map.of(), new ArrayList<>()), null));
        assertTrue(e.getMessage().contains("'state' has 1 along its sample axis 1") && e.getMessage().contains("state: none"),
                e.getMessage());
        Map<String, Integer> axes = SampleAxes.decide(m.graph(), a, Map.of("state", SampleAxes.CONSTANT), new ArrayList<>());
        Dataset d = new Dataset(a, null, "t", List.of(), axes, null);
        float[] got = outputs(m, d, 1); // batch 1: Concat needs the state's batch to match
        for (int i = 0; i < 4; i++) {
            assertEquals(expected(a, i, 0), got[i], 1e-5);
        }
        assertThrows(BadInputException.class, () -> SampleAxes.decide(m.graph(), a, Map.of("nope", 0), new ArrayList<>()));
        assertEquals(SampleAxes.CONSTANT, SampleAxes.parse("s", "none"));
        assertEquals(2, SampleAxes.parse("s", "2"));
        BadInputException bad = assertThrows(BadInputException.class, () -> SampleAxes.parse("s", "-1"));
        assertTrue(bad.getMessage().contains("axes.s"), bad.getMessage());
        BadInputException rank = assertThrows(BadInputException.class, () -> new Dataset(a, null, "t", List.of(),
                Map.of("x", 2), null));
        assertTrue(rank.getMessage().contains("no axis 2"), rank.getMessage());
    }

    @Test
    void aModelThatFixesItsBatchIsEvaluatedAtThatSizeWithANote() {
        OnnxModel m = StateModels.fixedBatch(1);
        Dataset d = new Dataset(Map.of("x", HostTensor.ofFloats(new long[] {7, 4}, random(3, 28))), null, "t");
        EvalResult r = new Evaluator().evaluate(EvalRequest.of(m, d, 32).withBaseline(m), ProgressSink.NONE, new CancelToken());
        assertEquals(1, r.batch());
        assertEquals(7, r.samples());
        assertEquals(Double.POSITIVE_INFINITY, r.outputSqnrDb());
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("fixes the batch size to 1") && n.contains("instead of 32")),
                r.notes().toString());
        OnnxModel two = StateModels.fixedBatch(2);
        EvalResult r2 = new Evaluator().evaluate(EvalRequest.of(two, d, 32), ProgressSink.NONE, new CancelToken());
        assertEquals(2, r2.batch());
        assertEquals(6, r2.samples());
        assertTrue(r2.notes().stream().anyMatch(n -> n.contains("last 1 samples are left out")), r2.notes().toString());
    }

    @Test
    void syntheticInputsPutTheSampleCountOnEachInputsOwnAxis() {
        for (boolean named : new boolean[] {true, false}) {
            OnnxModel m = StateModels.vad(StateModels.WO, named);
            Dataset d = SyntheticInputs.make(m.graph(), 6, Map.of(), 8);
            assertEquals(List.of(6L, 4L), List.of(d.inputs().get("x").shape()[0], d.inputs().get("x").shape()[1]));
            assertEquals(List.of(2L, 6L, 3L), java.util.Arrays.stream(d.inputs().get("state").shape()).boxed().toList());
            assertEquals(0, d.inputs().get("sr").rank());
            assertEquals(6, d.samples());
            EvalResult r = new Evaluator().evaluate(EvalRequest.of(m, d, 4), ProgressSink.NONE, new CancelToken());
            assertEquals(6, r.samples());
        }
    }

    @Test
    void aSliceAlongAMiddleAxisCopiesTheRightEntries() {
        float[] v = new float[2 * 5 * 3];
        for (int i = 0; i < v.length; i++) {
            v[i] = i;
        }
        HostTensor t = HostTensor.ofFloats(new long[] {2, 5, 3}, v);
        HostTensor s = t.slice(1, 1, 3);
        assertEquals(List.of(2L, 2L, 3L), List.of(s.shape()[0], s.shape()[1], s.shape()[2]));
        float[] want = {3, 4, 5, 6, 7, 8, 18, 19, 20, 21, 22, 23};
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], s.doubleAt(i), 0, "element " + i);
        }
    }
}
