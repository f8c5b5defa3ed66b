package dev.whittle.cli;

import dev.whittle.core.eval.BaselineComparison;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Text and JSON of a model timed against its baseline ({@code bench --baseline}, {@code --bench}). */
final class BaselineText {
    private BaselineText() {
    }

    static String text(BaselineComparison c) {
        StringBuilder sb = new StringBuilder();
        sb.append(c.model()).append(" (").append(Units.bytes(c.modelBytes())).append(") against ").append(c.baseline())
                .append(" (").append(Units.bytes(c.baselineBytes())).append("), ").append(c.data()).append(" inputs, ")
                .append(c.rounds()).append(" alternating rounds of ").append(c.runs()).append(" runs\n");
        Table t = new Table("batch", "model p50 ms", "baseline p50 ms", "ratio", "per round");
        for (BaselineComparison.Batch b : c.batches()) {
            t.row(Integer.toString(b.batch()), BenchCommand.f(b.model().p50()), BenchCommand.f(b.baseline().p50()),
                    String.format(Locale.ROOT, "%.3fx", b.ratio()), String.join(" ", Arrays.stream(b.roundRatios())
                            .mapToObj(r -> String.format(Locale.ROOT, "%.2f", r)).toList()));
        }
        sb.append(t.render());
        String line = c.slowerLine();
        if (line != null) {
            sb.append("slower: ").append(line).append('\n');
        }
        sb.append(EvalCommand.runtimeText(c.runtime())).append('\n');
        return sb.toString();
    }

    static Map<String, Object> json(BaselineComparison c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", c.model());
        m.put("baseline", c.baseline());
        m.put("modelBytes", c.modelBytes());
        m.put("baselineBytes", c.baselineBytes());
        m.put("data", c.data());
        m.put("rounds", c.rounds());
        m.put("runsPerRound", c.runs());
        List<Map<String, Object>> all = new ArrayList<>();
        for (BaselineComparison.Batch b : c.batches()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("batch", b.batch());
            e.put("modelMs", EvalCommand.latency(b.model()));
            e.put("baselineMs", EvalCommand.latency(b.baseline()));
            e.put("ratio", b.ratio());
            e.put("roundRatios", Arrays.stream(b.roundRatios()).boxed().toList());
            all.add(e);
        }
        m.put("results", all);
        m.put("slower", c.slower());
        m.put("slowerLine", c.slowerLine());
        m.put("reasons", c.reasons());
        EvalCommand.runtime(m, c.runtime());
        m.put("notes", c.notes());
        return m;
    }
}
