package dev.whittle.cli;

import dev.whittle.core.eval.EvalSession;
import dev.whittle.core.recipe.Calibration;
import dev.whittle.core.recipe.ModelRef;
import dev.whittle.core.recipe.Provenance;
import dev.whittle.core.recipe.Recipe;
import dev.whittle.core.recipe.RecipeFile;
import dev.whittle.core.recipe.RecipeReport;
import dev.whittle.core.recipe.RecipeRunner;
import dev.whittle.core.recipe.RecipeWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code apply --save-recipe}: the recipe as applied, recording the model (file name and
 * sha256) and provenance: Whittle's and ONNX Runtime's versions, the date, and the metrics
 * measured on the result (sizes; with --eval-data also accuracy and fidelity). A relative calibration path
 * is rewritten so that it still points at the same file from the saved recipe's folder.
 */
final class SavedRecipe {
    private SavedRecipe() {
    }

    static void write(RecipeFile source, Path model, RecipeReport report, Map<String, Object> evaluation, Path target) {
        Recipe r = source.recipe().withModel(new ModelRef(String.valueOf(model.getFileName()), RecipeRunner.sha256(model)));
        if (r.calibration() != null && r.calibration().data() != null && !Path.of(r.calibration().data()).isAbsolute()) {
            Path data = source.folder().resolve(r.calibration().data()).normalize();
            Path folder = target.toAbsolutePath().normalize().getParent();
            r = new Recipe(r.whittle(), r.model(), new Calibration(moved(data, folder), r.calibration().samples()), r.steps(),
                    r.provenance());
        }
        RecipeWriter.write(r, Provenance.now(EvalSession.ortVersion(), metrics(report, evaluation)), target);
    }

    /**
     * The calibration file as seen from the saved recipe's folder: relative when the two share a
     * folder below the file system's top level (a project folder), else absolute.
     */
    static String moved(Path data, Path folder) {
        int common = 0;
        while (common < Math.min(data.getNameCount(), folder.getNameCount())
                && data.getName(common).equals(folder.getName(common))) {
            common++;
        }
        return common >= 2 ? folder.relativize(data).toString().replace('\\', '/') : data.toString();
    }

    /** Sizes always; with --eval-data also what the evaluation measured. */
    static Map<String, Object> metrics(RecipeReport report, Map<String, Object> evaluation) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (evaluation != null) {
            evaluation.forEach((k, v) -> {
                if (v != null) {
                    m.put(k, v);
                }
            });
        }
        m.put("paramsBefore", report.paramsBefore());
        m.put("paramsAfter", report.paramsAfter());
        m.put("quantParamsAfter", report.quantParamsAfter());
        m.put("bytesBefore", report.bytesBefore());
        m.put("bytesAfter", report.bytesAfter());
        return m;
    }
}
