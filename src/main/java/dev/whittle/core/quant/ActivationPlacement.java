package dev.whittle.core.quant;

import dev.whittle.core.BadInputException;
import java.util.Locale;

/**
 * Where static activation quantization puts its Q/DQ pairs. {@code LAYERS}: on the inputs (and,
 * when asked, outputs) of the quantized weight layers only. {@code GRAPH}: also on the tensors
 * between them that ONNX Runtime can keep in int8 (after Relu/Clip, through MaxPool and the shape
 * ops), with one range per chain, so that the weight layers write int8 and the conversions
 * between them disappear from ONNX Runtime's optimized graph.
 */
public enum ActivationPlacement {
    LAYERS, GRAPH;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ActivationPlacement parse(String field, String text) {
        for (ActivationPlacement p : values()) {
            if (p.key().equals(text)) {
                return p;
            }
        }
        throw new BadInputException(field + " must be layers or graph, got '" + text + "'.");
    }
}
