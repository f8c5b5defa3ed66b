package dev.whittle.core.plan;

import dev.whittle.core.lowrank.LowRankSpec;
import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.plan.PlanRecipes.Origin;
import dev.whittle.core.prune.PruneSpec;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.recipe.RecipePlan;
import dev.whittle.core.recipe.Step;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A plan worked out on a model: what each weight layer finally gets, merged exactly as
 * {@code RecipeRunner} merges the steps of the plan's recipe (the last step with a prune or
 * low-rank setting on a layer wins; quantize blocks merge weights, activations and format
 * separately, in step order), and where each setting comes from. Cheap (selector matching over
 * the layer list, no pass over weights), so the workbench resolves on every edit to fill the plan
 * columns and the totals. {@link #validate} runs the recipe validator, which reads weights.
 */
public final class ResolvedPlan {
    /**
     * The settings that take effect on one layer (null: none), in the order they apply:
     * prune, then low-rank, then quantize.
     *
     * @param pruneFrom    the rule or tuned layer the prune setting comes from, or null
     * @param lowrankFrom  likewise for low-rank
     * @param quantizeFrom likewise for the quantize weights setting (else the last quantize block)
     */
    public record Effective(WeightLayer layer, PruneSpec prune, LowRankSpec lowrank, QuantizeSpec quantize,
                            Origin pruneFrom, Origin lowrankFrom, Origin quantizeFrom) {
        /** Whether nothing happens to this layer. */
        public boolean untouched() {
            return prune == null && lowrank == null && quantize == null;
        }

        /** The weight bits this layer ends with: 32 for float, else the quantize bits. */
        public int weightBits() {
            return quantize == null || quantize.weights() == null ? 32 : quantize.weights().bits();
        }
    }

    private final Plan plan;
    private final ModelGraph model;
    private final PlanRecipes.Exported exported;
    private final Map<String, Effective> layers;

    private ResolvedPlan(Plan plan, ModelGraph model, PlanRecipes.Exported exported, Map<String, Effective> layers) {
        this.plan = plan;
        this.model = model;
        this.exported = exported;
        this.layers = Collections.unmodifiableMap(layers);
    }

    /**
     * Resolves {@code plan} on {@code model}.
     *
     * @throws dev.whittle.core.BadInputException when the plan tunes a layer the model does not have
     */
    public static ResolvedPlan of(Plan plan, ModelGraph model) {
        PlanRecipes.Exported ex = plan.isEmpty() ? null : PlanRecipes.export(plan, model, null);
        List<Step> steps = ex == null ? List.of() : ex.recipe().steps();
        List<List<WeightLayer>> chosen = new ArrayList<>();
        for (Step s : steps) {
            chosen.add(s.select().selector().select(model));
        }
        Map<String, Effective> out = new LinkedHashMap<>();
        for (WeightLayer l : model.weightLayers()) {
            int p = -1;
            int r = -1;
            int qw = -1;
            int qLast = -1;
            QuantizeSpec q = null;
            for (int i = 0; i < steps.size(); i++) {
                if (!chosen.get(i).contains(l)) {
                    continue;
                }
                Step s = steps.get(i);
                p = s.prune() != null ? i : p;
                r = s.lowrank() != null ? i : r;
                if (s.quantize() != null) {
                    QuantizeSpec spec = s.quantize().spec();
                    q = spec.over(q);
                    qLast = i;
                    qw = spec.weights() != null ? i : qw;
                }
            }
            int qFrom = qw >= 0 ? qw : qLast;
            out.put(l.node(), new Effective(l, p < 0 ? null : steps.get(p).prune(), r < 0 ? null : steps.get(r).lowrank(), q,
                    origin(ex, p), origin(ex, r), origin(ex, qFrom)));
        }
        return new ResolvedPlan(plan, model, ex, out);
    }

    private static Origin origin(PlanRecipes.Exported ex, int step) {
        return step < 0 ? null : ex.origins().get(step);
    }

    public Plan plan() {
        return plan;
    }

    public ModelGraph model() {
        return model;
    }

    /** Node name to what the layer gets, in model order (every weight layer, touched or not). */
    public Map<String, Effective> layers() {
        return layers;
    }

    public Effective layer(String node) {
        return layers.get(node);
    }

    /** The plan's recipe as exported (null for an empty plan). */
    public PlanRecipes.Exported exported() {
        return exported;
    }

    /**
     * Runs the recipe validator on the plan's recipe: the problems that would make export refuse
     * (2:4 on an input dimension 4 does not divide, a rank above min(m, n), ...) and warnings.
     * Reads weights of low-rank layers: run it off the UI thread. Null for an empty plan.
     */
    public RecipePlan validate(OnnxModel onnx) {
        return exported == null ? null : RecipePlan.of(exported.recipe(), onnx);
    }
}
