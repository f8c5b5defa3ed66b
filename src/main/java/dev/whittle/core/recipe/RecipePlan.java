package dev.whittle.core.recipe;

import dev.whittle.core.BadInputException;
import dev.whittle.core.lowrank.LowRank;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.prune.PruneSpec;
import dev.whittle.core.prune.Pruner;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.quant.Quantizer;
import dev.whittle.core.select.LayerSelector;
import dev.whittle.core.transform.LayerCheck;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a recipe will do to a model, worked out before anything is transformed: which layers
 * each step selects, which of its settings take effect on each (a later step's setting of the
 * same kind replaces an earlier one for that layer), which layers will be left alone and why,
 * and the problems that make the recipe impossible on this model (a selector that matches
 * nothing, 2:4 on an input dimension that 4 does not divide, low-rank of an already quantized
 * weight, a rank above min(m, n), ...). {@code whittle validate} prints it; the runner refuses a
 * plan with problems before it transforms anything.
 *
 * <p>Checks use the model as given: when channel pruning shrinks a layer's input, a later
 * setting on that layer is checked again when it is applied (still before anything is written).
 */
public final class RecipePlan {
    /** The kinds of setting a step can carry, in the order they apply to a layer. */
    public enum Setting {
        PRUNE, LOWRANK, QUANTIZE;

        public String key() {
            return name().toLowerCase();
        }
    }

    /**
     * One selected layer under one setting of one step.
     *
     * @param overriddenBy the later step (1-based) whose setting of the same kind replaces this
     *                     one on this layer, or null when this one takes effect
     * @param skip         why the transform will leave the layer alone, or null
     */
    public record Touch(String node, String op, String weight, Setting setting, Integer overriddenBy, String skip) {
        public boolean effective() {
            return overriddenBy == null;
        }
    }

    /**
     * A step (number is 1-based), the layers it selects, and what each of its settings does to
     * them. {@code version1LeftOut}: in a version-1 recipe, the layers this step's select would
     * also take under version 2 (Gather tables reached by a select without ops); empty otherwise.
     */
    public record StepPlan(int number, Step step, List<String> selected, List<Touch> touches, List<String> version1LeftOut) {
        public StepPlan {
            selected = List.copyOf(selected);
            touches = List.copyOf(touches);
            version1LeftOut = List.copyOf(version1LeftOut);
        }
    }

    /** Something that makes the recipe impossible on this model, found at step {@code step} (1-based). */
    public record Problem(int step, String message) {
        public String text() {
            return "steps[" + step + "]: " + message;
        }
    }

    private final List<StepPlan> steps;
    private final List<Problem> problems;
    private final List<String> warnings;
    private final Map<Setting, Map<String, Integer>> effective;
    private final Map<String, QuantizeSpec> quantize;

    private RecipePlan(List<StepPlan> steps, List<Problem> problems, List<String> warnings,
                       Map<Setting, Map<String, Integer>> effective, Map<String, QuantizeSpec> quantize) {
        this.steps = List.copyOf(steps);
        this.problems = List.copyOf(problems);
        this.warnings = List.copyOf(warnings);
        this.effective = effective;
        this.quantize = quantize;
    }

    public List<StepPlan> steps() {
        return steps;
    }

    public List<Problem> problems() {
        return problems;
    }

    public List<String> warnings() {
        return warnings;
    }

    /** Throws the first problem (and how many more there are) as a {@link BadInputException}. */
    public void requireValid() {
        requireValid(null);
    }

