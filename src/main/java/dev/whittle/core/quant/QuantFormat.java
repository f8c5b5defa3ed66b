package dev.whittle.core.quant;

import dev.whittle.core.BadInputException;
import java.util.Locale;

/**
 * How quantized weights are written as ONNX.
 * <ul>
 *   <li>{@link #QDQ}: an int8/int4 initializer feeding DequantizeLinear (opset 13, or 21 for
 *       int4 or blocks); the consumer op is unchanged.</li>
 *   <li>{@link #MATMULNBITS}: {@code com.microsoft::MatMulNBits}, 4-bit block-wise, MatMul only.</li>
 *   <li>{@link #DYNAMIC}: DynamicQuantizeLinear + MatMulInteger, int8, MatMul only.</li>
 * </ul>
 */
public enum QuantFormat {
    QDQ, MATMULNBITS, DYNAMIC;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static QuantFormat parse(String field, String text) {
        for (QuantFormat f : values()) {
            if (f.key().equalsIgnoreCase(text == null ? "" : text.trim())) {
                return f;
            }
        }
        throw new BadInputException(field + " must be qdq, matmulnbits or dynamic, got '" + text + "'.");
    }

    @Override
    public String toString() {
        return key();
    }
}
