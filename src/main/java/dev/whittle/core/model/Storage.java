package dev.whittle.core.model;

/** Where a constant tensor lives in the model file. */
public enum Storage {
    /** {@code graph.initializer} of the main graph, data inside the .onnx file. */
    INITIALIZER,
    /** The {@code value} attribute of a {@code Constant} node. */
    CONSTANT_NODE,
    /** An initializer or Constant inside an If/Loop/Scan body. */
    SUBGRAPH,
    /** Data in an external file next to the model ({@code data_location = EXTERNAL}). */
    EXTERNAL,
    /**
     * Computed from constants by layout ops (Slice, Concat, Transpose, ...) in the graph, as some
     * exporters write recurrent weights; a method that edits it first folds it into a constant.
     */
    COMPUTED;

    public String displayName() {
        return name().toLowerCase().replace('_', '-');
    }
}
