package dev.whittle.cli;

import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.recipe.RecipeFile;
import dev.whittle.core.recipe.RecipeReport;
import dev.whittle.core.recipe.RecipeReportJson;
import dev.whittle.core.recipe.RecipeRunner;
import dev.whittle.core.transform.LayerReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code whittle apply --recipe R.yaml MODEL -o OUT.onnx [--report REPORT.json] [--force]
 * [--save-recipe SAVED.yaml] [--eval-data SPEC.yaml [--eval-limit N]]}: runs every step of a
 * recipe and writes the model atomically. The
 * outputs are checked before any work (never over MODEL or the recipe; over an existing file
 * only with --force), and nothing is written when any step fails.
 */
@Command(name = "apply", sortOptions = false, description = "Apply a recipe (prune, low-rank, quantize) to a model.")
final class ApplyCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx file (never written).")
    Path model;

    @Option(names = "--recipe", required = true, paramLabel = "R.yaml", description = "The recipe (YAML or JSON).")
    Path recipe;

    @Mixin
    ModelOutput out = new ModelOutput();

    @Option(names = "--save-recipe", paramLabel = "SAVED.yaml",
            description = "Also write the recipe as applied, with the model's sha256 and provenance (versions, date, metrics).")
    Path saveRecipe;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        out.check(saveRecipe == null ? Map.of() : Map.of("--save-recipe", saveRecipe), model, recipe);
        Path output = out.output;
        RecipeFile r = RecipeFile.read(recipe);
        OnnxModel m = OnnxReader.read(model);
        RecipeRunner.Result result = RecipeRunner.run(r, m);
        dev.whittle.core.eval.LoadCheck.require(result.model(), output.getFileName().toString());
        out.save(result.model(), spec.commandLine().getErr());
        RecipeReport rep = result.report().withBytesAfter(writtenBytes(output));
        Map<String, Object> evaluation = out.evaluate(m);
        Map<String, Object> json = RecipeReportJson.map(rep);
        json.put("evaluation", evaluation);
        StringWriter benchText = new StringWriter();
        json.put("bench", out.bench(m, new PrintWriter(benchText)));
        json.put("warnings", result.warnings());
        out.writeReport(json);
        if (saveRecipe != null) {
            SavedRecipe.write(r, model, rep, evaluation, saveRecipe);
        }
        PrintWriter err = spec.commandLine().getErr();
        result.warnings().forEach(w -> err.println("whittle: warning: " + w));
        err.flush();
        PrintWriter pw = spec.commandLine().getOut();
        pw.print(text(rep));
        pw.printf(Locale.ROOT, "%s: %s -> %s: %s (%.1f%% of the original), %s -> %s parameters%s%n",
                m.graph().fileName(), Units.bytes(rep.bytesBefore()), output.getFileName(), Units.bytes(rep.bytesAfter()),
                100.0 * rep.sizeRatio(), Units.count(rep.paramsBefore()), Units.count(rep.paramsAfter()),
                rep.quantParamsAfter() == 0 ? "" : " + " + Units.count(rep.quantParamsAfter())
                        + " quantization scales and zero points");
        rep.factors().forEach((layer, f) -> pw.println(layer + " is now " + String.join(" and ", f)
                + " (a recipe can still select them as '" + layer + "')"));
        if (evaluation != null) {
            pw.print(ApplyEvaluation.text(evaluation));
        }
        pw.print(benchText);
        pw.flush();
        return 0;
    }

    /** Bytes of the written model: the .onnx file plus its external data file, if any. */
    static long writtenBytes(Path output) throws IOException {
        Path data = output.resolveSibling(output.getFileName() + ".data");
        return Files.size(output) + (Files.exists(data) ? Files.size(data) : 0);
    }

    static String text(RecipeReport rep) {
        Table t = new Table("step", "node", "method", "params", "bytes", "sparsity", "rank", "error", "note");
        for (RecipeReport.Entry e : rep.layers()) {
            if (e.transform() != null) {
                LayerReport l = e.transform();
                t.row(String.valueOf(e.step()), l.node(), l.method(), Units.count(l.paramsBefore()) + " -> "
                                + Units.count(l.paramsAfter()), Units.bytes(l.bytesBefore()) + " -> " + Units.bytes(l.bytesAfter()),
                        // Channel pruning removes weights rather than zeroing them: its zero share says nothing.
                        l.method().startsWith("prune channel") ? "" : String.format(Locale.ROOT, "%.1f%%", 100 * l.sparsity()),
                        l.rank() == null ? "" : l.rank().toString(),
                        l.relError() == null ? "" : String.format(Locale.ROOT, "rel %.4f", l.relError()), l.note());
            } else {
                dev.whittle.core.quant.LayerReport q = e.quant();
                t.row(String.valueOf(e.step()), q.node(), "quantize " + q.format().key(), Units.count(e.quantParams()),
                        Units.bytes(q.bytesBefore()) + " -> " + Units.bytes(q.bytesAfter()), "", "",
                        String.format(Locale.ROOT, "SQNR %.1f dB", q.sqnrDb()),
                        (q.symmetric() ? "int" : "uint") + q.bits()
                                + (q.int8Layout() != null && q.int8Layout() != dev.whittle.core.quant.Int8Layout.FULL
                                ? " as " + q.int8Layout().key() : "") + " " + q.granularity().key()
                                + (q.block() > 0 ? " " + q.block() : "") + ", range " + q.range()
                                + String.format(Locale.ROOT, ", %.2f%% clipped", 100 * q.clipped()));
            }
        }
        return t.render();
    }
}