    /**
     * As {@link #requireValid()}, the problem prefixed by {@code where.apply(step)} ("r.yaml:3:5")
     * when {@code where} is not null, as {@code validate} prints it.
     */
    public void requireValid(java.util.function.IntFunction<String> where) {
        if (!problems.isEmpty()) {
            String at = where == null ? "" : where.apply(problems.get(0).step()) + ": ";
            String more = problems.size() == 1 ? "" : " (and " + (problems.size() - 1) + " more problem"
                    + (problems.size() == 2 ? "" : "s") + "; whittle validate lists them all)";
            String text = problems.get(0).text();
            if (text.endsWith(".")) {
                text = text.substring(0, text.length() - 1);
            }
            // A hint ends in "?" ("did you mean 'fc1'?"): a new sentence reads better than "?;".
            throw new BadInputException(at + text + more + (text.endsWith("?") && more.isEmpty() ? " Nothing was written."
                    : "; nothing was written."));
        }
    }

    /**
     * Node name to the 0-based index of the step whose setting of this kind takes effect there, in
     * model order. For quantize: the last step that sets {@code weights} there, or else the last
     * step that quantizes it at all.
     */
    Map<String, Integer> effective(Setting s) {
        return effective.get(s);
    }

    /**
     * Node name to the quantization it gets: the quantize blocks of every step that selects it,
     * merged in step order (a later step's weights, activations or format replaces the earlier
     * one), in model order.
     */
    public Map<String, QuantizeSpec> quantize() {
        return quantize;
    }

