package dev.whittle.core.quant;

import dev.whittle.core.BadInputException;
import java.util.Locale;

/**
 * How symmetric 8-bit weights are stored, for ONNX Runtime's integer kernels (QLinearConv,
 * QLinearMatMul, MatMulInteger and the fused QDQ paths). On x86 CPUs without VNNI those kernels
 * multiply uint8 activations by int8 weights with VPMADDUBSW, which adds pairs of products in
 * 16 bits and saturates when two neighbouring weights are large; the safe layouts avoid it.
 * Dequantized values are {@code (code - zeroPoint) * scale} in every layout.
 *
 * <ul>
 *   <li>{@link #FULL}: int8 codes in [-127, 127], zero point 0; exact on VNNI CPUs (and ARM)</li>
 *   <li>{@link #REDUCED}: int8 codes in [-63, 63] (7 bits, ORT's {@code reduce_range}); the
 *       pair sums stay below 2^15, so the fast u8s8 kernels are exact everywhere, at half the
 *       weight resolution</li>
 *   <li>{@link #UINT8}: the full-range codes shifted to uint8 with zero point 128 (codes in
 *       [1, 255]); ONNX Runtime then uses its u8u8 kernels, which widen to 16 bits first</li>
 * </ul>
 * Asymmetric weights are uint8 with a zero point already and never saturate; the layout
 * leaves them unchanged. 4-bit weights have no layout.
 */
public enum Int8Layout {
    FULL, REDUCED, UINT8;

    /**
     * The layout used when weights are quantized together with int8 activations (static or
     * dynamic) and the spec does not choose one: a model is shipped to CPUs nobody knows in advance.
     */
    public static final Int8Layout SAFE_DEFAULT = UINT8;

    /** The recipe's and the CLI's spelling: full, reduced, uint8. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Int8Layout parse(String field, String s) {
        for (Int8Layout l : values()) {
            if (l.key().equals(s == null ? null : s.trim().toLowerCase(Locale.ROOT))) {
                return l;
            }
        }
        throw new BadInputException(field + " must be full, reduced or uint8, got '" + s + "'.");
    }
}
