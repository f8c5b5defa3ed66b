package dev.whittle.core.prune;

import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.GraphEditor;
import dev.whittle.core.onnx.OnnxModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What removing output channels of one layer touches, from the graph analysis channel pruning
 * runs ({@code ChannelAnalysis}, the same code): the weight layers whose inputs shrink with them,
 * and why the channels cannot be removed, if they cannot (a graph output, an op the analysis
 * cannot follow).
 *
 * @param node      the layer
 * @param channels  its output channels
 * @param shrinking node names of weight layers whose input loses the removed channels, in model order
 * @param blocked   why none can be removed, or null
 */
public record ChannelImpact(String node, long channels, List<String> shrinking, String blocked) {
    public ChannelImpact {
        shrinking = List.copyOf(shrinking);
    }

    /** Walks the graph from {@code node}'s outputs (no pass over weights). */
    public static ChannelImpact of(OnnxModel model, String node) {
        return of(model, Set.of(node)).get(node);
    }

    /**
     * The impact of pruning channels of every layer in {@code nodes} together (one walk), by node.
     * Layers that channel pruning does not support are reported blocked.
     */
    public static Map<String, ChannelImpact> of(OnnxModel model, Set<String> nodes) {
        GraphEditor ed = GraphEditor.of(model);
        Map<String, WeightLayer> layers = new LinkedHashMap<>();
        model.graph().weightLayers().stream().filter(l -> l.graphPath().isEmpty()).forEach(l -> layers.put(l.node(), l));
        Set<String> eligible = new LinkedHashSet<>();
        for (String n : nodes) {
            WeightLayer l = layers.get(n);
            if (l != null && !l.quantized() && Set.of("Conv", "Gemm", "MatMul").contains(l.op())) {
                eligible.add(n);
            }
        }
        ChannelAnalysis a = new ChannelAnalysis(ed, layers, eligible).run();
        Map<String, String> weightOwner = new LinkedHashMap<>();
        layers.values().forEach(l -> weightOwner.putIfAbsent(l.weight(), l.node()));
        Map<String, ChannelImpact> out = new LinkedHashMap<>();
        for (String n : nodes) {
            WeightLayer l = layers.get(n);
            long channels = l == null ? 0 : l.outputChannels();
            if (!eligible.contains(n)) {
                out.put(n, new ChannelImpact(n, channels, List.of(), l == null ? "it is not a weight layer of the main graph"
                        : l.quantized() ? "its weight is already quantized" : l.op() + " layers have no output channels to remove"));
                continue;
            }
            Set<Integer> roots = new LinkedHashSet<>();
            String blocked = null;
            for (ChannelAnalysis.Space s : a.spaces) {
                if (s.layer.node().equals(n)) {
                    int r = a.root(s.id);
                    roots.add(r);
                    blocked = blocked != null ? blocked : a.spaces.get(r).blocked;
                }
            }
            if (roots.isEmpty()) {
                blocked = "the analysis found no output channels to follow";
            }
            Set<String> hit = new LinkedHashSet<>();
            for (ChannelAnalysis.Slice s : a.slices) {
                boolean mine = s.layout().segs().stream().anyMatch(g -> g.space() >= 0 && roots.contains(a.root(g.space())));
                String owner = weightOwner.get(s.constant());
                if (mine && owner != null && !owner.equals(n)) {
                    hit.add(owner);
                }
            }
            List<String> ordered = new ArrayList<>();
            layers.keySet().forEach(k -> {
                if (hit.contains(k)) {
                    ordered.add(k);
                }
            });
            out.put(n, new ChannelImpact(n, channels, blocked == null ? ordered : List.of(), blocked));
        }
        return out;
    }
}
