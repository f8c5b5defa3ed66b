package dev.whittle.core.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.BadInputException;
import dev.whittle.core.eval.CpuInfo;
import dev.whittle.core.eval.EvalHistory;
import dev.whittle.core.eval.EvalResult;
import dev.whittle.core.eval.LatencyStats;
import dev.whittle.core.eval.RuntimeInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-model histories: keyed by sha256, round trip, data choice, and the command line's global file. */
class RunHistoryTest {
    static final String SHA = "ab".repeat(32);

    @TempDir
    Path dir;

    static EvalResult eval(String id, String model, String path, String baseline, long bytes, Double acc, Double cos, double p50) {
        return new EvalResult(id, "2026-12-05T07:00:00Z", model, path, bytes, bytes / 2, baseline, "data", 100, 32, 90L, acc,
                null, 0.97, cos, 0.8, 31.5, 0.25, new LatencyStats(32, 20, p50, p50 * 1.1, p50 * 1.2, p50, p50 * 0.9, 1000),
                "logits", "none", new RuntimeInfo("1.29.0", "cpu", 1, "all", "session.qdq_matmulnbits_accuracy_level=1",
                new CpuInfo("Test CPU", "x86_64", true)), List.of("a note"));
    }

    static PlanRun run(String id, String name, long bytes, Double acc, Double cos, double p50) {
        return new PlanRun(id, name, false, "whittle: 2\nsteps:\n- select: {ops: [Gemm]}\n  prune: {sparsity: 0.5}\n", 1234,
                eval(id, name, null, "fashion-cnn.onnx", bytes, acc, cos, p50), new LatencyStats(1, 20, 0.1, 0.12, 0.13, 0.1,
                0.09, 9000), new LatencyStats(32, 20, p50, p50, p50, p50, p50, 32000 / p50), List.of(new PlanRun.LayerRow("fc1", "prune 50%", 0.3, 10.4, null)), false);
    }

    @Test
    void runsAndTheDataChoiceRoundTripThroughTheModelsFile() {
        RunHistory h = new RunHistory(dir, SHA, "fashion-cnn.onnx");
        assertTrue(h.runs().isEmpty());
        PlanRun a = run("1", "prune 50%", 200_000, 0.9, 0.99, 0.5);
        PlanRun b = run("2", "int8", 80_000, 0.88, 0.98, 0.3);
        h.append(a);
        h.append(b);
        DataChoice data = DataChoice.arrays(dir.resolve("x.npy"), dir.resolve("y.npy"), 16);
        h.setData(data);
        assertEquals(dir.resolve(SHA + ".json").toAbsolutePath(), h.file());

        RunHistory again = new RunHistory(dir, SHA, "fashion-cnn.onnx");
        assertEquals(List.of(a, b), again.runs());
        assertEquals(data, again.read().data());
        again.rename("1", "my plan");
        again.remove("2");
        assertEquals(List.of(a.withName("my plan")), new RunHistory(dir, SHA, "x").runs());
        assertEquals(data, new RunHistory(dir, SHA, "x").read().data());
    }

    @Test
    void theFolderFollowsTheSystemPropertyAndTheKeyMustBeASha256() {
        String before = System.getProperty(RunHistory.DIR_PROPERTY);
        try {
            System.setProperty(RunHistory.DIR_PROPERTY, dir.toString());
            assertEquals(dir.resolve(SHA + ".json").toAbsolutePath(), RunHistory.of(SHA, "m").file());
        } finally {
            if (before == null) {
                System.clearProperty(RunHistory.DIR_PROPERTY);
            } else {
                System.setProperty(RunHistory.DIR_PROPERTY, before);
            }
        }
        assertThrows(BadInputException.class, () -> new RunHistory(dir, "../evil", "m"));
    }

    @Test
    void aDamagedFileIsReportedByName() throws Exception {
        Files.writeString(dir.resolve(SHA + ".json"), "{not json");
        BadInputException e = assertThrows(BadInputException.class, () -> new RunHistory(dir, SHA, "m").runs());
        assertTrue(e.getMessage().contains(SHA + ".json"), e.getMessage());
    }

    @Test
    void theCommandLinesGlobalHistoryContributesTheRunsOfThisModelWithoutAPlan() {
        Path global = dir.resolve("history.json");
        Path model = dir.resolve("fashion-cnn.onnx");
        EvalHistory h = new EvalHistory(global);
        h.append(eval("g1", "fashion-cnn.onnx", model.toString(), null, 250_000, 0.9, null, 0.4));
        h.append(eval("g2", "pruned.onnx", dir.resolve("pruned.onnx").toString(), "fashion-cnn.onnx", 100_000, 0.85, 0.97, 0.3));
        h.append(eval("g3", "other.onnx", dir.resolve("other.onnx").toString(), "mlp.onnx", 100_000, 0.85, 0.97, 0.3));
        List<PlanRun> runs = RunHistory.fromGlobal(global, model);
        assertEquals(List.of("g1", "g2"), runs.stream().map(PlanRun::id).toList());
        assertTrue(runs.get(0).original());
        assertFalse(runs.get(1).restorable());
        assertTrue(RunHistory.fromGlobal(dir.resolve("missing.json"), model).isEmpty());
    }

    @Test
    void theFrontOnTwoAxesKeepsRunsNoOtherBeatsOnBoth() {
        PlanRun big = run("1", "big", 300_000, 0.90, 0.999, 0.5);
        PlanRun small = run("2", "small", 100_000, 0.85, 0.97, 0.2);
        PlanRun worse = run("3", "worse", 200_000, 0.84, 0.96, 0.6);
        PlanRun tiny = run("4", "tiny", 50_000, 0.70, 0.90, 0.9);
        List<PlanRun> all = List.of(big, small, worse, tiny);
        assertEquals(List.of(tiny, small, big), TradeOffs.front(all, TradeOffs.Cost.SIZE, TradeOffs.Quality.ACCURACY));
        // by latency (batch N), tiny is slow and worse is dominated
        assertEquals(List.of(small, big), TradeOffs.front(all, TradeOffs.Cost.LATENCY_N, TradeOffs.Quality.ACCURACY));
        assertEquals(90.0, TradeOffs.Quality.ACCURACY.of(big), 1e-9);
        assertEquals(TradeOffs.Quality.ACCURACY, TradeOffs.Quality.defaultFor(all));
    }
}
