package dev.whittle.core.onnx;

import dev.whittle.core.model.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A new constant tensor to add to a model: element type, dims and the stored little-endian
 * bytes (int4/uint4 packed two per byte, lower index in the low nibble). The byte array is
 * shared, not copied, by the model built from it: treat it as immutable.
 */
public record TensorBytes(DataType type, long[] dims, byte[] bytes) {
    public TensorBytes {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        if (type.storageBytes(n) != bytes.length) {
            throw new IllegalArgumentException(type + java.util.Arrays.toString(dims) + " needs "
                    + type.storageBytes(n) + " bytes, got " + bytes.length);
        }
        dims = dims.clone();
    }

    public static TensorBytes floats(long[] dims, float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return new TensorBytes(DataType.FLOAT, dims, b.array());
    }

    /**
     * Float values stored as {@code type}: float32, float16 or bfloat16 (rounded to nearest
     * even), so that scales and weights keep the graph's float type.
     */
    public static TensorBytes floats(DataType type, long[] dims, float[] v) {
        return new TensorBytes(type, dims, encodeFloats(type, v));
    }

    /** Little-endian bytes of {@code v} as float32, float16, bfloat16 or float64. */
    public static byte[] encodeFloats(DataType type, float[] v) {
        switch (type) {
            case FLOAT -> {
                ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(v);
                return b.array();
            }
            case FLOAT16, BFLOAT16 -> {
                byte[] out = new byte[v.length * 2];
                boolean half = type == DataType.FLOAT16;
                for (int i = 0; i < v.length; i++) {
                    int bits = half ? dev.whittle.core.tensor.Numerics.floatToHalf(v[i])
                            : dev.whittle.core.tensor.Numerics.floatToBfloat16(v[i]);
                    out[2 * i] = (byte) bits;
                    out[2 * i + 1] = (byte) (bits >>> 8);
                }
                return out;
            }
            case DOUBLE -> {
                ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
                for (float f : v) {
                    b.putDouble(f);
                }
                return b.array();
            }
            default -> throw new IllegalArgumentException("not a float type Whittle writes: " + type);
        }
    }

    public static TensorBytes int32(long[] dims, int[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(v);
        return new TensorBytes(DataType.INT32, dims, b.array());
    }

    public static TensorBytes int64(long[] dims, long[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(v);
        return new TensorBytes(DataType.INT64, dims, b.array());
    }

    /**
     * Integer codes of an 8- or 4-bit type, one code per element in row-major order
     * (values must fit the type); 4-bit types are packed here. 8-bit codes are used as given,
     * not copied: do not change the array afterwards.
     */
    public static TensorBytes codes(DataType type, long[] dims, byte[] codes) {
        return switch (type) {
            case INT8, UINT8 -> new TensorBytes(type, dims, codes);
            case INT4, UINT4 -> new TensorBytes(type, dims, packNibbles(codes));
            default -> throw new IllegalArgumentException("not an 8- or 4-bit integer type: " + type);
        };
    }

    /** Two codes per byte, element 2k in the low nibble and 2k+1 in the high nibble. */
    public static byte[] packNibbles(byte[] codes) {
        byte[] out = new byte[(codes.length + 1) / 2];
        for (int i = 0; i < codes.length; i++) {
            out[i >> 1] |= (byte) ((codes[i] & 0xf) << ((i & 1) << 2));
        }
        return out;
    }

    public long count() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    @Override
    public long[] dims() {
        return dims.clone();
    }
}
