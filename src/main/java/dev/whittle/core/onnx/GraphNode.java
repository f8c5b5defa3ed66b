package dev.whittle.core.onnx;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node of the main graph as {@link GraphEditor} shows it, or a new node to insert, without
 * protobuf types. Attribute values are {@code Long}, {@code Float}, {@code String},
 * {@code long[]} or {@code float[]}; attributes of other kinds (tensors, subgraphs) are not
 * listed here and are kept only when the original node is kept.
 *
 * @param name   node name; for existing nodes with an empty name, the name the model view
 *               synthesizes ({@code Op_index}), so it matches {@code WeightLayer.node()}
 * @param domain "" for the default ONNX domain
 */
public record GraphNode(String name, String op, String domain, List<String> inputs, List<String> outputs,
                        Map<String, Object> attrs) {
    public GraphNode {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        attrs = Collections.unmodifiableMap(new LinkedHashMap<>(attrs));
    }

    /** A new default-domain node. */
    public static GraphNode of(String name, String op, List<String> inputs, List<String> outputs, Map<String, Object> attrs) {
        return new GraphNode(name, op, "", inputs, outputs, attrs);
    }

    public long intAttr(String key, long fallback) {
        Object v = attrs.get(key);
        return v instanceof Long l ? l : fallback;
    }

    public float floatAttr(String key, float fallback) {
        Object v = attrs.get(key);
        return v instanceof Float f ? f : fallback;
    }

    /** The ints attribute, or null when absent. */
    public long[] intsAttr(String key) {
        Object v = attrs.get(key);
        return v instanceof long[] a ? a.clone() : null;
    }

    public String stringAttr(String key, String fallback) {
        Object v = attrs.get(key);
        return v instanceof String s ? s : fallback;
    }

    /** The input at {@code slot}, or "" when the node has no such input (optional inputs). */
    public String input(int slot) {
        return slot < inputs.size() ? inputs.get(slot) : "";
    }

    public boolean isDefaultDomain() {
        return domain == null || domain.isEmpty() || domain.equals("ai.onnx");
    }

    /** Copy with other attributes (added or replaced; a null value removes the key). */
    public GraphNode withAttrs(Map<String, Object> changes) {
        Map<String, Object> m = new LinkedHashMap<>(attrs);
        changes.forEach((k, v) -> {
            if (v == null) {
                m.remove(k);
            } else {
                m.put(k, v);
            }
        });
        return new GraphNode(name, op, domain, inputs, outputs, m);
    }

    public GraphNode withIo(String newName, List<String> newInputs, List<String> newOutputs) {
        return new GraphNode(newName, op, domain, newInputs, newOutputs, attrs);
    }
}
