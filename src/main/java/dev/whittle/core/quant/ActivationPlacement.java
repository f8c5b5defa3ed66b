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
 * out (core.analysis.SpeedPlacement), with the reason in the report. {@code MEASURED}: as
 * {@code SPEED}, then each weight layer's int8 kernel is timed against the same layer in float on
 * this machine (ONNX Runtime's profiler, at {@link ActivationSpec#measureBatch()} samples a run),
 * and the layers whose int8 form is slower are left wholly in float where the whole model is then
 * faster (core.analysis.MeasuredPlacement), each with its two times in the report.
 */
public enum ActivationPlacement {
    LAYERS, GRAPH, SPEED, MEASURED;

    /** Whether the tensors between weight layers get pairs too (graph and speed). */
    public boolean throughGraph() {
        return this != LAYERS;
    }

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code layers}, {@code graph}, {@code speed}, {@code measured} or {@code measured:N} (timed at batch N). */
    public static ActivationPlacement parse(String field, String text) {
        String t = text == null ? "" : text.trim();
        if (t.startsWith(MEASURED.key() + ":")) {
            measureBatch(field, t);
            return MEASURED;
        }
        for (ActivationPlacement p : values()) {
            if (p.key().equals(t)) {
                return p;
            }
        }
        throw new BadInputException(field + " must be layers, graph, speed, measured or measured:N (N samples a run),"
                + " got '" + text + "'.");
    }

    /** The batch of {@code measured:N} (1 for any other text). */
    public static int measureBatch(String field, String text) {
        String t = text == null ? "" : text.trim();
        if (!t.startsWith(MEASURED.key() + ":")) {
            return 1;
        }
        String n = t.substring(MEASURED.key().length() + 1).trim();
        try {
            int b = Integer.parseInt(n);
            if (b >= 1 && b <= 4096) {
                return b;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new BadInputException(field + ": measured:N times the layers at N samples a run; N must be a whole number"
                + " from 1 to 4096, got '" + n + "'.");
    }

    /** The text that {@link #parse} and {@link #measureBatch} read back. */
    public String text(int measureBatch) {
        return this == MEASURED && measureBatch != 1 ? key() + ":" + measureBatch : key();
    }
}
