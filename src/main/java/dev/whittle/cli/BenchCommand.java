package dev.whittle.cli;

import dev.whittle.core.eval.BaselineBench;
import dev.whittle.core.eval.BaselineComparison;
import dev.whittle.core.eval.BenchRequest;
import dev.whittle.core.eval.BenchResult;
import dev.whittle.core.eval.Dataset;
import dev.whittle.core.eval.LatencyBench;
import dev.whittle.core.eval.LatencyStats;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code whittle bench MODEL ...}: latency percentiles and throughput at one or more batch sizes. */
@Command(name = "bench", description = "Measure latency (p50/p90/p99) and throughput at chosen batch sizes, or against a --baseline.")
final class BenchCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx file.")
    Path model;

    @Option(names = "--batch", paramLabel = "N[,N...]", split = ",", description = "Batch sizes (default: 1).")
    List<Integer> batches = new ArrayList<>(List.of(1));

    @Option(names = "--runs", paramLabel = "N", description = "Timed runs per batch size (default: 100), or per round"
            + " and model with --baseline (default: 30).")
    Integer runs;

    @Option(names = "--baseline", paramLabel = "ORIGINAL", description = "Also time this model (the one MODEL was made from)"
            + " in the same run, alternating rounds, and print the median ratio.")
    Path baseline;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "3", description = "Alternating rounds with --baseline"
            + " (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "10", description = "Untimed runs first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Mixin
    DataOptions data = new DataOptions();

    @Mixin
    RuntimeOptions runtime = new RuntimeOptions();

    @Option(names = "--json", description = "Print JSON (keys in docs/evaluation.md).")
    boolean json;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        OnnxModel m = OnnxReader.read(model);
        Dataset d = data.load(m.graph());
        if (baseline != null) {
            OnnxModel b = OnnxReader.read(baseline);
            BenchRequest req = new BenchRequest(m, d, batches, warmup, runs == null ? 30 : runs, data.dims, data.dimDefault,
                    runtime.spec());
            BaselineComparison c = CliJobs.run(BaselineBench.job(req, b, rounds));
            Report.notes(spec, "note: ", c.notes());
            Report.result(spec, json, () -> BaselineText.json(c), () -> BaselineText.text(c));
            return 0;
        }
        if (rounds != 3) {
            throw new dev.whittle.core.BadInputException("--rounds is only used with --baseline.");
        }
        BenchRequest req = new BenchRequest(m, d, batches, warmup, runs == null ? 100 : runs, data.dims, data.dimDefault,
                runtime.spec());
        BenchResult r = CliJobs.run(LatencyBench.job(req));
        Report.notes(spec, "note: ", r.notes());
        Report.result(spec, json, () -> toJson(r), () -> text(r));
        return 0;
    }

    static Map<String, Object> toJson(BenchResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", r.model());
        m.put("data", r.data());
        LatencyStats first = r.results().get(0);
        m.put("batch", first.batch());
        m.put("latencyMs", EvalCommand.latency(first));
        m.put("throughput", first.throughput());
        List<Map<String, Object>> all = new ArrayList<>();
        for (LatencyStats l : r.results()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("batch", l.batch());
            e.put("latencyMs", EvalCommand.latency(l));
            e.put("throughput", l.throughput());
            all.add(e);
        }
        m.put("results", all);
        m.put("modelBytes", r.modelBytes());
        m.put("weightBytes", r.weightBytes());
        EvalCommand.runtime(m, r.runtime());
        m.put("notes", r.notes());
        return m;
    }

    static String text(BenchResult r) {
        StringBuilder sb = new StringBuilder();
        sb.append(r.model()).append(" (").append(Units.bytes(r.modelBytes())).append("), ").append(r.data()).append(" inputs\n");
        Table t = new Table("batch", "runs", "p50 ms", "p90 ms", "p99 ms", "mean ms", "samples/s");
        for (LatencyStats l : r.results()) {
            t.row(Integer.toString(l.batch()), Integer.toString(l.runs()), f(l.p50()), f(l.p90()), f(l.p99()), f(l.mean()),
                    String.format(Locale.ROOT, "%.1f", l.throughput()));
        }
        sb.append(t.render());
        sb.append(EvalCommand.runtimeText(r.runtime())).append('\n');
        return sb.toString();
    }

    static String f(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
