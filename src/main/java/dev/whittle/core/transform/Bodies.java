package dev.whittle.core.transform;

import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.FoldedWeights;
import dev.whittle.core.onnx.GraphPaths;
import dev.whittle.core.onnx.OnnxModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the methods share to edit layers inside If/Loop/Scan bodies: the layers grouped by the
 * graph they live in (each group is edited by an editor of that graph, main graph last), and a
 * copy of the model made ready for that: body nodes carry the names the model view gives them
 * (so edits elsewhere do not rename them), and constants of enclosing graphs that only one body
 * reads (weights, biases) move into that body (so replacing them leaves no unused float copy
 * outside, and channel pruning can slice a bias with its weight).
 */
public final class Bodies {
    private Bodies() {
    }

    /**
     * The layers by graph path: bodies in model order, the main graph last. The main graph goes
     * last because the view names its unnamed nodes by position, which its own edits shift;
     * edits inside bodies leave the main graph's positions (and the body names fixed by
     * {@link #prepare}) as they are.
     */
    public static Map<String, List<WeightLayer>> byGraph(List<WeightLayer> layers) {
        Map<String, List<WeightLayer>> out = new LinkedHashMap<>();
        for (WeightLayer l : layers) {
            if (!l.graphPath().isEmpty()) {
                out.computeIfAbsent(l.graphPath(), k -> new ArrayList<>()).add(l);
            }
        }
        List<WeightLayer> main = layers.stream().filter(l -> l.graphPath().isEmpty()).toList();
        if (!main.isEmpty()) {
            out.put("", new ArrayList<>(main));
        }
        return out;
    }

    /** Whether any of the layers lives inside a body. */
    public static boolean any(List<WeightLayer> layers) {
        return layers.stream().anyMatch(l -> !l.graphPath().isEmpty());
    }

    /** The model ready to edit these layers in their bodies; the model itself when all are in the main graph. */
    public static OnnxModel prepare(OnnxModel model, List<WeightLayer> layers) {
        OnnxModel local = localize(model, layers);
        // weights computed by layout ops become constants of their graph (named as the view names them)
        return FoldedWeights.any(layers) ? FoldedWeights.materialize(local, relocate(local, layers)) : local;
    }

    private static OnnxModel localize(OnnxModel model, List<WeightLayer> layers) {
        if (!any(layers)) {
            return model;
        }
        // every constant of an enclosing graph that a node of these bodies reads (weights, biases,
        // shapes) is a candidate; GraphPaths moves those that no other graph reads
        java.util.Set<String> bodies = new java.util.LinkedHashSet<>();
        Map<String, String> targets = new LinkedHashMap<>();
        for (WeightLayer l : layers) {
            if (!l.graphPath().isEmpty()) {
                bodies.add(l.graphPath());
                targets.putIfAbsent(l.weight(), l.graphPath());
            }
        }
        model.graph().nodes().stream().filter(n -> bodies.contains(n.graphPath()))
                .forEach(n -> n.inputs().forEach(in -> targets.putIfAbsent(in, n.graphPath())));
        return GraphPaths.forBodyEdits(model, targets);
    }

    /** The same layers looked up (by node name) in a prepared model, in the same order. */
    public static List<WeightLayer> relocate(OnnxModel prepared, List<WeightLayer> layers) {
        Map<String, WeightLayer> byNode = new LinkedHashMap<>();
        prepared.graph().weightLayers().forEach(l -> byNode.putIfAbsent(l.node(), l));
        return layers.stream().map(l -> byNode.getOrDefault(l.node(), l)).toList();
    }
}
