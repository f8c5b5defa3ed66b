package dev.whittle.core.plan;

import dev.whittle.core.BadInputException;
import dev.whittle.core.recipe.Calibration;
import dev.whittle.core.recipe.Step;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * What the user wants done to a model: the workbench's single source of truth, shared with
 * recipes and the CLI. Immutable: every "with" method returns a new plan, so an undo history is
 * a list of plans.
 *
 * <p>A plan has two parts, applied as a recipe applies its steps:
 * <ul>
 *   <li>{@code rules}: settings over a group of layers, in order (a later rule's setting of the
 *       same kind wins on a layer). They carry what belongs to a group: global pruning scope,
 *       energy or parameter targets over many layers, activation quantization and the output
 *       format, defaults for every layer. A rule is a recipe {@link Step}, kept exactly as
 *       read.</li>
 *   <li>{@code layers}: hand-tuned settings per layer (node name to {@link LayerSettings}),
 *       applied after every rule. Exported as one recipe step per layer selecting that layer
 *       alone.</li>
 * </ul>
 * What a layer finally gets, and the problems a plan has on a model, come from
 * {@link ResolvedPlan#of}; conversion to and from recipes from {@link PlanRecipes}.
 *
 * @param rules       group settings in order (recipe steps)
 * @param layers      node name to hand-tuned settings; never holds {@link LayerSettings#INHERIT}
 * @param calibration the data activation quantization calibrates on, or null
 */
public record Plan(List<Step> rules, Map<String, LayerSettings> layers, Calibration calibration) {
    public Plan {
        rules = rules == null ? List.of() : List.copyOf(rules);
        Map<String, LayerSettings> m = new LinkedHashMap<>();
        if (layers != null) {
            layers.forEach((k, v) -> {
                if (k == null || k.isEmpty() || v == null) {
                    throw new BadInputException("a plan's per-layer settings need a layer name and settings, got " + k + ".");
                }
                if (!v.inherits()) {
                    m.put(k, v);
                }
            });
        }
        layers = Collections.unmodifiableMap(m);
    }

    /** A plan that does nothing. */
    public static Plan empty() {
        return new Plan(List.of(), Map.of(), null);
    }

    /** Whether the plan does nothing (no rule and no tuned layer). */
    public boolean isEmpty() {
        return rules.isEmpty() && layers.isEmpty();
    }

    /** The hand-tuned settings of {@code node}, {@link LayerSettings#INHERIT} when none. */
    public LayerSettings layer(String node) {
        return layers.getOrDefault(node, LayerSettings.INHERIT);
    }

    /** This plan with {@code node}'s hand-tuned settings replaced ({@link LayerSettings#INHERIT} resets it). */
    public Plan withLayer(String node, LayerSettings s) {
        Map<String, LayerSettings> m = new LinkedHashMap<>(layers);
        if (s == null || s.inherits()) {
            m.remove(node);
        } else {
            m.put(node, s);
        }
        return new Plan(rules, m, calibration);
    }

    /** One edit over many layers ("apply to selected"): {@code edit} maps each layer's current settings. */
    public Plan withLayers(Collection<String> nodes, UnaryOperator<LayerSettings> edit) {
        Map<String, LayerSettings> m = new LinkedHashMap<>(layers);
        for (String n : nodes) {
            LayerSettings s = edit.apply(m.getOrDefault(n, LayerSettings.INHERIT));
            if (s == null || s.inherits()) {
                m.remove(n);
            } else {
                m.put(n, s);
            }
        }
        return new Plan(rules, m, calibration);
    }

    /** Resets the layer to what the rules give it. */
    public Plan resetLayer(String node) {
        return withLayer(node, LayerSettings.INHERIT);
    }

    public Plan withRules(List<Step> r) {
        return new Plan(r, layers, calibration);
    }

    /** Adds a rule after the others (it wins over them where it applies). */
    public Plan addRule(Step rule) {
        List<Step> r = new ArrayList<>(rules);
        r.add(rule);
        return new Plan(r, layers, calibration);
    }

    /** Replaces rule {@code index} (0-based). */
    public Plan withRule(int index, Step rule) {
        List<Step> r = new ArrayList<>(rules);
        r.set(checkIndex(index), rule);
        return new Plan(r, layers, calibration);
    }

    /** Removes rule {@code index} (0-based). */
    public Plan removeRule(int index) {
        List<Step> r = new ArrayList<>(rules);
        r.remove(checkIndex(index));
        return new Plan(r, layers, calibration);
    }

    public Plan withCalibration(Calibration c) {
        return new Plan(rules, layers, c);
    }

    private int checkIndex(int index) {
        if (index < 0 || index >= rules.size()) {
            throw new BadInputException("rule " + index + " does not exist (the plan has " + rules.size() + " rules).");
        }
        return index;
    }
}
