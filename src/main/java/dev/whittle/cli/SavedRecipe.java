package dev.whittle.cli;

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
 * sha256) and provenance with the metrics measured on the result. A relative calibration path
 * is rewritten so that it still points at the same file from the saved recipe's folder.
 */
final class SavedRecipe {
    private SavedRecipe() {
    }

    static void write(RecipeFile source, Path model, RecipeReport report, Path target) {
        Recipe r = source.recipe().withModel(new ModelRef(String.valueOf(model.getFileName()), RecipeRunner.sha256(model)));
        if (r.calibration() != null && r.calibration().data() != null && !Path.of(r.calibration().data()).isAbsolute()) {
            Path data = source.folder().resolve(r.calibration().data()).normalize();
            Path folder = target.toAbsolutePath().normalize().getParent();
            String moved = folder.relativize(data).toString().replace('\\', '/');
            r = new Recipe(r.whittle(), r.model(), new Calibration(moved, r.calibration().samples()), r.steps(), r.provenance());
        }
        RecipeWriter.write(r, Provenance.now(null, metrics(report)), target);
    }

    static Map<String, Object> metrics(RecipeReport report) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("paramsBefore", report.paramsBefore());
        m.put("paramsAfter", report.paramsAfter());
        m.put("bytesBefore", report.bytesBefore());
        m.put("bytesAfter", report.bytesAfter());
        return m;
    }
}
