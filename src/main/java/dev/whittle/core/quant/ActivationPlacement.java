package dev.whittle.core.quant;

import dev.whittle.core.BadInputException;
import java.util.Locale;

/**
 * Where static activation quantization puts its Q/DQ pairs. {@code LAYERS}: on the inputs (and,
 * when asked, outputs) of the quantized weight layers only. {@code GRAPH}: also on the tensors
 * between them that ONNX Runtime can keep in int8 (after Relu/Clip, through MaxPool and the shape
 * ops), with one range per chain, so that the weight layers write int8 and the conversions
 * between them disappear from ONNX Runtime's optimized graph. {@code SPEED}: as {@code GRAPH},
 * then every pair that ONNX Runtime's optimized graph (on this machine) keeps as a plain
 * QuantizeLinear -> DequantizeLinear round trip, serving no int8 kernel on either side, is left
 * out (core.analysis.SpeedPlacement), with the reason in the report.
 */
public enum ActivationPlacement {
    LAYERS, GRAPH, SPEED;

    /** Whether the tensors between weight layers get pairs too (graph and speed). */
    public boolean throughGraph() {
        return this != LAYERS;
    }

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ActivationPlacement parse(String field, String text) {
        for (ActivationPlacement p : values()) {
            if (p.key().equals(text)) {
                return p;
            }
        }
        throw new BadInputException(field + " must be layers, graph or speed, got '" + text + "'.");
    }
}
