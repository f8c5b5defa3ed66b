package dev.whittle.core.lowrank;

import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.GraphEditor;
import dev.whittle.core.onnx.GraphNode;
import java.util.List;

/** How one op is factored: into which matrices, and how the factors are written as nodes. */
interface Factoring {
    /** Why this node cannot be factored with this method, or null. */
    String unsupported(GraphNode node, WeightLayer layer, boolean spatial);

    /** The matrices to approximate: one, or one per group of a grouped Conv. */
    List<Matrix> matrices(GraphNode node, WeightLayer layer, float[] weight, boolean spatial);

    /** Replaces node {@code index} by two nodes holding the factors (one entry per matrix). */
    /** Replaces the node by its two factors; returns their node names, the first (reading the input) first. */
    List<String> write(GraphEditor editor, int index, GraphNode node, WeightLayer layer, List<Factors> factors, boolean spatial);
}
