package dev.whittle.core.recipe;

import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.model.NodeInfo;
import dev.whittle.core.model.TensorData;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Elements of a model's constants that are quantization data (scales and zero points) rather
 * than weights, so that "61,706 -> 30,352 parameters" counts weights only and the ~1,800 scales
 * and zero points are reported apart. They are the constant inputs at these slots of these ops.
 */
public final class QuantData {
    private static final Map<String, List<Integer>> SLOTS = Map.of(
            "DequantizeLinear", List.of(1, 2), "QuantizeLinear", List.of(1, 2),
            "MatMulNBits", List.of(2, 3), "MatMulInteger", List.of(2, 3), "ConvInteger", List.of(2, 3),
            "DynamicQuantizeMatMul", List.of(2, 3), "QLinearMatMul", List.of(1, 2, 4, 5, 6, 7),
            "QLinearConv", List.of(1, 2, 4, 5, 6, 7), "DynamicQuantizeLSTM", List.of(8, 9, 10, 11));

    private QuantData() {
    }

    /**
     * The per-row scales and zero points of a table whose codes are gathered, then dequantized
     * (Gather of the codes, Cast, Sub of the gathered zero points, Mul by the gathered scales):
     * constants gathered by the same indices as an integer table, into that Sub or Mul.
     */
    private static void rowScales(ModelGraph g, Set<String> names) {
        Map<String, NodeInfo> producer = new java.util.HashMap<>();
        for (NodeInfo n : g.nodes()) {
            if (n.graphPath().isEmpty()) {
                n.outputs().forEach(o -> producer.put(o, n));
            }
        }
        for (NodeInfo n : g.nodes()) {
            if (!n.graphPath().isEmpty() || !(n.opType().equals("Mul") || n.opType().equals("Sub")) || n.inputs().size() != 2) {
                continue;
            }
            NodeInfo codes = producer.get(n.inputs().get(0));
            while (codes != null && (codes.opType().equals("Sub") || codes.opType().equals("Cast"))) {
                codes = producer.get(codes.inputs().get(0));
            }
            NodeInfo rows = producer.get(n.inputs().get(1));
            if (codes == null || rows == null || !codes.opType().equals("Gather") || !rows.opType().equals("Gather")
                    || codes.inputs().size() < 2 || rows.inputs().size() < 2
                    || !codes.inputs().get(1).equals(rows.inputs().get(1))) {
                continue;
            }
            boolean integerTable = g.constant(codes.inputs().get(0)).map(t -> !t.type().isFloating()).orElse(false);
            if (integerTable && g.constant(rows.inputs().get(0)).isPresent()) {
                names.add(rows.inputs().get(0));
            }
        }
    }

    /** Elements of {@code g}'s constants that feed the quantization slots of its ops. */
    public static long elements(ModelGraph g) {
        Set<String> names = new HashSet<>();
        for (NodeInfo n : g.nodes()) {
            List<Integer> slots = SLOTS.get(n.opType());
            if (slots == null) {
                continue;
            }
            for (int s : slots) {
                if (s < n.inputs().size() && !n.inputs().get(s).isEmpty()) {
                    names.add(n.inputs().get(s));
                }
            }
        }
        rowScales(g, names);
        long total = 0;
        for (String name : names) {
            total += g.constant(name).map(TensorData::count).orElse(0L);
        }
        return total;
    }
}
