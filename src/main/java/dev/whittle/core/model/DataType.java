package dev.whittle.core.model;

import java.util.Arrays;
import java.util.Optional;

/**
 * ONNX tensor element types (IR 10), with the codes of {@code TensorProto.DataType}.
 * {@link #bits()} is the stored width of one element; int4/uint4 pack two elements per byte.
 */
public enum DataType {
    FLOAT(1, 32, true), UINT8(2, 8, false), INT8(3, 8, false), UINT16(4, 16, false),
    INT16(5, 16, false), INT32(6, 32, false), INT64(7, 64, false), STRING(8, 0, false),
    BOOL(9, 8, false), FLOAT16(10, 16, true), DOUBLE(11, 64, true), UINT32(12, 32, false),
    UINT64(13, 64, false), COMPLEX64(14, 64, true), COMPLEX128(15, 128, true),
    BFLOAT16(16, 16, true), FLOAT8E4M3FN(17, 8, true), FLOAT8E4M3FNUZ(18, 8, true),
    FLOAT8E5M2(19, 8, true), FLOAT8E5M2FNUZ(20, 8, true), UINT4(21, 4, false), INT4(22, 4, false);

    private final int code;
    private final int bits;
    private final boolean floating;

    DataType(int code, int bits, boolean floating) {
        this.code = code;
        this.bits = bits;
        this.floating = floating;
    }

    public int code() {
        return code;
    }

    /** Bits one element occupies when stored (0 for strings, whose size varies). */
    public int bits() {
        return bits;
    }

    public boolean isFloating() {
        return floating;
    }

    /** Bytes needed to store {@code count} elements densely (int4 rounds up to whole bytes). */
    public long storageBytes(long count) {
        return (count * bits + 7) / 8;
    }

    /** Lower-case ONNX name, as users see it: float32, int8, bfloat16, ... */
    public String displayName() {
        return switch (this) {
            case FLOAT -> "float32";
            case DOUBLE -> "float64";
            default -> name().toLowerCase();
        };
    }

    public static Optional<DataType> fromCode(int code) {
        return Arrays.stream(values()).filter(t -> t.code == code).findFirst();
    }

    @Override
    public String toString() {
        return displayName();
    }
}
