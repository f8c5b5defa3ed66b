package dev.whittle.cli;

import dev.whittle.core.BadInputException;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options and rules every command that writes a model shares (apply, quantize): where the
 * model goes, a JSON report beside it, {@code --force}, and an evaluation of the written model
 * on a dataset spec against the input. Outputs are checked before any work: never over an
 * input (not even with --force), never two outputs on one file, over an existing file only with
 * --force. Models and reports are written atomically (a temporary file renamed into place).
 */
final class ModelOutput {
    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.onnx", description = "Where to write the model.")
    Path output;

    @Option(names = "--report", paramLabel = "REPORT.json", description = "Also write what was done, per layer, as JSON.")
    Path report;

    @Option(names = "--eval-data", paramLabel = "SPEC.yaml", description = "Evaluate the result on this dataset spec"
            + " (docs/evaluation.md) against MODEL: accuracy with labels, agreement and cosine always.")
    Path evalData;

    @Option(names = "--eval-limit", paramLabel = "N", description = "Evaluate only the first N samples (default: the spec's limit, else all).")
    Long evalLimit;

    @Option(names = "--force", description = "Replace the output files when they exist (never an input).")
    boolean force;

    @Option(names = "--external-data", description = "Write the weights to OUT.onnx.data beside the model (automatic"
            + " when the model would exceed protobuf's 2 GiB limit).")
    boolean externalData;

    @Option(names = "--bench", description = "After writing, time the model against MODEL in one run (as bench"
            + " --baseline: 3 alternating rounds of 30 runs, synthetic inputs) and print the ratio.")
    boolean bench;

    @Option(names = "--bench-batch", paramLabel = "N[,N...]", split = ",", description = "Batch sizes for --bench (default: 1).")
    List<Integer> benchBatches = new ArrayList<>(List.of(1));

    /**
     * Writes {@code model} to the output, with its weights in {@code OUT.onnx.data} when asked or
     * when it is too large for one file, and notes on {@code err} when that was not asked for.
     */
    void save(dev.whittle.core.onnx.OnnxModel model, java.io.PrintWriter err) {
        boolean movedOut = model.save(output, externalData);
        if (movedOut && !externalData) {
            err.println("whittle: note: " + output.getFileName() + " keeps its weights in " + output.getFileName()
                    + ".data beside it: the model is larger than protobuf's 2 GiB limit.");
            err.flush();
        }
    }

    /**
     * Checks every output before any work: {@code extra} are further outputs of the command
     * (option name to path, e.g. --save-recipe), {@code inputs} the files it reads.
     */
    void check(Map<String, Path> extra, Path... inputs) {
        List<String> names = new ArrayList<>(List.of("-o", "--report"));
        List<Path> outs = new ArrayList<>(java.util.Arrays.asList(output, report));
        extra.forEach((k, v) -> {
            names.add(k);
            outs.add(v);
        });
        for (int i = 0; i < outs.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (outs.get(i) != null && outs.get(j) != null && OutputFiles.same(outs.get(i), outs.get(j))) {
                    throw new BadInputException(names.get(i) + " " + outs.get(i) + " is also the output"
                            + (names.get(j).equals("-o") ? " (-o)" : " of " + names.get(j)) + "; give each output its own file.");
                }
            }
            OutputFiles.check(outs.get(i), force, names.get(i), inputs);
        }
        if (evalLimit != null && evalLimit < 1) {
            throw new BadInputException("--eval-limit must be at least 1, got " + evalLimit + "; leave it out to use every sample.");
        }
        if (evalData != null) {
            DataOptions.refuseArrays(evalData, "--eval-data");
            if (!Files.isRegularFile(evalData)) {
                throw new BadInputException("--eval-data " + evalData + " does not exist.");
            }
        }
    }

    /** The evaluation of the written model against {@code original}, or null without --eval-data. */
    Map<String, Object> evaluate(OnnxModel original) {
        return evalData == null ? null : ApplyEvaluation.run(evalData, evalLimit, original, OnnxReader.read(output));
    }

    /**
     * With --bench: times the written model against {@code original}, prints the comparison on
     * {@code out} and returns its JSON map; null without --bench.
     */
    Map<String, Object> bench(OnnxModel original, java.io.PrintWriter out) {
        if (!bench) {
            return null;
        }
        dev.whittle.core.eval.BenchRequest req = new dev.whittle.core.eval.BenchRequest(OnnxReader.read(output), null,
                benchBatches, 10, 30, Map.of(), dev.whittle.core.eval.SyntheticInputs.DEFAULT_DIM,
                dev.whittle.core.eval.SessionSpec.defaults());
        dev.whittle.core.eval.BaselineComparison c = CliJobs.run(dev.whittle.core.eval.BaselineBench.job(req, original, 3));
        out.print(BaselineText.text(c));
        return BaselineText.json(c);
    }

    /** Writes the report JSON atomically, when --report was given. */
    void writeReport(Map<String, Object> json) {
        if (report != null) {
            OutputFiles.writeAtomically(report, Json.write(json) + "\n");
        }
    }
}
