package dev.whittle.core.plan;

import dev.whittle.core.BadInputException;
import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.quant.ActivationOverride;
import dev.whittle.core.quant.ActivationPlacement;
import dev.whittle.core.quant.ActivationSpec;
import dev.whittle.core.quant.Granularity;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.quant.RangeSpec;
import dev.whittle.core.quant.WeightSpec;
import dev.whittle.core.recipe.ModelRef;
import dev.whittle.core.recipe.QuantizeSettings;
import dev.whittle.core.recipe.Recipe;
import dev.whittle.core.recipe.RecipePlan.Setting;
import dev.whittle.core.recipe.Selection;
import dev.whittle.core.recipe.Step;
import dev.whittle.core.select.LayerSelector;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Converts plans to recipes and back, without loss: a recipe opened as a plan and exported again
 * applies to the same model bytes, and a plan's recipe is what {@link PlanExport} runs.
 *
 * <p>Export writes the rules as steps, in order, then one step per hand-tuned layer in model
 * order, selecting that layer alone by its name escaped as a regex ({@link #layerRegex}). A
 * setting switched off on a layer becomes an {@code exclude} of that layer on the rules that
 * would give it (a rule carrying other settings too is split into two adjacent steps, which
 * applies the same way). Import keeps every step as a rule, except the trailing run of steps
 * that each select one layer by name, in model order, which become hand-tuned layers again.
 */
public final class PlanRecipes {
    private PlanRecipes() {
    }

    /** Where a step of an exported recipe comes from: rule {@code rule} (0-based), or layer {@code node}. */
    public record Origin(int rule, String node) {
        public boolean isRule() {
            return node == null;
        }
    }

    /** An exported recipe and, per step, where it comes from. */
    public record Exported(Recipe recipe, List<Origin> origins) {
        public Exported {
            origins = List.copyOf(origins);
        }
    }

    /**
     * The plan as a recipe (in the plan's format version) for {@code model}, recording the model's file name
     * and {@code sha256} (may be null).
     *
     * @throws BadInputException when the plan does nothing, or tunes a layer the model does not have
     */
    public static Recipe toRecipe(Plan plan, ModelGraph model, String sha256) {
        return export(plan, model, sha256).recipe();
    }

    /** {@link #toRecipe}, with the origin of every step (the resolved plan maps steps back with it). */
    public static Exported export(Plan plan, ModelGraph model, String sha256) {
        List<Step> steps = new ArrayList<>();
        List<Origin> origins = new ArrayList<>();
        requireLayers(plan, model);
        Exported rules = rules(plan, model);
        steps.addAll(rules.recipe() == null ? List.of() : rules.recipe().steps());
        origins.addAll(rules.origins());
        for (WeightLayer l : model.weightLayers()) {
            LayerSettings s = plan.layers().get(l.node());
            if (s == null || (s.prune() == null && s.lowrank() == null && s.quantize() == null)) {
                continue;
            }
            // version 1 reaches the kinds that joined later only when ops names them
            List<String> ops = plan.version() == 1 && LayerSelector.BEYOND_VERSION_1.contains(l.op()) ? List.of(l.op()) : List.of();
            String graphs = l.graphPath().isEmpty() ? null : layerRegex(l.graphPath());
            steps.add(new Step(new Selection(ops, List.of(layerRegex(l.node())), List.of(), graphs), s.prune(), s.lowrank(),
                    s.quantize() == null ? null : settings(s.quantize()), s.reconstruct()));
            origins.add(new Origin(-1, l.node()));
        }
        if (steps.isEmpty()) {
            throw new BadInputException("the plan is empty: set pruning, low-rank or quantization on a layer first.");
        }
        String file = model.path() == null ? null : String.valueOf(model.path().getFileName());
        ModelRef ref = file == null && sha256 == null ? null : new ModelRef(file, sha256);
        return new Exported(new Recipe(plan.version(), ref, plan.calibration(), steps, null), origins);
    }

    /** The rules alone as steps, with their origins (recipe null when there are no rules). */
    static Exported rules(Plan plan, ModelGraph model) {
        List<Step> steps = new ArrayList<>();
        List<Origin> origins = new ArrayList<>();
        for (int i = 0; i < plan.rules().size(); i++) {
            for (Step s : ruleSteps(plan, plan.rules().get(i), model)) {
                steps.add(s);
                origins.add(new Origin(i, null));
            }
        }
        return new Exported(steps.isEmpty() ? null : new Recipe(plan.version(), null, null, steps, null), origins);
    }

    /** The rule as steps: itself, or split so layers that switch a setting off are excluded from it. */
    private static List<Step> ruleSteps(Plan plan, Step rule, ModelGraph model) {
        if (plan.layers().values().stream().allMatch(s -> s.off().isEmpty())) {
            return List.of(rule);
        }
        List<WeightLayer> chosen = rule.select().selector(plan.version()).select(model);
        Map<Setting, List<String>> excluded = new LinkedHashMap<>();
        for (Setting k : Setting.values()) {
            if (!has(rule, k)) {
                continue;
            }
            List<String> names = new ArrayList<>();
            for (WeightLayer l : chosen) {
                if (plan.layer(l.node()).isOff(k)) {
                    names.add(layerRegex(l.node()));
                }
            }
            if (!names.isEmpty()) {
                excluded.put(k, names);
            }
        }
        if (excluded.isEmpty()) {
            return List.of(rule);
        }
        List<Step> out = new ArrayList<>();
        var prune = excluded.containsKey(Setting.PRUNE) ? null : rule.prune();
        var lowrank = excluded.containsKey(Setting.LOWRANK) ? null : rule.lowrank();
        var quantize = excluded.containsKey(Setting.QUANTIZE) ? null : rule.quantize();
        if (prune != null || lowrank != null || quantize != null) {
            out.add(new Step(rule.select(), prune, lowrank, quantize, prune == null && lowrank == null ? null
                    : rule.reconstruct()));
        }
        for (var e : excluded.entrySet()) {
            List<String> exclude = new ArrayList<>(rule.select().exclude());
            exclude.addAll(e.getValue());
            Selection sel = new Selection(rule.select().ops(), rule.select().names(), exclude, rule.select().graphs());
            if (sel.selector(plan.version()).select(model).isEmpty()) {
                continue;
            }
            Setting k = e.getKey();
            out.add(new Step(sel, k == Setting.PRUNE ? rule.prune() : null, k == Setting.LOWRANK ? rule.lowrank() : null,
                    k == Setting.QUANTIZE ? rule.quantize() : null, k == Setting.QUANTIZE ? null : rule.reconstruct()));
        }
        return out;
    }

    static void requireLayers(Plan plan, ModelGraph model) {
        if (plan.layers().isEmpty()) {
            return;
        }
        Set<String> nodes = new HashSet<>();
        model.weightLayers().forEach(l -> nodes.add(l.node()));
        for (String node : plan.layers().keySet()) {
            if (!nodes.contains(node)) {
                throw new BadInputException("the plan tunes layer '" + node + "', which " + model.fileName() + " does not have.");
            }
        }
    }

    /**
     * A recipe as a plan on {@code model}: steps become rules, except the trailing steps that
     * each select one layer by name, in model order, which become that layer's tuned settings.
     */
    public static Plan fromRecipe(Recipe recipe, ModelGraph model) {
        List<Step> steps = recipe.steps();
        List<String> order = model.weightLayers().stream().map(WeightLayer::node).toList();
        int first = steps.size();
        int lastIndex = Integer.MAX_VALUE;
        Set<String> seen = new HashSet<>();
        for (int i = steps.size() - 1; i >= 0; i--) {
            String node = singleLayer(steps.get(i), model, recipe.whittle());
            int index = node == null ? -1 : order.indexOf(node);
            if (index < 0 || index >= lastIndex || !seen.add(node)) {
                break;
            }
            lastIndex = index;
            first = i;
        }
        Map<String, LayerSettings> layers = new LinkedHashMap<>();
        for (int i = first; i < steps.size(); i++) {
            Step s = steps.get(i);
            layers.put(singleLayer(s, model, recipe.whittle()), new LayerSettings(s.prune(), s.lowrank(),
                    s.quantize() == null ? null : s.quantize().spec(), Set.of(),
                    s.prune() == null && s.lowrank() == null ? null : s.reconstruct()));
        }
        return new Plan(steps.subList(0, first), layers, recipe.calibration(), recipe.whittle());
    }

    /** The node a step selects alone by its (escaped) name, or null. */
    private static String singleLayer(Step s, ModelGraph model, int version) {
        Selection sel = s.select();
        // A layer's tuned settings hold no smoothing (a step-level choice with activations) and
        // no reconstruct without pruning or low rank: such steps stay rules, so nothing is lost on the way back.
        if (!sel.ops().isEmpty() || !sel.exclude().isEmpty() || sel.names().size() != 1
                || (s.prune() != null && s.prune().isGlobal())
                || (s.quantize() != null && s.quantize().smooth() != null)
                || (s.prune() == null && s.lowrank() == null && s.reconstructs())) {
            return null;
        }
        List<WeightLayer> hit = sel.selector(version).select(model);
        if (hit.size() != 1) {
            return null;
        }
        String node = hit.get(0).node();
        String name = sel.names().get(0);
        return name.equals(node) || name.equals(layerRegex(node)) ? node : null;
    }

    /**
     * A layer name as a regex that fully matches exactly that name: regex metacharacters are
     * escaped with a backslash ({@code /encoder/layer.0/MatMul} becomes
     * {@code /encoder/layer\.0/MatMul}), which reads better in YAML than {@code \Q...\E}.
     */
    public static String layerRegex(String name) {
        StringBuilder b = new StringBuilder(name.length() + 8);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if ("\\.[]{}()<>*+-=!?^$|".indexOf(c) >= 0) {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }

    /** A quantization spec as the recipe block that reads back to it. */
    public static QuantizeSettings settings(QuantizeSpec q) {
        QuantizeSettings.Weights w = null;
        if (q.weights() != null) {
            WeightSpec ws = q.weights();
            Object range = ws.range() instanceof RangeSpec.Explicit e ? List.of(e.lo(), e.hi()) : ws.range().toString();
            w = new QuantizeSettings.Weights(ws.bits(), ws.symmetric(), ws.granularity().key(),
                    ws.granularity() == Granularity.BLOCK ? ws.block() : null, range,
                    ws.int8Layout() == null ? null : ws.int8Layout().key(), ws.gptq() ? "gptq" : null);
        }
        QuantizeSettings.Activations a = null;
        if (q.activations() != null) {
            ActivationSpec as = q.activations();
            Map<String, QuantizeSettings.Override> o = null;
            if (!as.overrides().isEmpty()) {
                o = new LinkedHashMap<>();
                for (var e : as.overrides().entrySet()) {
                    ActivationOverride v = e.getValue();
                    o.put(e.getKey(), new QuantizeSettings.Override(v.exclude() ? Boolean.TRUE : null,
                            v.lo() == null ? null : List.of(v.lo(), v.hi()), v.bits()));
                }
            }
            a = new QuantizeSettings.Activations(as.bits(), as.symmetric(), as.calibration().toString(), as.outputs(), o,
                    as.placement() == ActivationPlacement.LAYERS ? null : as.placementText());
        }
        boolean correct = q.weights() != null && q.weights().biasCorrection();
        return new QuantizeSettings(w, a, q.format() == null ? null : q.format().key(), correct ? Boolean.TRUE : null, null);
    }

    static boolean has(Step s, Setting k) {
        return switch (k) {
            case PRUNE -> s.prune() != null;
            case LOWRANK -> s.lowrank() != null;
            case QUANTIZE -> s.quantize() != null;
        };
    }
}
