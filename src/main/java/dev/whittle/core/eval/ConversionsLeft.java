package dev.whittle.core.eval;

import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.model.NodeInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The QuantizeLinear and DequantizeLinear nodes that ONNX Runtime's optimized graph still runs,
 * and why each one is there: the float op on its float side (an op ONNX Runtime has no int8
 * kernel for, so it writes or reads float), the model's input or output, a requantization between
 * two scales, or a weight dequantized at every run for a layer that runs in float. Layout ops
 * that ORT inserts (Transpose, the NCHWc reorders) are looked through.
 */
public final class ConversionsLeft {
    private static final Set<String> LAYOUT = Set.of("Transpose", "com.microsoft.nchwc::ReorderInput",
            "com.microsoft.nchwc::ReorderOutput");

    /**
     * One conversion left.
     *
     * @param op     QuantizeLinear or DequantizeLinear
     * @param tensor the float tensor it converts from or to
     * @param reason one of "after OP" (Q), "before OP[, OP]" (DQ), "model input", "model output",
     *               "requantize", "weight of OP" (a DQ of a constant)
     */
    public record Conversion(String op, String tensor, String reason) {
    }

    private ConversionsLeft() {
    }

    public static List<Conversion> of(ModelGraph g) {
        Map<String, NodeInfo> producer = new HashMap<>();
        Map<String, List<NodeInfo>> readers = new HashMap<>();
        for (NodeInfo n : g.nodes()) {
            n.outputs().forEach(o -> producer.put(o, n));
            n.inputs().forEach(i -> readers.computeIfAbsent(i, k -> new ArrayList<>()).add(n));
        }
        Set<String> inputs = new HashSet<>();
        g.inputs().forEach(v -> inputs.add(v.name()));
        Set<String> outputs = new HashSet<>();
        g.outputs().forEach(v -> outputs.add(v.name()));
        Set<String> constants = new HashSet<>();
        g.constants().forEach(t -> constants.add(t.name()));
        List<Conversion> out = new ArrayList<>();
        for (NodeInfo n : g.nodes()) {
            if (n.inputs().isEmpty() || n.outputs().isEmpty()) {
                continue;
            }
            if (n.opType().equals("QuantizeLinear")) {
                String x = n.inputs().get(0);
                NodeInfo p = producer.get(x);
                for (int hop = 0; p != null && LAYOUT.contains(p.qualifiedOp()) && hop < 3; hop++) {
                    p = p.inputs().isEmpty() ? null : producer.get(p.inputs().get(0));
                }
                String why = p == null ? (inputs.contains(x) ? "model input" : "constant")
                        : p.opType().equals("DequantizeLinear") ? "requantize" : "after " + p.qualifiedOp();
                out.add(new Conversion("QuantizeLinear", x, why));
            } else if (n.opType().equals("DequantizeLinear")) {
                String y = n.outputs().get(0);
                if (constants.contains(n.inputs().get(0))) {
                    Set<String> ops = new TreeSet<>();
                    readers.getOrDefault(y, List.of()).forEach(r -> ops.add(r.qualifiedOp()));
                    out.add(new Conversion("DequantizeLinear", y, "weight of " + String.join(", ", ops)));
                    continue;
                }
                Set<String> ops = new TreeSet<>();
                List<NodeInfo> next = new ArrayList<>(readers.getOrDefault(y, List.of()));
                for (int hop = 0; hop < 3 && next.stream().anyMatch(r -> LAYOUT.contains(r.qualifiedOp())); hop++) {
                    List<NodeInfo> further = new ArrayList<>();
                    for (NodeInfo r : next) {
                        if (LAYOUT.contains(r.qualifiedOp())) {
                            r.outputs().forEach(o -> further.addAll(readers.getOrDefault(o, List.of())));
                        } else {
                            further.add(r);
                        }
                    }
                    next = further;
                }
                next.forEach(r -> ops.add(r.opType().equals("QuantizeLinear") ? "requantize" : r.qualifiedOp()));
                String why = ops.isEmpty() ? "model output"
                        : ops.equals(Set.of("requantize")) ? "requantize" : "before " + String.join(", ", ops);
                out.add(new Conversion("DequantizeLinear", y, outputs.contains(y) && !ops.isEmpty() ? why + ", model output"
                        : why));
            }
        }
        return out;
    }

    /**
     * One line: how many conversions are left and why, grouped by reason, most frequent first,
     * for example "ONNX Runtime's optimized graph on this CPU keeps 3 QuantizeLinear (2 after Mul,
     * 1 model input) and 2 DequantizeLinear (2 before HardSigmoid, Mul): the ops named run in float
     * (no int8 kernel for them in ONNX Runtime here), so int8 tensors are converted around them."
     * Empty when there are none.
     */
    public static String summary(List<Conversion> all) {
        if (all.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder("ONNX Runtime's optimized graph on this CPU keeps ");
        List<String> parts = new ArrayList<>();
        for (String op : List.of("QuantizeLinear", "DequantizeLinear")) {
            Map<String, Integer> by = new TreeMap<>();
            all.stream().filter(c -> c.op().equals(op)).forEach(c -> by.merge(c.reason(), 1, Integer::sum));
            if (by.isEmpty()) {
                continue;
            }
            List<String> reasons = by.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue())
                    .map(e -> e.getValue() + " " + e.getKey()).toList();
            int n = by.values().stream().mapToInt(Integer::intValue).sum();
            parts.add(n + " " + op + " (" + String.join("; ", reasons) + ")");
        }
        sb.append(String.join(" and ", parts));
        sb.append(": the ops named run in float (ONNX Runtime has no int8 kernel for them here, or the tensor leaves or"
                + " enters the model there), so int8 tensors are converted around them; \"requantize\" moves int8 between"
                + " two scales; \"weight of\" dequantizes a weight at every run for a layer that runs in float.");
        return sb.toString();
    }
}
