package dev.whittle.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.BadInputException;
import dev.whittle.core.job.CancelToken;
import dev.whittle.core.job.ProgressSink;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.testing.StateModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Streaming evaluation: chunks in order, the state carried, per-recording tracks compared. */
class StreamingTest {
    static final int CHUNKS = 12;
    static final int RESET = 5; // recordings of 5, 5 and 2 chunks
    static final float[] WO2 = {0.4f, -1.6f, 0.5f};

    @TempDir
    Path dir;

    static float[] x() {
        return StateInputsTest.random(9, CHUNKS * 4);
    }

    static Dataset data(StreamSpec stream, long[] labels) {
        Map<String, HostTensor> a = new LinkedHashMap<>();
        a.put("x", HostTensor.ofFloats(new long[] {CHUNKS, 4}, x()));
        a.put("sr", HostTensor.ofLongs(new long[0], new long[] {StateInputsTest.SR}));
        return new Dataset(a, labels == null ? null : HostTensor.ofLongs(new long[] {CHUNKS}, labels), "t", List.of(),
                Map.of("sr", SampleAxes.CONSTANT), stream);
    }

    static StreamSpec stream() {
        return new StreamSpec(Map.of("state", "stateN"), "zeros", 0.5, (long) RESET);
    }

    /** The Java recurrence: state zeros at each recording's start, carried otherwise (or never, with carry off). */
    static double[] track(float[] wo, boolean carry) {
        float[] x = x();
        double[] out = new double[CHUNKS];
        float[][] state = new float[2][3];
        for (int i = 0; i < CHUNKS; i++) {
            if (i % RESET == 0 || !carry) {
                state = new float[2][3];
            }
            float[][] next = new float[2][];
            out[i] = StateModels.step(wo, java.util.Arrays.copyOfRange(x, i * 4, i * 4 + 4), state, StateInputsTest.SR, next);
            state = next;
        }
        return out;
    }

    @Test
    void eachChunksOutputMatchesAJavaRecurrenceThatCarriesTheState() {
        OnnxModel m = StateModels.vad(StateModels.WO, false);
        List<Float> got = new ArrayList<>();
        try (EvalSession s = EvalSession.open(m, SessionSpec.defaults(), n -> { });
             Terminator t = new Terminator(new CancelToken())) {
            Streams.run(s, m.graph(), data(stream(), null), "out", t, new CancelToken(), ProgressSink.NONE, "model",
                    (from, to, o, nanos) -> {
                        assertEquals(1, to - from);
                        got.add(o.values()[0]);
                    });
        }
        double[] want = track(StateModels.WO, true);
        double[] stateless = track(StateModels.WO, false);
        double moved = 0;
        for (int i = 0; i < CHUNKS; i++) {
            assertEquals(want[i], got.get(i), 1e-5, "chunk " + i);
            moved = Math.max(moved, Math.abs(want[i] - stateless[i]));
        }
        assertTrue(moved > 1e-2, "carrying the state must change the outputs for this check to mean anything: " + moved);
    }

