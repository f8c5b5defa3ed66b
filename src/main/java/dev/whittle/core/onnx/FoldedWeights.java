package dev.whittle.core.onnx;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.whittle.core.model.Storage;
import dev.whittle.core.model.TensorData;
import dev.whittle.core.model.WeightLayer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * Turns weights that the graph computes from constants ({@link Storage#COMPUTED}, found by
 * {@link ConstantFold}) into constants before a method edits them: the node that produced the
 * value goes, the layout ops and constants that only fed it go, and the node reads an
 * initializer holding the folded values. Layers whose folded values are identical (Silero VAD
 * v5 computes the same W in both branches of an If) share one initializer, placed in the
 * innermost graph that encloses them all, so a method writes one compressed copy where it can.
 * The function is unchanged.
 */
public final class FoldedWeights {
    private FoldedWeights() {
    }

    /** Whether any of the layers reads a computed weight. */
    public static boolean any(Collection<WeightLayer> layers) {
        return layers.stream().anyMatch(l -> l.storage() == Storage.COMPUTED);
    }

    /** One folded value: the layers' (graph, value name) pairs that compute it, and its values. */
    private record Group(TensorData tensor, float[] values, List<WeightLayer> layers) {
    }

    /**
     * The model with the computed weights of {@code layers} folded into constants; the model
     * itself when there are none. Nodes keep the names the model view gave them (unnamed nodes
     * are named by position, which removing nodes would shift).
     */
    public static OnnxModel materialize(OnnxModel model, Collection<WeightLayer> layers) {
        List<Group> groups = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (WeightLayer l : layers) {
            if (l.storage() != Storage.COMPUTED || l.tensor() == null || !seen.add(l.graphPath() + "\n" + l.weight())) {
                continue;
            }
            float[] v = l.tensor().toFloatArray();
            Group same = groups.stream().filter(g -> Arrays.equals(g.tensor.dims(), l.tensor().dims())
                    && Arrays.equals(g.values, v)).findFirst().orElse(null);
            if (same == null) {
                groups.add(new Group(l.tensor(), v, new ArrayList<>(List.of(l))));
            } else {
                same.layers.add(l);
            }
        }
        if (groups.isEmpty()) {
            return model;
        }
        OnnxModel named = OnnxReader.fromProto(GraphPaths.nameNodes(model, true), model.source());
        Set<String> graphs = GraphPaths.all(named).keySet();
        // per graph: computed value -> the name it is read under from now on; initializers to add
        Map<String, Map<String, String>> replace = new HashMap<>();
        Map<String, List<TensorProto>> add = new HashMap<>();
        for (Group g : groups) {
            String shared = g.layers.get(0).weight();
            String home = null;
            for (WeightLayer l : g.layers) {
                home = home == null ? l.graphPath() : common(home, l.graphPath(), graphs);
                replace.computeIfAbsent(l.graphPath(), k -> new LinkedHashMap<>()).put(l.weight(), shared);
            }
            add.computeIfAbsent(home, k -> new ArrayList<>()).add(TensorProtos.floats(shared, g.tensor.dims(), g.values));
        }
        Set<String> outer = new HashSet<>();
        BiFunction<String, GraphProto, GraphProto> fold = (path, g) -> {
            Map<String, String> names = replace.getOrDefault(path, Map.of());
            List<TensorProto> inits = add.getOrDefault(path, List.of());
            if (names.isEmpty() && inits.isEmpty()) {
                return g;
            }
            GraphProto.Builder b = g.toBuilder();
            Set<String> candidates = new HashSet<>();
            for (int i = b.getNodeCount() - 1; i >= 0; i--) {
                NodeProto n = b.getNode(i);
                if (n.getOutputCount() == 1 && names.containsKey(n.getOutput(0))) {
                    candidates.addAll(n.getInputList());
                    b.removeNode(i);
                }
            }
            for (int i = 0; i < b.getNodeCount(); i++) {
                NodeProto n = b.getNode(i);
                for (int k = 0; k < n.getInputCount(); k++) {
                    String to = names.get(n.getInput(k));
                    if (to != null && !to.equals(n.getInput(k))) {
                        b.setNode(i, b.getNode(i).toBuilder().setInput(k, to));
                    }
                }
            }
            inits.forEach(b::addInitializer);
            // constants of enclosing graphs that fed only these chains go in a second pass
            outer.addAll(DeadWeights.drop(b, candidates));
            return b.build();
        };
        OnnxModel folded = OnnxReader.fromProto(everyGraph(named, fold), model.source());
        OnnxModel out = OnnxReader.fromProto(everyGraph(folded, (path, g) -> {
            GraphProto.Builder b = g.toBuilder();
            DeadWeights.drop(b, outer);
            return b.build();
        }), model.source());
        java.lang.ref.Reference.reachabilityFence(model); // its spills, until the new model holds them
        return out;
    }

    /** Rewrites the bodies bottom-up, then the main graph. */
    private static ModelProto everyGraph(OnnxModel m, BiFunction<String, GraphProto, GraphProto> f) {
        ModelProto p = GraphPaths.rebuild(m, f);
        return p.toBuilder().setGraph(f.apply("", p.getGraph())).build();
    }

    /** The innermost graph enclosing both paths. */
    private static String common(String a, String b, Set<String> graphs) {
        for (String p = a; p != null; p = GraphPaths.parent(p, graphs)) {
            if (GraphPaths.within(b, p)) {
                return p;
            }
        }
        return "";
    }
}
