package dev.whittle.core.onnx;

import java.util.List;

/**
 * The one Add that reads a MatMul's output, as a transformer's linear layer adds its bias:
 * {@code other} is the Add's other input (the bias when it is a constant), {@code output} the
 * Add's output. Callers check what they need of {@code other} (constant, shape, not shared).
 */
public record BiasAdd(String other, String output) {
    /** The Add reading {@code node}'s first output, when it is that output's only reader; else null. */
    public static BiasAdd of(GraphEditor ed, GraphNode node) {
        String out = node.outputs().get(0);
        List<GraphEditor.Use> uses = ed.uses(out);
        if (uses.size() != 1 || ed.isGraphOutput(out)) {
            return null;
        }
        GraphNode add = ed.node(uses.get(0).node());
        if (!add.op().equals("Add") || add.inputs().size() != 2) {
            return null;
        }
        return new BiasAdd(add.input(1 - uses.get(0).slot()), add.outputs().get(0));
    }
}
