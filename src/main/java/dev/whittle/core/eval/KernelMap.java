package dev.whittle.core.eval;

import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.model.NodeInfo;
import dev.whittle.core.model.WeightLayer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Maps the nodes of ONNX Runtime's optimized graph back to the model's nodes by name. ORT keeps
 * most names; where it fuses or rewrites it derives new ones, which are undone here:
 * <ul>
 *   <li>{@code "fused fc1"} (Gemm + Relu): the prefix goes;</li>
 *   <li>{@code ".../LayerNorm/Mul/LayerNormFusion/"}: the fusion's folder goes, leaving the
 *       first fused node;</li>
 *   <li>{@code "BiasGelu_token_5"}: ORT's uniqueness suffix goes;</li>
 *   <li>{@code "relu1_out_nchwc"} (a Conv in the NCHWc layout, named after the tensor it
 *       writes): the suffix goes, and the tensor leads to its producer, walking back over
 *       fused activations to the node of the kernel's op (Conv {@code conv1});</li>
 *   <li>a name that starts with a weight layer's node or weight name followed by one of
 *       {@code . _ / : -} ({@code fc1.u}, {@code fc1_MatMulNBits}, {@code fc1.weight_DequantizeLinear}) belongs to that layer:
 *       the names Whittle's own transforms and ORT's QDQ fusions give.</li>
 * </ul>
 * What matches none of these ({@code BiasGelu}, {@code ReorderOutput}) is unmapped.
 */
final class KernelMap {
    private static final Pattern FUSION_FOLDER = Pattern.compile("/[A-Za-z0-9]*Fusion/?$");
    private static final Pattern TOKEN = Pattern.compile("_token_\\d+$");
    private static final String SEPARATORS = "._/:-";

    private final Map<String, String> layerByName = new HashMap<>();
    private final Set<String> referenceNodes = new HashSet<>();
    private final Map<String, NodeInfo> profiledNodes = new HashMap<>();
    private final Map<String, NodeInfo> producers = new HashMap<>();

    /**
     * @param profiled  the model ONNX Runtime ran
     * @param reference the model whose layers and nodes the kernels are reported against (the
     *                  original, when {@code profiled} is a compressed copy of it)
     */
    KernelMap(ModelGraph profiled, ModelGraph reference) {
        for (WeightLayer l : reference.weightLayers()) {
            layerByName.put(l.node(), l.node());
            layerByName.putIfAbsent(l.weight(), l.node());
        }
        reference.nodes().forEach(n -> referenceNodes.add(n.name()));
        for (NodeInfo n : profiled.nodes()) {
            profiledNodes.put(n.name(), n);
            n.outputs().forEach(o -> producers.put(o, n));
        }
    }

    /** Where a kernel comes from. */
    record Origin(NodeProfile.Kind kind, String node, String layer) {
        static final Origin NONE = new Origin(NodeProfile.Kind.UNMAPPED, null, null);
    }

    Origin map(String ortNode, String op) {
        String c = ortNode.startsWith("fused ") ? ortNode.substring(6) : ortNode;
        c = TOKEN.matcher(c).replaceFirst("");
        // a model that ORT's basic optimizer folded beforehand keeps the fusion's name ("fc1/MatMulAddFusion") as its own
        Origin o = layerByName.containsKey(c) ? byName(c) : null;
        c = FUSION_FOLDER.matcher(c).replaceFirst("");
        o = o != null ? o : byName(c);
        if (o != null) {
            return o;
        }
        String tensor = c.endsWith("_nchwc") ? c.substring(0, c.length() - 6) : c;
        NodeInfo n = producers.get(tensor);
        for (int step = 0; n != null && step < 4; step++) {
            if (n.opType().equals(op)) {
                o = byName(n.name());
                return o != null ? o : new Origin(NodeProfile.Kind.OTHER, n.name(), null);
            }
            n = n.inputs().isEmpty() ? null : producers.get(n.inputs().get(0));
        }
        return Origin.NONE;
    }

    private Origin byName(String c) {
        String layer = layerByName.get(c);
        if (layer != null) {
            return new Origin(NodeProfile.Kind.LAYER, c, layer);
        }
        if (referenceNodes.contains(c)) {
            return new Origin(NodeProfile.Kind.OTHER, c, null);
        }
        String best = null;
        for (String name : layerByName.keySet()) {
            if (c.length() > name.length() && c.startsWith(name) && SEPARATORS.indexOf(c.charAt(name.length())) >= 0
                    && (best == null || name.length() > best.length())) {
                best = name;
            }
        }
        if (best != null) {
            return new Origin(NodeProfile.Kind.LAYER, c, layerByName.get(best));
        }
        return profiledNodes.containsKey(c) ? new Origin(NodeProfile.Kind.OTHER, c, null) : null;
    }
}
