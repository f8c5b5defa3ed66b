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
     * @param reconstruct  the {@code reconstruct} of the step that gives the prune setting, or null
     * @param lowrankReconstruct the {@code reconstruct} of the step that gives the low-rank setting, or null
     */
    public record Effective(WeightLayer layer, PruneSpec prune, LowRankSpec lowrank, QuantizeSpec quantize,
                            Origin pruneFrom, Origin lowrankFrom, Origin quantizeFrom, Object reconstruct,
                            Object lowrankReconstruct) {
        public Effective {
            reconstruct = canonical(reconstruct, prune, null);
            lowrankReconstruct = canonical(lowrankReconstruct, null, lowrank);
        }

        public Effective(WeightLayer layer, PruneSpec prune, LowRankSpec lowrank, QuantizeSpec quantize,
                         Origin pruneFrom, Origin lowrankFrom, Origin quantizeFrom) {
            this(layer, prune, lowrank, quantize, pruneFrom, lowrankFrom, quantizeFrom, null, null);
        }

        /** Whether the layer's pruning is followed by a refit ({@code reconstruct}). */
        public boolean reconstructs() {
            return reconstruct != null && !Boolean.FALSE.equals(reconstruct);
        }

        /** Whether the layer's factoring is followed by a refit of its factors ({@code reconstruct}). */
        public boolean lowrankReconstructs() {
            return lowrankReconstruct != null;
        }

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
    private volatile PlanRecipes.Exported exported;
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
        PlanRecipes.requireLayers(plan, model);
        // The rules as the exported recipe writes them; tuned layers apply after them, each a
        // step selecting that layer alone, so they are merged in directly (no regex, no step
        // objects: hundreds of tuned layers stay cheap to resolve on every edit).
        PlanRecipes.Exported rules = PlanRecipes.rules(plan, model);
        List<Step> steps = rules.recipe() == null ? List.of() : rules.recipe().steps();
        List<java.util.Set<String>> chosen = new ArrayList<>();
        List<QuantizeSpec> specs = new ArrayList<>();
        for (Step s : steps) {
            chosen.add(new java.util.HashSet<>(s.select().selector(plan.version()).select(model).stream().map(WeightLayer::node).toList()));
            specs.add(s.quantize() == null ? null : s.quantize().spec());
        }
        Map<String, Effective> out = new LinkedHashMap<>();
        for (WeightLayer l : model.weightLayers()) {
            int p = -1;
            int r = -1;
            int qw = -1;
            int qLast = -1;
            QuantizeSpec q = null;
            for (int i = 0; i < steps.size(); i++) {
                if (!chosen.get(i).contains(l.node())) {
                    continue;
                }
                Step s = steps.get(i);
                p = s.prune() != null ? i : p;
                r = s.lowrank() != null ? i : r;
                if (specs.get(i) != null) {
                    q = specs.get(i).over(q);
                    qLast = i;
                    qw = specs.get(i).weights() != null ? i : qw;
                }
            }
            Origin mine = new Origin(-1, l.node());
            LayerSettings tuned = plan.layer(l.node());
            PruneSpec prune = p < 0 ? null : steps.get(p).prune();
            Object reconstruct = p < 0 ? null : steps.get(p).reconstruct();
            Origin pruneFrom = origin(rules, p);
            if (tuned.prune() != null) {
                prune = tuned.prune();
                reconstruct = tuned.reconstruct();
                pruneFrom = mine;
            }
            LowRankSpec lowrank = r < 0 ? null : steps.get(r).lowrank();
            Object lowrankReconstruct = r < 0 ? null : steps.get(r).reconstruct();
            Origin lowrankFrom = origin(rules, r);
            if (tuned.lowrank() != null) {
                lowrank = tuned.lowrank();
                lowrankReconstruct = tuned.reconstruct();
                lowrankFrom = mine;
            }
            Origin quantizeFrom = origin(rules, qw >= 0 ? qw : qLast);
            if (tuned.quantize() != null) {
                boolean weights = tuned.quantize().weights() != null;
                q = tuned.quantize().over(q);
                quantizeFrom = weights || quantizeFrom == null ? mine : quantizeFrom;
            }
            out.put(l.node(), new Effective(l, prune, lowrank, q, pruneFrom, lowrankFrom, quantizeFrom,
                    reconstruct, lowrankReconstruct));
        }
        return new ResolvedPlan(plan, model, null, out);
    }

    /**
     * A reconstruct value in one spelling per meaning: {damp: auto}, {damp: D} or null, as the
     * runner reads it ({@code true} means auto after channel pruning or low rank, else the default damping).
     */
    static Object canonical(Object reconstruct, PruneSpec prune, LowRankSpec lowrank) {
        if (reconstruct == null || prune == null && lowrank == null) {
            return null;
        }
        Step s = new Step(new dev.whittle.core.recipe.Selection(List.of(), List.of(), List.of()), prune, lowrank, null,
                reconstruct);
        if (s.reconstructAuto()) {
            return Map.of("damp", "auto");
        }
        Double d = s.reconstructDamp();
        return d == null ? null : Map.of("damp", d);
    }

    private static Origin origin(PlanRecipes.Exported rules, int step) {
        return step < 0 ? null : rules.origins().get(step);
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

    /** The plan's recipe as exported (null for an empty plan), made on first use. */
    public PlanRecipes.Exported exported() {
        PlanRecipes.Exported e = exported;
        if (e == null && !plan.isEmpty()) {
            exported = e = PlanRecipes.export(plan, model, null);
        }
        return e;
    }

    /**
     * Runs the recipe validator on the plan's recipe: the problems that would make export refuse
     * (2:4 on an input dimension 4 does not divide, a rank above min(m, n), ...) and warnings.
     * Reads weights of low-rank layers: run it off the UI thread. Null for an empty plan.
     */
    public RecipePlan validate(OnnxModel onnx) {
        return exported() == null ? null : RecipePlan.of(exported().recipe(), onnx);
    }
}
