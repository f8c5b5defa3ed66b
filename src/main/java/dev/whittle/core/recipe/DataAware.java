package dev.whittle.core.recipe;

import dev.whittle.core.analysis.CalibrationData;
import dev.whittle.core.analysis.LayerInputs;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.recipe.RecipePlan.Problem;
import dev.whittle.core.tensor.InputMoments;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleConsumer;

/**
 * The recipe's data-aware keys (docs/recipes.md): {@code prune.criterion: wanda},
 * {@code lowrank.whiten}, {@code reconstruct} and {@code quantize.weights.method: gptq}. They need {@code calibration}; here they are checked
 * for it and their statistics are collected on the model as it stands before the step.
 */
final class DataAware {
    private DataAware() {
    }

    /** The first step using a data-aware key when the recipe has no calibration data. */
    static Optional<Problem> calibrationProblem(Recipe recipe) {
        if (recipe.calibration() != null && recipe.calibration().data() != null) {
            return Optional.empty();
        }
        List<Step> steps = recipe.steps();
        for (int i = 0; i < steps.size(); i++) {
            String key = key(steps.get(i));
            if (key != null) {
                return Optional.of(new Problem(i + 1, key + " needs calibration data: add 'calibration: {data: FILE}' at the"
                        + " top of the recipe (relative to the recipe's folder)."));
            }
        }
        return Optional.empty();
    }

