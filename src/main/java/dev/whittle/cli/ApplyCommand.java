package dev.whittle.cli;

import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.recipe.Recipe;
import dev.whittle.core.recipe.RecipeRunner;
import dev.whittle.core.transform.LayerReport;
import dev.whittle.core.transform.TransformReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code whittle apply --recipe R.yaml MODEL -o OUT.onnx [--report REPORT.json]}: runs a recipe's
 * prune and low-rank steps and writes the smaller model. Nothing is written when any step fails.
 */
@Command(name = "apply", description = "Apply a recipe's prune and lowrank steps to a model.")
final class ApplyCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx file.")
    Path model;

    @Option(names = "--recipe", required = true, paramLabel = "R.yaml", description = "The recipe (YAML or JSON).")
    Path recipe;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.onnx", description = "Where to write the model.")
    Path output;

    @Option(names = "--report", paramLabel = "REPORT.json", description = "Also write the per-layer report as JSON.")
    Path report;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Recipe r = Recipe.read(recipe);
        OnnxModel m = OnnxReader.read(model);
        RecipeRunner.Result result = RecipeRunner.run(r, m);
        result.model().save(output);
        long written = Files.size(output) + (Files.exists(dataFile()) ? Files.size(dataFile()) : 0);
        TransformReport rep = result.report();
        if (report != null) {
            Files.writeString(report, Json.write(toJson(rep, m.graph().fileBytes(), written)) + "\n");
        }
        var out = spec.commandLine().getOut();
        result.warnings().forEach(w -> spec.commandLine().getErr().println("whittle: warning: " + w));
        out.print(text(rep));
        out.printf(Locale.ROOT, "%s: %s -> %s: %s (%.1f%% of the original), %s -> %s parameters in the touched layers%n",
                m.graph().fileName(), Units.bytes(m.graph().fileBytes()), output.getFileName(), Units.bytes(written),
                100.0 * written / m.graph().fileBytes(), Units.count(rep.paramsBefore()), Units.count(rep.paramsAfter()));
        out.flush();
        return 0;
    }

    private Path dataFile() {
        return output.resolveSibling(output.getFileName() + ".data");
    }

    static String text(TransformReport rep) {
        Table t = new Table("node", "method", "params", "sparsity", "rank", "rel.err", "note");
        for (LayerReport l : rep.layers()) {
            t.row(l.node(), l.method(), Units.count(l.paramsBefore()) + " -> " + Units.count(l.paramsAfter()),
                    String.format(Locale.ROOT, "%.1f%%", 100 * l.sparsity()), l.rank() == null ? "" : l.rank().toString(),
                    l.relError() == null ? "" : String.format(Locale.ROOT, "%.4f", l.relError()),
                    l.skipped() != null ? "skipped: " + l.skipped() : l.channels() != null ? "channels " + l.channels() : "");
        }
        return t.render();
    }

    static Map<String, Object> toJson(TransformReport rep, long bytesBefore, long bytesAfter) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("fileBytesBefore", bytesBefore);
        root.put("fileBytesAfter", bytesAfter);
        List<Map<String, Object>> layers = new ArrayList<>();
        for (LayerReport l : rep.layers()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("node", l.node());
            o.put("weight", l.weight());
            o.put("method", l.method());
            o.put("paramsBefore", l.paramsBefore());
            o.put("paramsAfter", l.paramsAfter());
            o.put("bytesBefore", l.bytesBefore());
            o.put("bytesAfter", l.bytesAfter());
            o.put("zeros", l.zeros());
            o.put("sparsity", l.sparsity());
            o.put("rank", l.rank());
            o.put("relError", l.relError());
            o.put("energyKept", l.energyKept());
            o.put("channels", l.channels());
            o.put("skipped", l.skipped());
            layers.add(o);
        }
        root.put("layers", layers);
        return root;
    }
}
