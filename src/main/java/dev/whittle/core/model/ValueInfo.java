package dev.whittle.core.model;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A graph input or output: its name, element type (null for non-tensor values such as
 * sequences) and declared shape (null when the model declares no shape).
 */
public record ValueInfo(String name, DataType type, List<Dim> shape, String kind) {
    public ValueInfo {
        shape = shape == null ? null : List.copyOf(shape);
    }

    public boolean isTensor() {
        return "tensor".equals(kind);
    }

    public String shapeText() {
        if (shape == null) {
            return "?";
        }
        return shape.stream().map(Dim::toString).collect(Collectors.joining(", ", "[", "]"));
    }
}
