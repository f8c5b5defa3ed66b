package dev.whittle.core.quant;

import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.model.NodeInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One weight initializer read by several nodes (a tied embedding table that is also the output
 * MatMul's weight, a weight read directly and through an Identity) is quantized once, for every
 * use, or not at all: the model never holds two versions of one weight. A weight is quantized
 * only when every node that reads it (through Identity chains) is a planned layer asking for the
 * same weight settings in the QDQ format; otherwise all its layers keep the float weight, with a
 * note naming the uses. Activation settings of those layers still apply.
 */
final class SharedWeights {
    private SharedWeights() {
    }

    static List<Quantizer.Planned> consistent(ModelGraph g, List<Quantizer.Planned> plan, List<String> messages) {
        Map<String, List<Quantizer.Planned>> byWeight = new LinkedHashMap<>();
        for (Quantizer.Planned p : plan) {
            if (p.spec().weights() != null) {
                byWeight.computeIfAbsent(p.layer().weight(), k -> new ArrayList<>()).add(p);
            }
        }
        Map<String, List<NodeInfo>> readers = readers(g);
        Map<String, Integer> order = new HashMap<>();
        for (NodeInfo n : g.nodes()) {
            order.putIfAbsent(n.name(), order.size());
        }
        Set<String> floatWeights = new LinkedHashSet<>();
        for (var e : byWeight.entrySet()) {
            List<String> uses = uses(readers, e.getKey()).stream().sorted(java.util.Comparator.comparingInt(order::get))
                    .toList();
            if (uses.size() <= 1) {
                continue;
            }
            Quantizer.Planned first = e.getValue().get(0);
            Set<String> planned = new LinkedHashSet<>();
            boolean same = true;
            for (Quantizer.Planned p : e.getValue()) {
                planned.add(p.layer().graphNode()); // a recurrent layer is "<node>.W": its node reads the weight
                same &= p.spec().weights().equals(first.spec().weights())
                        && Quantizer.format(p.layer(), p.spec()) == QuantFormat.QDQ;
            }
            if (!same || !planned.containsAll(uses)) {
                floatWeights.add(e.getKey());
                messages.add("Weight '" + e.getKey() + "' is read by " + String.join(", ", quoted(uses)) + "; it was left in"
                        + " float because " + (same ? "not every use is selected" : "its uses ask for different settings"
                        + " or a format other than qdq") + ", and one weight never gets two versions.");
            }
        }
        if (floatWeights.isEmpty()) {
            return plan;
        }
        List<Quantizer.Planned> out = new ArrayList<>();
        for (Quantizer.Planned p : plan) {
            if (!floatWeights.contains(p.layer().weight())) {
                out.add(p);
            } else if (p.spec().activations() != null) {
                out.add(new Quantizer.Planned(p.layer(), new QuantizeSpec(null, p.spec().activations(), QuantFormat.QDQ)));
            }
        }
        return out;
    }

    /** Nodes reading each value name, in every graph (a subgraph may read an outer weight). */
    private static Map<String, List<NodeInfo>> readers(ModelGraph g) {
        Map<String, List<NodeInfo>> out = new HashMap<>();
        for (NodeInfo n : g.nodes()) {
            for (String in : new LinkedHashSet<>(n.inputs())) {
                if (!in.isEmpty()) {
                    out.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
                }
            }
        }
        return out;
    }

    /** The nodes that read {@code value}, looking through Identity nodes (which quantization bypasses). */
    static List<String> uses(Map<String, List<NodeInfo>> readers, String value) {
        Set<String> out = new LinkedHashSet<>();
        List<String> todo = new ArrayList<>(List.of(value));
        Set<String> seen = new LinkedHashSet<>(todo);
        while (!todo.isEmpty()) {
            String v = todo.remove(0);
            for (NodeInfo n : readers.getOrDefault(v, List.of())) {
                boolean identity = n.opType().equals("Identity") && (n.domain().isEmpty() || n.domain().equals("ai.onnx"));
                if (identity && n.outputs().size() == 1 && seen.add(n.outputs().get(0))) {
                    todo.add(n.outputs().get(0));
                } else if (!identity) {
                    out.add(n.name());
                }
            }
        }
        return List.copyOf(out);
    }

    private static List<String> quoted(List<String> names) {
        return names.stream().map(n -> "'" + Objects.requireNonNull(n) + "'").toList();
    }
}
