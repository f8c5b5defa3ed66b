package dev.whittle.core.model;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A constant tensor of the model: name, element type, dims and read access to its values.
 * Values are never copied on load: raw data aliases the model file's mapping and external data
 * is memory-mapped, so reading happens only when statistics or a transform ask for it.
 *
 * <p>{@link #raw()} is the little-endian stored bytes when the tensor keeps them (raw_data or
 * external data), else null. {@link #readFloats} converts any numeric type to float.
 */
public final class TensorData {
    private final String name;
    private final DataType type;
    private final long[] dims;
    private final long count;
    private final Storage storage;
    private final ByteBuffer raw;
    private final ElementSource source;

    public TensorData(String name, DataType type, long[] dims, Storage storage, ByteBuffer raw,
                      ElementSource source) {
        this.name = name;
        this.type = type;
        this.dims = dims.clone();
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        this.count = n;
        this.storage = storage;
        this.raw = raw == null ? null : raw.asReadOnlyBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN);
        this.source = source;
    }

    public String name() {
        return name;
    }

    public DataType type() {
        return type;
    }

    public long[] dims() {
        return dims.clone();
    }

    public int rank() {
        return dims.length;
    }

    public long dim(int axis) {
        return dims[axis];
    }

    /** Number of elements (1 for a scalar). */
    public long count() {
        return count;
    }

    /** Bytes the values occupy when stored densely. */
    public long bytes() {
        return type.storageBytes(count);
    }

    public Storage storage() {
        return storage;
    }

    /** Whether {@link #readFloats} works: numeric, non-complex types. */
    public boolean isNumeric() {
        return source != null;
    }

    /** The stored little-endian bytes (read-only view), or null when values are in typed fields. */
    public ByteBuffer raw() {
        return raw == null ? null : raw.duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Copies elements [start, start + length) converted to float into {@code dst[offset...]}.
     *
     * @throws UnsupportedOperationException for strings and complex numbers
     */
    public void readFloats(long start, float[] dst, int offset, int length) {
        if (source == null) {
            throw new UnsupportedOperationException("tensor '" + name + "' of type " + type + " has no numeric values");
        }
        if (start < 0 || length < 0 || start + length > count) {
            throw new IndexOutOfBoundsException("elements " + start + ".." + (start + length) + " of " + count);
        }
        source.read(start, dst, offset, length);
    }

    /** All values as a new float array; for tensors of at most 2^31 - 1 elements. */
    public float[] toFloatArray() {
        if (count > Integer.MAX_VALUE - 8) {
            throw new UnsupportedOperationException("tensor '" + name + "' has too many elements for one array: " + count);
        }
        float[] out = new float[(int) count];
        readFloats(0, out, 0, out.length);
        return out;
    }

    public String shapeText() {
        return Arrays.toString(dims);
    }

    @Override
    public String toString() {
        return name + " " + type + shapeText();
    }
}