    /** Reconstruction follows pruning (unstructured and N:M with dense storage, or channels) or low rank. */
    static Optional<Problem> reconstructProblem(Recipe recipe) {
        List<Step> steps = recipe.steps();
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            if (s.reconstructDamp() == null) {
                continue;
            }
            if (s.prune() == null && s.lowrank() == null) {
                return Optional.of(new Problem(i + 1, "reconstruct refits what pruning or low rank leaves; this step has"
                        + " neither (for quantization use weights.method: gptq or biasCorrection)."));
            }
            if (s.prune() != null && s.prune().sparseStorage()) {
                return Optional.of(new Problem(i + 1, "reconstruct refits what pruning leaves with dense storage (unstructured,"
                        + " N:M or channels); this step has prune.storage sparse."));
            }
            if (s.reconstructAuto() && s.prune() != null && !s.prune().isChannel()) {
                return Optional.of(new Problem(i + 1, "reconstruct {damp: auto} chooses the damping by cross-validation after"
                        + " channel pruning or low rank only; give a number, such as {damp: 0.1}."));
            }
        }
        return Optional.empty();
    }

    private static String key(Step s) {
        if (s.reconstructDamp() != null) {
            return "reconstruct";
        }
        if (s.prune() != null && s.prune().dataAware()) {
            return "prune.criterion " + s.prune().criterion();
        }
        if (s.lowrank() != null && s.lowrank().whiten()) {
            return "lowrank.whiten";
        }
        if (s.quantize() != null && s.quantize().weights() != null && s.quantize().weights().gptq()) {
            return "quantize.weights.method gptq";
        }
        if (s.quantize() != null && s.quantize().correctsBias()) {
            return "quantize.biasCorrection";
        }
        if (s.quantize() != null && s.quantize().smooth() != null) {
            return "quantize.smooth";
        }
        return null;
    }

    /** Input norms ‖x_j‖₂ per node for Wanda, collected on {@code model}. */
    static Map<String, double[]> inputNorms(Recipe recipe, OnnxModel model, List<String> nodes, Path folder,
                                            DoubleConsumer progress, BooleanSupplier cancelled) {
        return each(moments(recipe, model, Set.copyOf(nodes), false, folder, progress, cancelled), InputMoments::norms);
    }

    /** XᵀX per node for GPTQ, collected on {@code model} (float, after pruning and factoring). */
    static Map<String, double[]> secondMoments(Recipe recipe, OnnxModel model, Set<String> nodes, Path folder,
                                               DoubleConsumer progress, BooleanSupplier cancelled) {
        return each(moments(recipe, model, nodes, true, folder, progress, cancelled), InputMoments::secondMoment);
    }

    /** The mean input per node for bias correction, collected on {@code model} (float, after pruning and factoring). */
    static Map<String, double[]> inputMeans(Recipe recipe, OnnxModel model, Set<String> nodes, Path folder,
                                            DoubleConsumer progress, BooleanSupplier cancelled) {
        return each(moments(recipe, model, nodes, false, folder, progress, cancelled), InputMoments::means);
    }

    /** The largest |x_j| of each node's input per feature, for SmoothQuant, collected on {@code model}. */
    static Map<String, double[]> inputMaxAbs(Recipe recipe, OnnxModel model, Set<String> nodes, Path folder,
                                             DoubleConsumer progress, BooleanSupplier cancelled) {
        return each(moments(recipe, model, nodes, false, folder, progress, cancelled), InputMoments::maxAbs);
    }

    /**
     * Channel pruning's activation criterion per layer: the mean of what the next layers see of
     * each output channel. A layer whose output goes through a Relu (directly, or after a
     * MaxPool, which commutes with it) passes on max(0, y), so negative outputs count for
     * nothing; otherwise the mean |y|.
     */
    static Map<String, double[]> channelActivity(OnnxModel model, Map<String, InputMoments> moments) {
        Map<String, double[]> out = new LinkedHashMap<>();
        moments.forEach((node, m) -> out.put(node, rectified(model, node) ? m.outputMeanRelu() : m.outputMeanAbs()));
        return out;
    }

    /**
     * Whether the main-graph node's first output (a MatMul's after its bias Add) is read only by a
     * Relu, or by a MaxPool read only by one.
     */
    static boolean rectified(OnnxModel model, String node) {
        WeightLayer layer = model.graph().layer(node).orElse(null);
        String path = layer == null ? "" : layer.graphPath(); // the graph the layer lives in
        List<dev.whittle.core.model.NodeInfo> nodes = model.graph().nodes().stream().filter(n -> n.graphPath().equals(path)).toList();
        String tensor = nodes.stream().filter(n -> n.name().equals(node)).map(n -> n.outputs().get(0)).findFirst().orElse(null);
        if (tensor != null && layer != null && layer.op().equals("MatMul")) {
            tensor = LayerInputs.biasAdded(model, path, tensor, layer.outputChannels()); // through its bias Add
        }
        for (int hop = 0; tensor != null && hop < 2; hop++) {
            String t = tensor;
            List<dev.whittle.core.model.NodeInfo> readers = nodes.stream().filter(n -> n.inputs().contains(t)).toList();
            if (readers.size() != 1 || model.graph().outputs().stream().anyMatch(v -> v.name().equals(t))) {
                return false;
            }
            String op = readers.get(0).opType();
            if (op.equals("Relu")) {
                return true;
            }
            tensor = op.equals("MaxPool") && hop == 0 ? readers.get(0).outputs().get(0) : null;
        }
        return false;
    }

    private static Map<String, double[]> each(Map<String, InputMoments> moments,
                                              java.util.function.Function<InputMoments, double[]> value) {
        Map<String, double[]> out = new LinkedHashMap<>();
        moments.forEach((k, v) -> {
            double[] x = value.apply(v);
            if (x != null) {
                out.put(k, x);
            }
        });
        return out;
    }

    static Map<String, InputMoments> moments(Recipe recipe, OnnxModel model, Set<String> nodes, boolean xtx,
                                                     Path folder, DoubleConsumer progress, BooleanSupplier cancelled) {
        List<WeightLayer> layers = new ArrayList<>();
        for (WeightLayer l : model.graph().weightLayers()) {
            if (nodes.contains(l.node()) && LayerInputs.supported(model, l)) {
                layers.add(l);
            }
        }
        if (layers.isEmpty()) {
            return Map.of();
        }
        CalibrationData data = CalibrationSource.load(recipe.calibration(), folder, model.graph());
        return LayerInputs.collect(model, layers, xtx, data, LayerInputs.DEFAULT_BUDGET, progress, cancelled);
    }
}
