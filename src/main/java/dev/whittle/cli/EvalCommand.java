package dev.whittle.cli;

import dev.whittle.core.BadInputException;
import dev.whittle.core.eval.Dataset;
import dev.whittle.core.eval.EvalHistory;
import dev.whittle.core.eval.EvalRequest;
import dev.whittle.core.eval.EvalResult;
import dev.whittle.core.eval.Evaluator;
import dev.whittle.core.eval.LatencyStats;
import dev.whittle.core.eval.SyntheticInputs;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code whittle eval MODEL ...}: accuracy, fidelity against a baseline, size and latency. */
@Command(name = "eval", description = "Evaluate a model: accuracy against labels, fidelity against a baseline, size, latency.")
final class EvalCommand implements Callable<Integer> {
    static final int DEFAULT_BATCH = 32;
    static final int SYNTHETIC_SAMPLES = 64;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx file.")
    Path model;

    @Mixin
    DataOptions data = new DataOptions();

    @Mixin
    RuntimeOptions runtime = new RuntimeOptions();

    @Option(names = "--baseline", paramLabel = "BASE.onnx", description = "Compare outputs with this model.")
    Path baseline;

    @Option(names = "--pool", paramLabel = "mean|cls|none", description = "Pool [batch, tokens, hidden] outputs before cosine.")
    String pool;

    @Option(names = "--output", paramLabel = "NAME", description = "Output to evaluate (default: the first).")
    String output;

    @Option(names = "--baseline-output", paramLabel = "NAME", description = "The baseline's output to compare with"
            + " (default: the output of the same name, else the one at the same position when the shapes agree).")
    String baselineOutput;

    @Option(names = "--batch", paramLabel = "N", description = "Samples per run (default: " + DEFAULT_BATCH + ").")
    Integer batch;

    @Option(names = "--history", paramLabel = "FILE", arity = "0..1", fallbackValue = "",
            description = "Append the result to a history file (default file: ~/.whittle/history.json).")
    String history;

    @Option(names = "--agreement", description = "Show top-1 agreement with the baseline without labels too (with labels"
            + " it is always shown; an embedding's argmax means nothing).")
    boolean agreement;

