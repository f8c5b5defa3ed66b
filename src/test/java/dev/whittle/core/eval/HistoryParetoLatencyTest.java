package dev.whittle.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.job.CancelToken;
import dev.whittle.core.job.ProgressSink;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryParetoLatencyTest {
    @TempDir
    Path dir;

    static EvalResult result(String name, double acc, double p50, long bytes) {
        return new EvalResult(name, "2026-01-01T00:00:00Z", name, null, bytes, bytes, "base", "d", 10, 1, 5L, acc, null,
                null, 1.0, 1.0, Double.POSITIVE_INFINITY, 0.0, new LatencyStats(1, 3, p50, p50, p50, p50, p50, 1000 / p50),
                "out", "none", new RuntimeInfo("1.29.0", "cpu", 2, "all", null), List.of("a note"));
    }

    @Test
    void percentilesInterpolateBetweenRanksLikeNumpy() {
        long[] nanos = new long[100];
        for (int i = 0; i < 100; i++) {
            nanos[99 - i] = (i + 1) * 1_000_000L;
        }
        LatencyStats s = LatencyStats.of(4, nanos);
        assertEquals(50.5, s.p50(), 1e-9);
        assertEquals(90.1, s.p90(), 1e-9);
        assertEquals(99.01, s.p99(), 1e-9);
        assertEquals(50.5, s.mean(), 1e-9);
        assertEquals(4 * 100 / 5.05, s.throughput(), 1e-9);
    }

    @Test
    void benchTimesTheRequestedRunsAtEachBatchSize() {
        var m = TinyModels.linear(TinyModels.randomWeights(12, 1), new float[3], 4, 3);
        List<Long> seen = new ArrayList<>();
        BenchRequest req = new BenchRequest(m, null, List.of(1, 8), 2, 5, java.util.Map.of(), 16, SessionSpec.defaults());
        BenchResult r = LatencyBench.run(req, (done, total, stage) -> seen.add(done), CancelToken.none());
        assertEquals(2, r.results().size());
        assertEquals(8, r.results().get(1).batch());
        assertEquals(5, r.results().get(0).runs());
        assertEquals(14L, seen.get(seen.size() - 1), "progress counts warm-up and timed runs");
        assertTrue(r.results().get(0).p50() > 0 && r.results().get(0).p99() >= r.results().get(0).p50());
    }

    @Test
    void historyKeepsResultsInOrderAcrossInstancesIncludingInfiniteSqnr() {
        EvalHistory h = new EvalHistory(dir.resolve("sub/history.json"));
        assertEquals(List.of(), h.list());
        h.append(result("a", 0.9, 2, 100));
        h.append(result("b", 0.8, 1, 100));
        List<EvalResult> back = new EvalHistory(dir.resolve("sub/history.json")).list();
        assertEquals(List.of("a", "b"), back.stream().map(EvalResult::model).toList());
        assertEquals(result("a", 0.9, 2, 100), back.get(0));
        assertTrue(back.get(0).outputSqnrDb().isInfinite());
    }

    @Test
    void paretoFrontKeepsOnlyResultsNoOtherBeatsOnAccuracyLatencyAndSize() {
        EvalResult big = result("big", 0.95, 10, 1000);
        EvalResult fast = result("fast", 0.90, 2, 1000);
        EvalResult small = result("small", 0.85, 5, 100);
        EvalResult worse = result("worse", 0.85, 6, 200);
        EvalResult tie = result("tie", 0.90, 2, 1000);
        List<EvalResult> front = Pareto.front(List.of(big, fast, small, worse, tie), Pareto.Quality.ACCURACY);
        assertEquals(List.of("fast", "tie", "small", "big"), front.stream().map(EvalResult::model).toList());
        EvalResult noLatency = new EvalResult("n", "t", "n", null, 1, 1, null, "d", 1, 1, 1L, 1.0, null, null, null, null,
                null, null, null, "o", "none", new RuntimeInfo("v", "cpu", 1, "all", null), List.of());
        assertEquals(List.of("fast", "tie", "small", "big"),
                Pareto.front(List.of(big, fast, small, worse, tie, noLatency), Pareto.Quality.ACCURACY).stream()
                        .map(EvalResult::model).toList());
    }

    @Test
    void evaluationResultsRecordTheRuntimeSettings() {
        var m = TinyModels.linear(TinyModels.randomWeights(12, 1), new float[3], 4, 3);
        Dataset d = new Dataset(java.util.Map.of("input", HostTensor.ofFloats(new long[] {6, 4}, new float[24])), null, "z");
        SessionSpec spec = new SessionSpec(SessionSpec.Provider.CPU, 1, SessionSpec.OptLevel.BASIC, false);
        EvalResult r = new Evaluator().evaluate(new EvalRequest(m, null, null, d, 2, 0, null, Pool.NONE, spec),
                ProgressSink.NONE, CancelToken.none());
        assertEquals(new RuntimeInfo(EvalSession.ortVersion(), "cpu", 1, "basic", null), r.runtime());
        assertEquals(2, r.latencyMs().runs(), "three full batches, the first one untimed");
    }
}
