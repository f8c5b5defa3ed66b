package dev.whittle.core.tensor;

import dev.whittle.core.BadInputException;
import dev.whittle.core.model.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * A dense n-d array as NumPy stores it in a {@code .npy} file: C (row-major) order,
 * little-endian elements.
 *
 * <p>{@code dtype} is the NumPy name: one of {@link #DTYPES} ({@code float32}, {@code float64},
 * {@code int64}, {@code int32}, {@code uint8}, {@code int8}, {@code bool}). {@code shape} is the
 * size of each axis, outermost first; an empty shape is a scalar (one element). {@code data}
 * holds exactly {@code count() * itemSize()} bytes, little-endian, from position 0; the record
 * keeps a read-only view, so the array is effectively immutable (the shape is copied too).
 * Bool elements are one byte, 0 or 1.
 */
public record NpyArray(String dtype, long[] shape, ByteBuffer data) {
    /** Largest data size one array may have (a Java ByteBuffer holds at most 2 GiB). */
    public static final long MAX_BYTES = Integer.MAX_VALUE - 8;
    /** The dtypes Whittle reads and writes. */
    public static final List<String> DTYPES = List.of("float32", "float64", "float16", "int64", "int32", "uint8", "int8", "bool");

    public NpyArray {
        if (!DTYPES.contains(dtype)) {
            throw new IllegalArgumentException("dtype '" + dtype + "' is not one of " + DTYPES + ".");
        }
        shape = shape.clone();
        long count = elementCount(shape);
        if (count > MAX_BYTES / itemSize(dtype)) {
            throw new IllegalArgumentException("Shape " + Arrays.toString(shape) + " is too large for one in-memory array.");
        }
        long bytes = count * itemSize(dtype);
        if (data.remaining() != bytes) {
            throw new IllegalArgumentException("Shape " + Arrays.toString(shape) + " of " + dtype + " needs " + bytes
                    + " bytes but the data has " + data.remaining() + ".");
        }
        data = data.slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    public static NpyArray ofFloats(float[] values, long... shape) {
        ByteBuffer b = alloc(values.length, 4);
        b.asFloatBuffer().put(values);
        return new NpyArray("float32", shape, b);
    }

    public static NpyArray ofDoubles(double[] values, long... shape) {
        ByteBuffer b = alloc(values.length, 8);
        b.asDoubleBuffer().put(values);
        return new NpyArray("float64", shape, b);
    }

    public static NpyArray ofLongs(long[] values, long... shape) {
        ByteBuffer b = alloc(values.length, 8);
        b.asLongBuffer().put(values);
        return new NpyArray("int64", shape, b);
    }

    public static NpyArray ofInts(int[] values, long... shape) {
        ByteBuffer b = alloc(values.length, 4);
        b.asIntBuffer().put(values);
        return new NpyArray("int32", shape, b);
    }

    /** {@code dtype} is uint8, int8 or bool (bytes 0/1); the bytes are copied as they are. */
    public static NpyArray ofBytes(String dtype, byte[] values, long... shape) {
        if (itemSize(dtype) != 1) {
            throw new IllegalArgumentException("dtype " + dtype + " is not a one-byte type.");
        }
        return new NpyArray(dtype, shape, ByteBuffer.wrap(values.clone()));
    }

    public long[] shape() {
        return shape.clone();
    }

    /** The data as a read-only little-endian buffer positioned at the first element. */
    public ByteBuffer data() {
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    public long count() {
        return elementCount(shape);
    }

    public int itemSize() {
        return itemSize(dtype);
    }

    /** The matching ONNX element type (bool -> BOOL, float32 -> FLOAT, ...). */
    public DataType dataType() {
        return switch (dtype) {
            case "float32" -> DataType.FLOAT;
            case "float64" -> DataType.DOUBLE;
            case "float16" -> DataType.FLOAT16;
            case "int64" -> DataType.INT64;
            case "int32" -> DataType.INT32;
            case "uint8" -> DataType.UINT8;
            case "int8" -> DataType.INT8;
            default -> DataType.BOOL;
        };
    }

    /** All elements as float, in C order; int64 and float64 values round to the nearest float. */
    public float[] toFloatArray() {
        int n = (int) count();
        float[] out = new float[n];
        ByteBuffer b = data();
        switch (dtype) {
            case "float32" -> b.asFloatBuffer().get(out);
            case "float64" -> { for (int i = 0; i < n; i++) out[i] = (float) b.getDouble(i * 8); }
            case "float16" -> { for (int i = 0; i < n; i++) out[i] = Numerics.halfToFloat(b.getShort(i * 2) & 0xffff); }
            case "int64" -> { for (int i = 0; i < n; i++) out[i] = b.getLong(i * 8); }
            case "int32" -> { for (int i = 0; i < n; i++) out[i] = b.getInt(i * 4); }
            case "uint8" -> { for (int i = 0; i < n; i++) out[i] = b.get(i) & 0xff; }
            default -> { for (int i = 0; i < n; i++) out[i] = b.get(i); }
        }
        return out;
    }

    /**
     * All elements as long, in C order. Float arrays convert only if every value is a whole
     * number (labels saved as float); otherwise a {@link BadInputException} names the first bad one.
     */
    public long[] toLongArray() {
        int n = (int) count();
        long[] out = new long[n];
        ByteBuffer b = data();
        switch (dtype) {
            case "int64" -> b.asLongBuffer().get(out);
            case "int32" -> { for (int i = 0; i < n; i++) out[i] = b.getInt(i * 4); }
            case "uint8" -> { for (int i = 0; i < n; i++) out[i] = b.get(i) & 0xff; }
            case "int8", "bool" -> { for (int i = 0; i < n; i++) out[i] = b.get(i); }
            default -> {
                for (int i = 0; i < n; i++) {
                    double v = dtype.equals("float32") ? b.getFloat(i * 4)
                            : dtype.equals("float16") ? Numerics.halfToFloat(b.getShort(i * 2) & 0xffff) : b.getDouble(i * 8);
                    if (v != Math.rint(v) || Math.abs(v) > 0x1p62) {
                        throw new BadInputException("The " + dtype + " array holds " + v + " at index " + i
                                + ", which is not an integer.");
                    }
                    out[i] = (long) v;
                }
            }
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NpyArray a && a.dtype.equals(dtype) && Arrays.equals(a.shape, shape) && a.data.equals(data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape)) + data.hashCode();
    }

    @Override
    public String toString() {
        return "NpyArray[" + dtype + " " + Arrays.toString(shape) + "]";
    }

    /** Bytes per element of a NumPy dtype name from {@link #DTYPES}. */
    public static int itemSize(String dtype) {
        return switch (dtype) {
            case "float16" -> 2;
            case "float32", "int32" -> 4;
            case "float64", "int64" -> 8;
            case "uint8", "int8", "bool" -> 1;
            default -> throw new IllegalArgumentException("dtype '" + dtype + "' is not one of " + DTYPES + ".");
        };
    }

    /** Product of the dims; throws on a negative dim or if the product overflows a long. */
    static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("Shape " + Arrays.toString(shape) + " has a negative dimension.");
            }
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("Shape " + Arrays.toString(shape) + " has more elements than a long can count.");
            }
        }
        return n;
    }

    private static ByteBuffer alloc(int count, int size) {
        return ByteBuffer.allocate(Math.multiplyExact(count, size)).order(ByteOrder.LITTLE_ENDIAN);
    }
}