    public static RecipePlan of(Recipe recipe, OnnxModel model) {
        List<Step> all = recipe.steps();
        List<WeightLayer> layers = model.graph().weightLayers();
        List<List<WeightLayer>> chosen = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            List<WeightLayer> c = all.get(i).select().selector(recipe.whittle()).select(model.graph());
            chosen.add(c);
            if (c.isEmpty()) {
                List<String> beyond = all.get(i).select().selector(2).select(model.graph()).stream().map(WeightLayer::node).toList();
                String hint = beyond.isEmpty() ? "" : " A whittle: 1 select without ops does not reach "
                        + String.join(", ", LayerSelector.BEYOND_VERSION_1) + " layers ('" + String.join("', '", beyond)
                        + "'): add ops: [" + String.join(", ", LayerSelector.BEYOND_VERSION_1) + "] or write whittle: 2.";
                problems.add(new Problem(i + 1, NoMatch.explain(all.get(i).select(), model.graph()) + hint));
            }
        }
        Map<Setting, Map<String, Integer>> effective = new LinkedHashMap<>();
        for (Setting s : List.of(Setting.PRUNE, Setting.LOWRANK)) {
            Map<String, Integer> last = new LinkedHashMap<>();
            for (WeightLayer l : layers) {
                for (int i = 0; i < all.size(); i++) {
                    if (has(all.get(i), s) && chosen.get(i).contains(l)) {
                        last.put(l.node(), i);
                    }
                }
            }
            effective.put(s, last);
        }
        QuantizeMerge q = QuantizeMerge.of(all, chosen, layers);
        effective.put(Setting.QUANTIZE, q.weightsStep());
        List<String> warnings = new ArrayList<>();
        checkSha(recipe, model, warnings);
        Map<String, LayerCheck> checks = new LinkedHashMap<>();
        for (WeightLayer l : layers) {
            Integer p = effective.get(Setting.PRUNE).get(l.node());
            Integer r = effective.get(Setting.LOWRANK).get(l.node());
            if (p != null) {
                PruneSpec spec = all.get(p).prune();
                LayerCheck c = Pruner.check(l, spec);
                checks.put(key(l, Setting.PRUNE), c);
                if (c.isError()) {
                    problems.add(new Problem(p + 1, "prune" + (spec.isNofM() ? ".structure " + spec.structure() : "")
                            + " cannot apply to layer '" + l.node() + "': " + c.error() + "."));
                }
            }
            if (r != null) {
                LayerCheck c = LowRank.check(model, l, all.get(r).lowrank());
                checks.put(key(l, Setting.LOWRANK), c);
                if (c.isError()) {
                    problems.add(new Problem(r + 1, "lowrank cannot apply to layer '" + l.node() + "': " + c.error() + "."));
                }
            }
            if (p != null && r != null) {
                combination(all.get(p).prune(), p, r, l, problems, warnings);
            }
            QuantizeSpec qs = q.merged().get(l.node());
            if (qs != null) {
                int last = q.lastStep().get(l.node());
                LayerCheck c = Quantizer.check(l, qs);
                checks.put(key(l, Setting.QUANTIZE), c);
                if (c.isError()) {
                    problems.add(new Problem(last + 1, "quantize cannot apply to layer '" + l.node() + "': " + c.error() + "."));
                }
                if (p != null && all.get(p).prune().sparseStorage()) {
                    problems.add(new Problem(last + 1, "quantize cannot apply to layer '" + l.node() + "': step " + (p + 1)
                            + " stores its pruned weight as a sparse tensor, which quantization does not read; use"
                            + " prune.storage dense."));
                }
            }
        }
        q.calibrationProblem(recipe).ifPresent(problems::add);
        if (q.calibrationProblem(recipe).isEmpty()) {
            DataAware.calibrationProblem(recipe).ifPresent(problems::add);
        }
        DataAware.reconstructProblem(recipe).ifPresent(problems::add);
        problems.sort(java.util.Comparator.comparingInt(Problem::step));
        List<StepPlan> plans = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            List<Touch> touches = new ArrayList<>();
            for (Setting s : Setting.values()) {
                if (!has(all.get(i), s)) {
                    continue;
                }
                for (WeightLayer l : chosen.get(i)) {
                    Integer by = s == Setting.QUANTIZE ? q.overriddenBy(i, l.node())
                            : effective.get(s).get(l.node()) == i ? null : effective.get(s).get(l.node()) + 1;
                    LayerCheck c = checks.get(key(l, s));
                    touches.add(new Touch(l.node(), l.op(), l.weight(), s, by, by == null && c != null ? c.skip() : null));
                }
            }
            List<WeightLayer> chosenHere = chosen.get(i);
            List<String> leftOut = recipe.whittle() >= 2 ? List.of() : all.get(i).select().selector(2).select(model.graph())
                    .stream().filter(l -> !chosenHere.contains(l)).map(WeightLayer::node).toList();
            plans.add(new StepPlan(i + 1, all.get(i), chosen.get(i).stream().map(WeightLayer::node).toList(), touches,
                    leftOut));
        }
        return new RecipePlan(plans, problems, warnings, effective, java.util.Collections.unmodifiableMap(q.merged()));
    }

    /** Pruning followed by low-rank on one layer: sparse storage cannot be factored; the zeros do not survive. */
    private static void combination(PruneSpec prune, int p, int r, WeightLayer l, List<Problem> problems, List<String> warnings) {
        if (prune.sparseStorage()) {
            problems.add(new Problem(r + 1, "lowrank cannot apply to layer '" + l.node() + "': step " + (p + 1)
                    + " stores its pruned weight as a sparse tensor, which low-rank does not read; use prune.storage dense."));
        } else if (!prune.isChannel()) {
            warnings.add("layer '" + l.node() + "' is pruned (step " + (p + 1) + ") and then factored (step " + (r + 1)
                    + "): the factors are dense, so the pruned zeros do not survive.");
        }
    }

    private static void checkSha(Recipe recipe, OnnxModel model, List<String> warnings) {
        if (recipe.model() == null || recipe.model().sha256() == null || model.source() == null) {
            return;
        }
        String actual = RecipeRunner.sha256(model.source());
        if (!actual.equalsIgnoreCase(recipe.model().sha256().trim())) {
            warnings.add("the recipe was tuned on a model with sha256 " + recipe.model().sha256().trim() + ", but "
                    + model.graph().fileName() + " has " + actual + ".");
        }
    }

    static boolean has(Step s, Setting setting) {
        return switch (setting) {
            case PRUNE -> s.prune() != null;
            case LOWRANK -> s.lowrank() != null;
            case QUANTIZE -> s.quantize() != null;
        };
    }

    private static String key(WeightLayer l, Setting s) {
        return s + "\u0000" + l.node();
    }
}
