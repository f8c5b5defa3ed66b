package dev.whittle.core.recipe;

import dev.whittle.core.BadInputException;
import dev.whittle.core.InternalException;
import dev.whittle.core.lowrank.LowRank;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.prune.Pruner;
import dev.whittle.core.analysis.CalibrationData;
import dev.whittle.core.analysis.CalibratedQuantizer;
import dev.whittle.core.quant.QuantResult;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.quant.QuantizeStep;
import dev.whittle.core.quant.Quantizer;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleConsumer;
import java.util.regex.Pattern;

/**
 * Applies a recipe to a model: the one place that does, for the CLI and the workbench alike.
 * The recipe is first planned against the model ({@link RecipePlan}); any problem is raised as
 * a {@code BadInputException} before anything is transformed. Then, per layer, the settings that
 * take effect run in the order prune, low-rank, quantize (a layer factored by low-rank is
 * quantized as its two factors; activations are calibrated on the pruned and factored model).
 * Nothing is written here: the caller saves the result. The same recipe and model give the same
 * output bytes.
 */
public final class RecipeRunner {
    private RecipeRunner() {
    }

    /**
     * How to run.
     *
     * @param folder    where relative paths in the recipe (calibration data) resolve: the recipe
     *                  file's folder, or null for the working directory
     * @param progress  receives the calibration's fraction done (0..1), or null
     * @param cancelled polled once per calibration batch, or null
     */
    public record Options(Path folder, DoubleConsumer progress, BooleanSupplier cancelled) {
        public static Options in(Path folder) {
            return new Options(folder, null, null);
        }
    }

    /** The final model, what was done, the plan it followed, and warnings (e.g. a different sha256). */
    public record Result(OnnxModel model, RecipeReport report, RecipePlan plan, List<String> warnings) {
        public Result {
            warnings = List.copyOf(warnings);
        }
    }

    public static Result run(Recipe recipe, OnnxModel model, Options options) {
        return run(recipe, model, options, null);
    }