    @Test
    void streamedFidelityComparesTracksPerRecordingSqnrAndDecisionsAsJavaDoes() {
        long[] labels = new long[CHUNKS];
        double[] ref = track(StateModels.WO, true);
        double[] x = track(WO2, true);
        for (int i = 0; i < CHUNKS; i++) {
            labels[i] = i % 3 == 0 ? 1 : 0;
        }
        EvalRequest req = EvalRequest.of(StateModels.vad(WO2, false), data(stream(), labels), 32)
                .withBaseline(StateModels.vad(StateModels.WO, false));
        EvalResult r = new Evaluator().evaluate(req, ProgressSink.NONE, new CancelToken());
        double signal = 0;
        double noise = 0;
        long agree = 0;
        long correct = 0;
        List<Double> cos = new ArrayList<>();
        for (int start = 0; start < CHUNKS; start += RESET) {
            double dot = 0;
            double na = 0;
            double nb = 0;
            for (int i = start; i < Math.min(CHUNKS, start + RESET); i++) {
                dot += ref[i] * x[i];
                na += ref[i] * ref[i];
                nb += x[i] * x[i];
            }
            cos.add(dot / Math.sqrt(na * nb));
        }
        for (int i = 0; i < CHUNKS; i++) {
            signal += ref[i] * ref[i];
            noise += (ref[i] - x[i]) * (ref[i] - x[i]);
            agree += (ref[i] > 0.5) == (x[i] > 0.5) ? 1 : 0;
            correct += (x[i] > 0.5) == (labels[i] == 1) ? 1 : 0;
        }
        assertEquals(1, r.batch());
        assertEquals(CHUNKS, r.samples());
        assertEquals(0.5, r.threshold());
        assertTrue(r.streamed());
        assertEquals(10 * Math.log10(signal / noise), r.outputSqnrDb(), 1e-3);
        assertEquals(cos.stream().mapToDouble(Double::doubleValue).average().orElseThrow(), r.meanCosine(), 1e-6);
        assertEquals(cos.stream().mapToDouble(Double::doubleValue).min().orElseThrow(), r.minCosine(), 1e-6);
        assertEquals((double) agree / CHUNKS, r.agreement(), 1e-12);
        assertTrue(agree < CHUNKS, "the two weights must disagree somewhere for the check to mean anything");
        assertEquals(correct, r.correct());
        assertEquals((double) correct / CHUNKS, r.accuracy(), 1e-12);
        assertNull(r.top5());
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("3 recordings of 5") && n.contains("stateN -> state")),
                r.notes().toString());
        assertEquals(0, EvalSession.openSessions());
    }

    @Test
    void aStreamSpecIsReadFromYamlAndItsMistakesAreNamed() throws Exception {
        Path spec = Files.writeString(dir.resolve("s.yaml"), "inputs:\n  x: x.npy\nstream:\n  carry: {state: stateN}\n"
                + "  threshold: 0.3\n  reset: 100\naxes:\n  x: 0\n");
        DatasetSpec s = Datasets.readSpec(spec);
        assertEquals(Map.of("state", "stateN"), s.stream().carry());
        assertEquals(0.3, s.stream().threshold());
        assertEquals(100L, s.stream().reset());
        assertEquals("zeros", s.stream().initial());
        assertEquals(Map.of("x", "0"), s.axes());
        Path bad = Files.writeString(dir.resolve("b.yaml"), "inputs:\n  x: x.npy\nstream:\n  carry: {state: stateN}\n"
                + "  initial: ones\n");
        BadInputException e = assertThrows(BadInputException.class, () -> Datasets.readSpec(bad));
        assertTrue(e.getMessage().contains("stream.initial"), e.getMessage());
        Path noCarry = Files.writeString(dir.resolve("c.yaml"), "inputs:\n  x: x.npy\nstream:\n  threshold: 0.5\n");
        e = assertThrows(BadInputException.class, () -> Datasets.readSpec(noCarry));
        assertTrue(e.getMessage().contains("'carry'"), e.getMessage());
        Path badAxis = Files.writeString(dir.resolve("d.yaml"), "inputs:\n  x: x.npy\naxes:\n  x: first\n");
        e = assertThrows(BadInputException.class, () -> Datasets.readSpec(badAxis));
        assertTrue(e.getMessage().contains("axes.x"), e.getMessage());
    }

    @Test
    void carriedInputsAndOutputsMustExistAndTheDataMustNotHoldThem() {
        OnnxModel m = StateModels.vad(StateModels.WO, false);
        String noInput = failure(m, data(new StreamSpec(Map.of("hidden", "stateN"), null, null, null), null));
        assertTrue(noInput.contains("'hidden'") && noInput.contains("stream.carry"), noInput);
        String noOutput = failure(m, data(new StreamSpec(Map.of("state", "hN"), null, null, null), null));
        assertTrue(noOutput.contains("'hN'"), noOutput);
        Map<String, HostTensor> a = new LinkedHashMap<>(data(stream(), null).inputs());
        a.put("state", HostTensor.ofFloats(new long[] {2, 1, 3}, new float[6]));
        String both = failure(m, new Dataset(a, null, "t", List.of(), Map.of("sr", -1, "state", -1), stream()));
        assertTrue(both.contains("carried from output 'stateN'"), both);
        BadInputException fixed = assertThrows(BadInputException.class, () -> SampleAxes.batch(StateModels.fixedBatch(2).graph(),
                new Dataset(Map.of("x", HostTensor.ofFloats(new long[] {4, 4}, new float[16])), null, "t", List.of(), null,
                        StreamSpec.of("x", "y")), 1, new ArrayList<>()));
        assertTrue(fixed.getMessage().contains("one chunk per run"), fixed.getMessage());
    }

    @Test
    void benchTimesOneChunkWithTheCarriedStateAtZerosAndRefusesLargerBatches() {
        OnnxModel m = StateModels.vad(StateModels.WO, false);
        BenchResult r = LatencyBench.run(new BenchRequest(m, data(stream(), null), List.of(1), 1, 3, Map.of(), 8,
                SessionSpec.defaults()), ProgressSink.NONE, new CancelToken());
        assertEquals(3, r.results().get(0).runs());
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("carried inputs (state) at their initial zeros")),
                r.notes().toString());
        BadInputException e = assertThrows(BadInputException.class, () -> LatencyBench.run(new BenchRequest(m,
                data(stream(), null), List.of(2), 1, 3, Map.of(), 8, SessionSpec.defaults()), ProgressSink.NONE,
                new CancelToken()));
        assertTrue(e.getMessage().contains("--batch 1"), e.getMessage());
    }

    private static String failure(OnnxModel m, Dataset d) {
        return assertThrows(BadInputException.class, () -> new Evaluator().evaluate(EvalRequest.of(m, d, 1), ProgressSink.NONE,
                new CancelToken())).getMessage();
    }
}
