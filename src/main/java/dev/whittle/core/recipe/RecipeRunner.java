package dev.whittle.core.recipe;

import dev.whittle.core.InternalException;
import dev.whittle.core.lowrank.LowRank;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.prune.Pruner;
import dev.whittle.core.recipe.RecipePlan.Setting;
import dev.whittle.core.select.LayerSelector;
import dev.whittle.core.transform.LayerReport;
import dev.whittle.core.transform.TransformResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Applies a recipe to a model: the one place that does, for the CLI and the workbench alike.
 * The recipe is first planned against the model ({@link RecipePlan}); any problem is raised as
 * a {@code BadInputException} before anything is transformed. Then, per layer, the settings that
 * take effect run in the order prune, low-rank (a later step's setting of the same kind replaces
 * an earlier one). Nothing is written here: the caller saves the result. The same recipe and
 * model give the same output bytes.
 */
public final class RecipeRunner {
    private RecipeRunner() {
    }

    /** The final model, what was done, the plan it followed, and warnings (e.g. a different sha256). */
    public record Result(OnnxModel model, RecipeReport report, RecipePlan plan, List<String> warnings) {
        public Result {
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * Runs {@code recipe} on {@code model}.
     *
     * @param folder where relative paths in the recipe (calibration data) resolve; the recipe
     *               file's folder, or null for the working directory
     */
    public static Result run(Recipe recipe, OnnxModel model, Path folder) {
        RecipePlan plan = RecipePlan.of(recipe, model);
        plan.requireValid();
        for (int i = 0; i < recipe.steps().size(); i++) {
            if (recipe.steps().get(i).quantize() != null) {
                throw new dev.whittle.core.BadInputException("steps[" + (i + 1) + "]: quantize steps are not applied by this"
                        + " version of Whittle yet (prune and lowrank are); nothing was written.");
            }
        }
        List<String> warnings = new ArrayList<>(plan.warnings());
        List<Step> steps = recipe.steps();
        OnnxModel current = model;
        List<RecipeReport.Entry> entries = new ArrayList<>();
        for (Setting setting : List.of(Setting.PRUNE, Setting.LOWRANK)) {
            Map<String, Integer> effective = plan.effective(setting);
            for (int i = 0; i < steps.size(); i++) {
                List<String> nodes = nodesOf(effective, i);
                if (nodes.isEmpty()) {
                    continue;
                }
                TransformResult r = setting == Setting.PRUNE ? Pruner.apply(current, byName(nodes), steps.get(i).prune())
                        : LowRank.apply(current, byName(nodes), steps.get(i).lowrank());
                current = r.model();
                for (LayerReport l : r.report().layers()) {
                    entries.add(new RecipeReport.Entry(i + 1, l));
                }
            }
        }
        RecipeReport report = new RecipeReport(entries, model.graph().params(), current.graph().params(),
                model.graph().fileBytes(), current.graph().fileBytes());
        return new Result(current, report, plan, warnings);
    }

    /** Runs a recipe read from a file, resolving its relative paths against the file's folder. */
    public static Result run(RecipeFile recipe, OnnxModel model) {
        return run(recipe.recipe(), model, recipe.folder());
    }

    public static Result run(Recipe recipe, OnnxModel model) {
        return run(recipe, model, null);
    }

    private static List<String> nodesOf(Map<String, Integer> effective, int step) {
        List<String> out = new ArrayList<>();
        effective.forEach((node, i) -> {
            if (i == step) {
                out.add(node);
            }
        });
        return out;
    }

    private static LayerSelector byName(List<String> nodes) {
        return new LayerSelector(List.of(), nodes.stream().map(Pattern::quote).toList(), List.of());
    }

    /** SHA-256 of a file, lower-case hex. */
    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new InternalException("Cannot hash " + file + ": " + e.getMessage(), e);
        }
    }
}