    @Option(names = "--json", description = "Print JSON (keys in docs/evaluation.md).")
    boolean json;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        OnnxModel m = OnnxReader.read(model);
        OnnxModel base = baseline == null ? null : OnnxReader.read(baseline);
        Dataset d = data.load(m.graph());
        int b = data.batch(batch, DEFAULT_BATCH);
        long limit = data.limit();
        if (d == null) {
            long n = limit > 0 ? limit : SYNTHETIC_SAMPLES;
            d = SyntheticInputs.make(m.graph(), n, data.dims, data.dimDefault);
        }
        if (baselineOutput != null && base == null) {
            throw new BadInputException("--baseline-output needs --baseline.");
        }
        EvalRequest req = new EvalRequest(m, null, base, d, b, limit, output, data.pool(pool), runtime.spec(), baselineOutput);
        EvalResult r = withoutArgmaxAgreement(CliJobs.run(new Evaluator().job(req)), agreement);
        Report.notes(spec, "note: ", r.notes());
        if (history != null) {
            new EvalHistory(history.isEmpty() ? EvalHistory.defaultFile() : Path.of(history)).append(r);
        }
        Report.result(spec, json, () -> toJson(r), () -> text(r));
        return 0;
    }

    /**
     * Without labels an output may be an embedding, not class scores: top-1 agreement is then
     * left out (with a note) unless {@code --agreement} asks for it.
     */
    static EvalResult withoutArgmaxAgreement(EvalResult r, boolean asked) {
        if (r.agreement() == null || r.accuracy() != null || asked || r.streamed()) {
            return r;
        }
        java.util.List<String> notes = new java.util.ArrayList<>(r.notes());
        notes.add("top-1 agreement left out: without labels the output may be an embedding, whose argmax means nothing;"
                + " --agreement shows it for a classifier");
        return new EvalResult(r.id(), r.time(), r.model(), r.modelPath(), r.modelBytes(), r.weightBytes(), r.baseline(),
                r.data(), r.samples(), r.batch(), r.correct(), r.accuracy(), r.top5(), null, r.meanCosine(), r.minCosine(),
                r.outputSqnrDb(), r.maxAbsDiff(), r.latencyMs(), r.output(), r.pool(), r.runtime(), notes);
    }

    static Map<String, Object> toJson(EvalResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", r.model());
        m.put("baseline", r.baseline());
        m.put("data", r.data());
        m.put("samples", r.samples());
        m.put("batch", r.batch());
        m.put("correct", r.correct());
        m.put("accuracy", r.accuracy());
        m.put("top5", r.top5());
        m.put("agreement", r.agreement());
        m.put("meanCosine", r.meanCosine());
        m.put("minCosine", r.minCosine());
        m.put("outputSqnrDb", r.outputSqnrDb());
        m.put("maxAbsDiff", r.maxAbsDiff());
        m.put("latencyMs", latency(r.latencyMs()));
        m.put("throughput", r.throughput());
        m.put("modelBytes", r.modelBytes());
        m.put("weightBytes", r.weightBytes());
        m.put("output", r.output());
        m.put("pool", r.pool());
        m.put("threshold", r.threshold());
        runtime(m, r.runtime());
        m.put("notes", r.notes());
        return m;
    }

    static Map<String, Object> latency(LatencyStats l) {
        if (l == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("p50", l.p50());
        m.put("p90", l.p90());
        m.put("p99", l.p99());
        m.put("mean", l.mean());
        m.put("min", l.min());
        m.put("runs", l.runs());
        m.put("batch", l.batch());
        return m;
    }

    static void runtime(Map<String, Object> m, dev.whittle.core.eval.RuntimeInfo rt) {
        m.put("provider", rt.provider());
        m.put("threads", rt.threads());
        m.put("ortVersion", rt.ortVersion());
        m.put("optLevel", rt.optLevel());
        m.put("numericsPin", rt.numericsPin());
        if (rt.cpu() != null) {
            m.put("cpu", rt.cpu().name());
            m.put("cpuArch", rt.cpu().arch());
            m.put("vnni", rt.cpu().vnni());
        }
    }

    static String text(EvalResult r) {
        StringBuilder sb = new StringBuilder();
        sb.append(r.model()).append(" on ").append(r.data()).append(": ").append(Units.count(r.samples()))
                .append(r.streamed() ? " chunks, streamed" : " samples, batch " + r.batch()).append('\n');
        if (r.accuracy() != null) {
            sb.append(String.format(Locale.ROOT, "  accuracy  %.2f %% (%s correct%s)", 100 * r.accuracy(), Units.count(r.correct()),
                    r.streamed() ? " decisions of " + Units.count(r.samples()) + " chunks" : ""));
            if (r.top5() != null) {
                sb.append(String.format(Locale.ROOT, ", top-5 %.2f %%", 100 * r.top5()));
            }
            sb.append('\n');
        }
        if (r.meanCosine() != null && r.streamed()) {
            sb.append("  fidelity  vs ").append(r.baseline()).append(String.format(Locale.ROOT, " (streamed): decision agreement"
                    + " %.2f %% (> %s), track cosine mean %.6f min %.6f, SQNR %s dB, max |diff| %.4g%n", 100 * r.agreement(),
                    r.threshold(), r.meanCosine(), r.minCosine(), db(r.outputSqnrDb()), r.maxAbsDiff()));
        } else if (r.meanCosine() != null) {
            sb.append("  fidelity  vs ").append(r.baseline()).append(':');
            if (r.agreement() != null) {
                sb.append(String.format(Locale.ROOT, " top-1 agreement %.2f %%,", 100 * r.agreement()));
            }
            sb.append(String.format(Locale.ROOT, " cosine mean %.6f min %.6f, SQNR %s dB, max |diff| %.4g%n",
                    r.meanCosine(), r.minCosine(), db(r.outputSqnrDb()), r.maxAbsDiff()));
        }
        LatencyStats l = r.latencyMs();
        if (l != null) {
            String few = l.runs() < 10 ? ": too few for p90 and p99" : l.runs() < 100 ? ": too few for p99" : "";
            sb.append(String.format(Locale.ROOT, "  latency   p50 %.3f ms, p90 %.3f ms, p99 %.3f ms per batch of %d (%d runs%s);"
                    + " %s samples/s%n", l.p50(), l.p90(), l.p99(), l.batch(), l.runs(), few,
                    Units.count(Math.round(l.throughput()))));
        } else {
            sb.append("  latency   not measured (see the note)\n");
        }
        sb.append("  size      ").append(Units.bytes(r.modelBytes())).append(" file, ").append(Units.bytes(r.weightBytes()))
                .append(" weights\n");
        sb.append("  runtime   ").append(runtimeText(r.runtime())).append('\n');
        return sb.toString();
    }

    static String runtimeText(dev.whittle.core.eval.RuntimeInfo rt) {
        return "ONNX Runtime " + rt.ortVersion() + ", " + rt.provider() + ", " + rt.threads() + " threads, optimization "
                + rt.optLevel() + (rt.numericsPin() == null ? ", numerics not pinned" : "")
                + (rt.cpu() == null ? "" : "; CPU " + rt.cpu().name() + ", VNNI " + rt.cpu().vnniText());
    }

    static String db(Double v) {
        return v == null ? "-" : v.isInfinite() ? "inf" : String.format(Locale.ROOT, "%.2f", v);
    }

    static void require(boolean ok, String message) {
        if (!ok) {
            throw new BadInputException(message);
        }
    }
}
