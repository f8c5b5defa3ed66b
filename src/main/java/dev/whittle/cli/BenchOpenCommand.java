package dev.whittle.cli;

import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.onnx.OnnxReader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code whittle bench-open MODEL [--runs N]}: how long {@link OnnxReader#read} takes,
 * i.e. map, parse, check and build the view. Weights are memory-mapped, not read, so this is
 * the time until the UI can show the model. Reports the first (cold) open separately.
 */
@Command(name = "bench-open", description = "Measure the time to open a model (median of N runs).")
final class BenchOpenCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx file.")
    Path model;

    @Option(names = "--runs", defaultValue = "10", description = "Timed opens after the first (default: ${DEFAULT-VALUE}).")
    int runs;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (runs < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--runs must be at least 1, not " + runs + ".");
        }
        long t0 = System.nanoTime();
        ModelGraph g = OnnxReader.read(model).graph();
        double first = (System.nanoTime() - t0) / 1e6;
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t = System.nanoTime();
            OnnxReader.read(model);
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(ms);
        double median = runs % 2 == 1 ? ms[runs / 2] : (ms[runs / 2 - 1] + ms[runs / 2]) / 2;
        var out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%s (%s, %s params in %d weight layers): open median %.1f ms over %d runs"
                        + " (min %.1f, max %.1f), first open %.1f ms%n",
                g.fileName(), Units.bytes(g.fileBytes()), Units.count(g.params()), g.weightLayers().size(),
                median, runs, ms[0], ms[runs - 1], first);
        out.flush();
        return 0;
    }
}