    /** {@code where} names a step's place in its file ("r.yaml:3:5") in problems, or is null. */
    private static Result run(Recipe recipe, OnnxModel model, Options options, java.util.function.IntFunction<String> where) {
        RecipePlan plan = RecipePlan.of(recipe, model);
        plan.requireValid(where);
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
                TransformResult r = setting == Setting.PRUNE ? prune(recipe, current, nodes, steps.get(i), options, warnings)
                        : lowrank(recipe, current, nodes, steps.get(i), options, warnings);
                current = r.model();
                for (LayerReport l : r.report().layers()) {
                    entries.add(RecipeReport.Entry.of(i + 1, l));
                }
            }
        }
        List<dev.whittle.core.quant.ActivationReport> activations = List.of();
        if (!plan.quantize().isEmpty()) {
            QuantResult q = quantize(recipe, model, current, plan, options, entries, warnings);
            current = q.model();
            activations = q.report().activations();
            warnings.addAll(q.report().messages());
        }
        current = ModelStamp.stamp(current, recipe);
        long quantAfter = QuantData.elements(current.graph());
        RecipeReport report = new RecipeReport(entries, activations, model.graph().params() - QuantData.elements(model.graph()),
                current.graph().params() - quantAfter, model.graph().fileBytes(), current.graph().fileBytes(), quantAfter,
                factors(model, current));
        return new Result(current, report, plan, warnings);
    }

    /**
     * Low-rank factoring; {@code whiten} collects each layer's input statistics (XᵀX and means) on
     * the model as it stands before the step. With {@code reconstruct}, each factored layer's second
     * factor (and its bias) is then refit, in order, to the layer's output before the step.
     */
    private static TransformResult lowrank(Recipe recipe, OnnxModel current, List<String> nodes, Step step, Options options,
                                           List<String> warnings) {
        TransformResult r;
        if (!step.lowrank().whiten()) {
            r = LowRank.apply(current, byName(nodes), step.lowrank());
        } else {
            Map<String, dev.whittle.core.tensor.InputMoments> m = DataAware.moments(recipe, current, Set.copyOf(nodes), true,
                    options.folder(), options.progress(), options.cancelled());
            r = LowRank.applyMoments(current, byName(nodes), step.lowrank(), m);
        }
        if (step.reconstructDamp() == null) {
            return r;
        }
        Map<String, String> origin = new java.util.LinkedHashMap<>();
        for (String node : nodes) {
            String names = r.model().graph().metadata().get(LowRank.FACTORS_KEY + node);
            if (names != null && !names.equals(current.graph().metadata().get(LowRank.FACTORS_KEY + node))) {
                List<String> parts = names.lines().toList();
                origin.put(parts.get(parts.size() - 1), node);
            }
        }
        if (origin.isEmpty()) {
            return r;
        }
        // true cross-validates here even when the step's pruning (single weights) takes the default
        boolean auto = step.reconstructAuto() || Boolean.TRUE.equals(step.reconstruct());
        dev.whittle.core.analysis.CalibrationData data = CalibrationSource.load(recipe.calibration(), options.folder(),
                current.graph());
        dev.whittle.core.analysis.LayerRefit.Outcome o = dev.whittle.core.analysis.LayerRefit.apply(current, r.model(),
                List.copyOf(origin.keySet()), Map.of(), origin, data, auto ? null : step.reconstructDamp(), options.progress(),
                options.cancelled());
        warnings.addAll(o.notes());
        dampingNote(auto, o, warnings);
        return new TransformResult(o.model(), r.report());
    }

    /** Pruning, with input statistics collected on the model as it stands when the criterion needs them. */
    private static TransformResult prune(Recipe recipe, OnnxModel current, List<String> nodes, Step step, Options options,
                                         List<String> warnings) {
        dev.whittle.core.prune.PruneSpec spec = step.prune();
        Double damp = step.reconstructDamp();
        if (damp != null && spec.isChannel()) {
            return pruneChannelsAndRefit(recipe, current, nodes, spec, step.reconstructAuto() ? null : damp, options, warnings);
        }
        if (damp != null) {
            // One pass gives both: Wanda's norms are the square roots of XᵀX's diagonal.
            Map<String, dev.whittle.core.tensor.InputMoments> m = DataAware.moments(recipe, current, Set.copyOf(nodes), true,
                    options.folder(), options.progress(), options.cancelled());
            Map<String, double[]> norms = new HashMap<>();
            Map<String, double[]> xtx = new HashMap<>();
            m.forEach((k, v) -> {
                norms.put(k, v.norms());
                xtx.put(k, v.secondMoment()); // a grouped Conv: its per-group blocks
            });
            TransformResult r = Pruner.apply(current, byName(nodes), spec, spec.sparseGpt() ? xtx : spec.dataAware() ? norms
                    : Map.of());
            return new TransformResult(dev.whittle.core.prune.Reconstruction.apply(current, r.model(), xtx, damp), r.report());
        }
        if (!spec.dataAware()) {
            return Pruner.apply(current, byName(nodes), spec);
        }
        if (spec.isChannel()) {
            return Pruner.apply(current, byName(nodes), spec, activity(recipe, current, options));
        }
        if (spec.sparseGpt()) {
            return Pruner.apply(current, byName(nodes), spec, DataAware.secondMoments(recipe, current, Set.copyOf(nodes),
                    options.folder(), options.progress(), options.cancelled()));
        }
        return Pruner.apply(current, byName(nodes), spec, DataAware.inputNorms(recipe, current, nodes, options.folder(),
                options.progress(), options.cancelled()));
    }

    /** Activation criterion: every layer's output activity, since grouped channels are ranked together. */
    private static Map<String, double[]> activity(Recipe recipe, OnnxModel current, Options options) {
        List<String> all = current.graph().weightLayers().stream().map(WeightLayer::node).toList();
        return DataAware.channelActivity(current, DataAware.moments(recipe, current, Set.copyOf(all), false, options.folder(),
                options.progress(), options.cancelled()));
    }

    /**
     * Channel pruning with {@code reconstruct}: the selected layers and every layer whose weight
     * lost rows or columns (the readers of removed channels) are refit, in order, to the outputs
     * they had before this step ({@link dev.whittle.core.analysis.LayerRefit}).
     */
    private static TransformResult pruneChannelsAndRefit(Recipe recipe, OnnxModel current, List<String> nodes,
                                                         dev.whittle.core.prune.PruneSpec spec, Double damp, Options options,
                                                         List<String> warnings) {
        Map<String, double[]> activity = spec.dataAware() ? activity(recipe, current, options) : Map.of();
        Pruner.ChannelResult cut = Pruner.applyChannels(current, byName(nodes), spec, activity);
        OnnxModel pruned = cut.result().model();
        List<String> refit = new ArrayList<>();
        for (WeightLayer l : pruned.graph().weightLayers()) {
            WeightLayer before = current.graph().layer(l.node()).orElse(null);
            if (nodes.contains(l.node()) || before != null && !java.util.Arrays.equals(before.shape(), l.shape())) {
                refit.add(l.node());
            }
        }
        dev.whittle.core.analysis.CalibrationData data = CalibrationSource.load(recipe.calibration(), options.folder(),
                current.graph());
        dev.whittle.core.analysis.LayerRefit.Outcome o = dev.whittle.core.analysis.LayerRefit.apply(current, pruned, refit,
                cut.keptOutputs(), data, damp, options.progress(), options.cancelled());
        warnings.addAll(o.notes());
        dampingNote(damp == null, o, warnings);
        return new TransformResult(o.model(), cut.result().report());
    }

    private static void dampingNote(boolean chosen, dev.whittle.core.analysis.LayerRefit.Outcome o, List<String> warnings) {
        if (chosen && !o.damping().isEmpty()) {
            StringBuilder b = new StringBuilder("reconstruct: damping chosen per layer by two-fold cross-validation on the"
                    + " calibration samples:");
            o.damping().forEach((k, v) -> b.append(' ').append(k).append(' ').append(v).append(','));
            warnings.add(b.substring(0, b.length() - 1));
        }
    }

    /**
     * SmoothQuant before calibration: the layers whose effective quantize step (the last that sets
     * activations) gives {@code smooth} have their inputs divided and weights multiplied by s_j.
     */
    private static OnnxModel smooth(Recipe recipe, OnnxModel current, RecipePlan plan, Map<String, String> originOf,
                                    Options options, List<String> warnings) {
        Map<String, Double> alphaOf = new HashMap<>();
        Set<String> decided = new HashSet<>();
        List<RecipePlan.StepPlan> steps = plan.steps();
        for (int i = steps.size() - 1; i >= 0; i--) {
            QuantizeSettings q = steps.get(i).step().quantize();
            if (q == null || q.activations() == null) {
                continue;
            }
            for (String node : steps.get(i).selected()) {
                if (decided.add(node) && q.smooth() != null) {
                    alphaOf.put(node, q.smooth());
                }
            }
        }
        Map<String, Double> alpha = new HashMap<>();
        originOf.forEach((node, origin) -> {
            if (alphaOf.containsKey(origin)) {
                alpha.put(node, alphaOf.get(origin));
            }
        });
        if (alpha.isEmpty()) {
            return current;
        }
        Map<String, double[]> maxAbs = DataAware.inputMaxAbs(recipe, current, alpha.keySet(), options.folder(),
                options.progress(), options.cancelled());
        List<String> notes = new ArrayList<>();
        alpha.keySet().stream().filter(n -> !maxAbs.containsKey(n)).sorted().forEach(n -> notes.add("Layer '" + n
                + "' was not smoothed: its input statistics are not collected (MatMul, Gemm and Conv layers the calibration data reaches)."));
        OnnxModel out = dev.whittle.core.quant.Smoothing.apply(current, maxAbs, alpha, notes);
        warnings.addAll(notes);
        return out;
    }

    /**
     * The original nodes whose effective weights setting (the last step that sets weights) says
     * method gptq, or whose step asks for bias correction: whichever the predicates test.
     */
    private static java.util.Set<String> weightNodes(RecipePlan plan, java.util.function.Predicate<QuantizeSettings.Weights> weights,
                                                     java.util.function.Predicate<QuantizeSettings> block) {
        java.util.Set<String> out = new HashSet<>();
        Set<String> decided = new HashSet<>();
        List<RecipePlan.StepPlan> steps = plan.steps();
        for (int i = steps.size() - 1; i >= 0; i--) {
            QuantizeSettings q = steps.get(i).step().quantize();
            if (q == null || q.weights() == null) {
                continue;
            }
            for (String node : steps.get(i).selected()) {
                if (decided.add(node) && (weights.test(q.weights()) || block.test(q))) {
                    out.add(node);
                }
            }
        }
        return out;
    }

    /**
     * Runs a recipe read from a file, resolving its relative paths against the file's folder;
     * files it names that do not exist are refused first.
     */
    public static Result run(RecipeFile recipe, OnnxModel model) {
        List<String> missing = recipe.fileProblems();
        if (!missing.isEmpty()) {
            throw new BadInputException(recipe.path().getFileName() + ": " + missing.get(0));
        }
        return run(recipe.recipe(), model, Options.in(recipe.folder()), recipe::where);
    }

    public static Result run(Recipe recipe, OnnxModel model, Path folder) {
        return run(recipe, model, Options.in(folder));
    }

    public static Result run(Recipe recipe, OnnxModel model) {
        return run(recipe, model, Options.in(null));
    }

    /**
     * Quantizes {@code current} as the plan says. Each original layer's merged spec goes to the
     * node of the same name and, when low-rank factored it, to its first factor too.
     */
    private static QuantResult quantize(Recipe recipe, OnnxModel original, OnnxModel current, RecipePlan plan,
                                        Options options, List<RecipeReport.Entry> entries, List<String> warnings) {
        Map<String, List<String>> factors = factors(original, current);
        Map<String, String> originOf = new HashMap<>();
        Map<QuantizeSpec, List<String>> groups = new LinkedHashMap<>();
        boolean activations = false;
        for (var e : plan.quantize().entrySet()) {
            String node = e.getKey();
            for (WeightLayer l : current.graph().weightLayers()) {
                boolean factor = factors.getOrDefault(node, List.of()).contains(l.node());
                if (l.node().equals(node) || factor) {
                    originOf.put(l.node(), node);
                    groups.computeIfAbsent(e.getValue(), k -> new ArrayList<>()).add(l.node());
                }
            }
            activations |= e.getValue().activations() != null;
        }
        List<QuantizeStep> qsteps = new ArrayList<>();
        groups.forEach((spec, nodes) -> qsteps.add(new QuantizeStep(byName(nodes), spec)));
        current = smooth(recipe, current, plan, originOf, options, warnings);
        CalibrationData data = activations ? CalibrationSource.load(recipe.calibration(), options.folder(), current.graph())
                : null;
        Set<String> gptqOrigins = weightNodes(plan, QuantizeSettings.Weights::gptq, q -> false);
        Set<String> biasOrigins = weightNodes(plan, w -> false, QuantizeSettings::correctsBias);
        Set<String> gptq = new HashSet<>();
        Set<String> bias = new HashSet<>();
        originOf.forEach((node, origin) -> {
            if (gptqOrigins.contains(origin)) {
                gptq.add(node);
            }
            if (biasOrigins.contains(origin)) {
                bias.add(node);
            }
        });
        Map<String, double[]> xtx = gptq.isEmpty() ? Map.of() : DataAware.secondMoments(recipe, current, gptq,
                options.folder(), options.progress(), options.cancelled());
        gptq.stream().filter(n -> !xtx.containsKey(n)).sorted().forEach(n -> warnings.add("Layer '" + n + "': GPTQ needs"
                + " the XᵀX of its input, collected for MatMul, Gemm and 1-D or 2-D Conv layers that the calibration data reaches;"
                + " it was rounded to nearest."));
        Map<String, double[]> means = new HashMap<>(bias.isEmpty() ? Map.of() : DataAware.inputMeans(recipe, current, bias,
                options.folder(), options.progress(), options.cancelled()));
        bias.forEach(node -> means.putIfAbsent(node, new double[0])); // asked for, but no input statistics: said so
        QuantResult q = CalibratedQuantizer.apply(current, qsteps, data, null, xtx, means, options.progress(),
                options.cancelled());
        if (q.report().alreadyQuantized()) {
            throw new BadInputException(String.join(" ", q.report().messages()) + " Every layer the recipe's quantize steps"
                    + " select is already quantized; nothing was written.");
        }
        Map<String, Integer> stepOf = plan.effective(Setting.QUANTIZE);
        Map<String, Long> params = new HashMap<>();
        current.graph().weightLayers().forEach(l -> params.put(l.node(), l.params()));
        for (dev.whittle.core.quant.LayerReport l : q.report().layers()) {
            String origin = originOf.getOrDefault(l.node(), l.node());
            entries.add(RecipeReport.Entry.of(stepOf.getOrDefault(origin, 0) + 1, l, params.getOrDefault(l.node(), 0L)));
        }
        return q;
    }

    /** The layers this run factored (metadata keys new in {@code current}), to their two factors. */
    private static Map<String, List<String>> factors(OnnxModel original, OnnxModel current) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        current.graph().metadata().forEach((k, v) -> {
            if (k.startsWith(LowRank.FACTORS_KEY) && !v.equals(original.graph().metadata().get(k))) {
                out.put(k.substring(LowRank.FACTORS_KEY.length()), v.lines().toList());
            }
        });
        return out;
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
        return dev.whittle.core.io.Hashes.sha256(file);
    }
}
