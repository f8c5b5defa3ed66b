package dev.whittle.core.recipe;

import dev.whittle.core.BadInputException;
import dev.whittle.core.InternalException;
import dev.whittle.core.lowrank.LowRank;
import dev.whittle.core.lowrank.LowRankSpec;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.prune.PruneSpec;
import dev.whittle.core.prune.Pruner;
import dev.whittle.core.select.LayerSelector;
import dev.whittle.core.transform.TransformReport;
import dev.whittle.core.transform.TransformResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Applies a recipe's prune and low-rank steps (quantize steps are refused until that issue
 * lands). Per layer, a later step's setting overrides an earlier one's, and the effective order
 * is prune, then low-rank. Every step must select at least one layer. Nothing is written here:
 * the caller saves the result.
 */
public final class RecipeRunner {
    private RecipeRunner() {
    }

    /** The final model, the per-layer report of every transform, and warnings (e.g. sha256). */
    public record Result(OnnxModel model, TransformReport report, List<String> warnings) {
    }

    public static Result run(Recipe recipe, OnnxModel model) {
        List<String> warnings = new ArrayList<>();
        checkSha(recipe, model, warnings);
        List<Step> steps = recipe.steps();
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).quantize() != null) {
                throw new BadInputException("steps[" + (i + 1) + "]: quantize steps are not supported by this version of"
                        + " whittle apply (prune and lowrank are).");
            }
        }
        Map<String, Integer> pruneStep = effective(steps, model, Step::prune);
        Map<String, Integer> lowrankStep = effective(steps, model, Step::lowrank);
        OnnxModel current = model;
        TransformReport report = new TransformReport(List.of(), model.graph().fileBytes(), model.graph().fileBytes());
        for (int i = 0; i < steps.size(); i++) {
            List<String> nodes = nodesOf(pruneStep, i);
            if (!nodes.isEmpty()) {
                PruneSpec spec = steps.get(i).prune();
                TransformResult r = Pruner.apply(current, byName(nodes), spec);
                current = r.model();
                report = report.then(r.report());
            }
        }
        for (int i = 0; i < steps.size(); i++) {
            List<String> nodes = nodesOf(lowrankStep, i);
            if (!nodes.isEmpty()) {
                LowRankSpec spec = steps.get(i).lowrank();
                TransformResult r = LowRank.apply(current, byName(nodes), spec);
                current = r.model();
                report = report.then(r.report());
            }
        }
        return new Result(current, report, warnings);
    }

    /** Node name to the index of the last step that selects it with this setting. */
    private static Map<String, Integer> effective(List<Step> steps, OnnxModel model, Function<Step, Object> setting) {
        Map<String, Integer> last = new LinkedHashMap<>();
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            LayerSelector sel = s.select().selector();
            List<WeightLayer> chosen = sel.select(model.graph());
            if (chosen.isEmpty()) {
                throw new BadInputException("steps[" + (i + 1) + "]: " + sel + " matches no weight layer of "
                        + model.graph().fileName() + ".");
            }
            if (setting.apply(s) != null) {
                for (WeightLayer l : chosen) {
                    last.put(l.node(), i);
                }
            }
        }
        return last;
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

    private static void checkSha(Recipe recipe, OnnxModel model, List<String> warnings) {
        if (recipe.model() == null || recipe.model().sha256() == null || model.source() == null) {
            return;
        }
        String actual = sha256(model);
        if (!actual.equalsIgnoreCase(recipe.model().sha256().trim())) {
            warnings.add("the recipe was tuned on a model with sha256 " + recipe.model().sha256().trim() + ", but "
                    + model.graph().fileName() + " has " + actual + ".");
        }
    }

    static String sha256(OnnxModel model) {
        try (InputStream in = Files.newInputStream(model.source())) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new InternalException("Cannot hash " + model.source() + ": " + e.getMessage(), e);
        }
    }
}
