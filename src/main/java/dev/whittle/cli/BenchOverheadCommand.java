package dev.whittle.cli;

import dev.whittle.core.BadInputException;
import dev.whittle.core.eval.Dataset;
import dev.whittle.core.eval.OverheadBench;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import java.io.PrintWriter;
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

/** {@code whittle bench-overhead MODEL --data SPEC.yaml}: Whittle's evaluation vs a bare ORT loop. */
@Command(name = "bench-overhead", description = "Time Whittle's evaluation against a bare ONNX Runtime loop on the same data.")
final class BenchOverheadCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx file (its first output float32).")
    Path model;

    @Mixin
    DataOptions data = new DataOptions();

    @Mixin
    RuntimeOptions runtime = new RuntimeOptions();

    @Option(names = "--batch", paramLabel = "N", defaultValue = "32", description = "Samples per run (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--repeats", paramLabel = "N", defaultValue = "9", description = "Timed repeats of each side (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        OnnxModel m = OnnxReader.read(model);
        Dataset d = data.load(m.graph());
        if (d == null) {
            throw new BadInputException("bench-overhead needs data (--data SPEC.yaml, or --inputs X.npy [--labels Y.npy]).");
        }
        if (repeats < 1) {
            throw new BadInputException("--repeats must be at least 1.");
        }
        Dataset limited = d.limit(data.limit());
        OverheadBench.Result r = CliJobs.run((p, c) -> OverheadBench.run(m, limited, batch, repeats, runtime.spec(), p, c));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("samples", r.samples());
            j.put("batch", r.batch());
            j.put("repeats", r.whittleMs().length);
            j.put("whittleMedianMs", r.whittleMedianMs());
            j.put("bareMedianMs", r.bareMedianMs());
            j.put("ratio", r.ratio());
            j.put("overheadPercent", r.overheadPercent());
            j.put("minRatio", r.minRatio());
            j.put("cpuRatio", r.cpuRatio());
            j.put("whittleCpuMs", r.whittleCpuMs());
            j.put("bareCpuMs", r.bareCpuMs());
            j.put("whittleMs", r.whittleMs());
            j.put("bareMs", r.bareMs());
            j.put("whittleCorrect", r.whittleCorrect() < 0 ? null : r.whittleCorrect());
            j.put("bareCorrect", r.bareCorrect() < 0 ? null : r.bareCorrect());
            EvalCommand.runtime(j, r.runtime());
            out.println(Json.write(j));
        } else {
            out.printf(Locale.ROOT, "%s: %d samples, batch %d, %d repeats each (alternating)%n", m.graph().fileName(),
                    r.samples(), r.batch(), r.whittleMs().length);
            out.printf(Locale.ROOT, "  whittle eval   median %.1f ms  (%s)%n", r.whittleMedianMs(), hits(r.whittleCorrect()));
            out.printf(Locale.ROOT, "  bare ORT loop  median %.1f ms  (%s)%n", r.bareMedianMs(), hits(r.bareCorrect()));
            out.printf(Locale.ROOT, "  ratio of medians %.4f: overhead %+.2f %% (ratio of minimums %.4f)%n", r.ratio(), r.overheadPercent(), r.minRatio());
            out.printf(Locale.ROOT, "  calling-thread CPU time: whittle median %.1f ms, bare %.1f ms, ratio %.4f (%+.2f %%)%n",
                    OverheadBenchMedian.of(r.whittleCpuMs()), OverheadBenchMedian.of(r.bareCpuMs()), r.cpuRatio(),
                    (r.cpuRatio() - 1) * 100);
            out.println("  " + EvalCommand.runtimeText(r.runtime()));
        }
        out.flush();
        return 0;
    }

    private static String hits(long correct) {
        return correct < 0 ? "no labels: outputs read" : correct + " correct";
    }
}

/** Median of a few timings, for display. */
final class OverheadBenchMedian {
    private OverheadBenchMedian() {
    }

    static double of(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
