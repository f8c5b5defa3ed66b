package dev.whittle.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.compare.PlanRun;
import dev.whittle.core.eval.EvalResult;
import dev.whittle.core.eval.LatencyStats;
import dev.whittle.core.eval.RuntimeInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The results table's text: changes against the original, CSV, layers side by side. */
class ResultRowsTest {
    static PlanRun run(String name, boolean original, double acc, long bytes, double p50, List<PlanRun.LayerRow> layers) {
        EvalResult e = new EvalResult(name, "t", name, null, bytes, bytes, null, "data", 100, 32, 90L, acc, null, 0.95, 0.99,
                0.9, original ? Double.POSITIVE_INFINITY : 20.0, 0.1, null, "logits", "none",
                new RuntimeInfo("1.29.0", "cpu", 1, "all", null, null), List.of());
        return new PlanRun(name, name, original, original ? null : "steps: []", 1000, e,
                new LatencyStats(1, 20, p50, p50, p50, p50, p50, 1), null, layers, false);
    }

    @Test
    void metricsShowTheirChangeAgainstTheOriginal() {
        PlanRun o = run("original", true, 0.9045, 248_711, 0.2, List.of());
        PlanRun r = run("int8", false, 0.8910, 80_000, 0.1, List.of());
        assertEquals("89.10 % (-1.35)", ResultRows.accuracy(r, o));
        assertEquals("90.45 %", ResultRows.accuracy(o, o));
        assertEquals("78.1 KiB (-68 %)", ResultRows.size(r, o));
        assertEquals("0.100 ms (x0.50)", ResultRows.latency(r.latency1(), o.latency1()));
        assertEquals("exact", ResultRows.sqnr(o));
        assertEquals("20.0 dB", ResultRows.sqnr(r));
        assertEquals("cpu, 1 thread", ResultRows.runtime(r));
    }

    @Test
    void csvHasAHeaderAndOneQuotedRowPerRun() {
        String csv = ResultRows.csv(List.of(run("original", true, 0.9, 100, 0.2, List.of()), run("a \"b\"", false, 0.8, 50, 0.1,
                List.of())));
        String[] lines = csv.split("\n");
        assertEquals(3, lines.length);
        assertTrue(lines[0].startsWith("name,original,data,samples,batch,accuracy,"));
        assertTrue(lines[2].startsWith("\"a \"\"b\"\"\",false,\"data\",100,32,0.800000,"), lines[2]);
        assertTrue(lines[1].contains(",,"), "an exact SQNR is left empty, not infinite");
    }

    @Test
    void twoRunsCompareEveryLayerEitherTouches() {
        PlanRun a = run("a", false, 0.9, 1, 1, List.of(new PlanRun.LayerRow("fc1", "prune 50%", 0.25, 12.04, null)));
        PlanRun b = run("b", false, 0.9, 1, 1, List.of(new PlanRun.LayerRow("fc2", "int8 channel", 0.01, 40.0, null),
                new PlanRun.LayerRow("fc1", "rank 8", 0.5, 6.0, null)));
        List<ResultRows.LayerPair> rows = ResultRows.compare(a, b);
        assertEquals(List.of("fc1", "fc2"), rows.stream().map(ResultRows.LayerPair::node).toList());
        assertEquals(new ResultRows.LayerPair("fc1", "prune 50%", "25.00 % (12.0 dB)", "rank 8", "50.00 % (6.0 dB)"), rows.get(0));
        assertEquals("", rows.get(1).settingsA());
    }
}
