package dev.whittle.core.eval;

import dev.whittle.core.BadInputException;
import dev.whittle.core.model.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A dense, row-major array in host memory: element type, shape and little-endian bytes (a
 * direct buffer, so ONNX Runtime reads it without a copy). Axis 0 is the sample axis of a
 * dataset; {@link #rows(long, long)} is a view of a range of samples. Immutable: the bytes are
 * only ever read.
 */
public final class HostTensor {
    private final DataType type;
    private final long[] shape;
    private final ByteBuffer data;
    private volatile long[] integerRange;

    /** @param data little-endian bytes, exactly {@code type.storageBytes(count(shape))} of them */
    public HostTensor(DataType type, long[] shape, ByteBuffer data) {
        this.type = type;
        this.shape = shape.clone();
        ByteBuffer d = data.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (d.remaining() != type.storageBytes(count(shape))) {
            throw new IllegalArgumentException(type + Arrays.toString(shape) + " needs "
                    + type.storageBytes(count(shape)) + " bytes, got " + d.remaining());
        }
        this.data = d;
    }

    /** A float32 tensor holding a copy of {@code values}. */
    public static HostTensor ofFloats(long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocateDirect(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return new HostTensor(DataType.FLOAT, shape, b);
    }

    /**
     * This tensor converted to another float type (float32, float16, bfloat16, float64), rounding
     * to nearest even; this tensor itself when it already has that type.
     */
    public HostTensor toFloatType(DataType target) {
        if (target == type) {
            return this;
        }
        if (!type.isFloating() || !convertible(target)) {
            throw new IllegalArgumentException("cannot convert " + type + " to " + target);
        }
        long n = count();
        ByteBuffer b = ByteBuffer.allocateDirect(Math.toIntExact(target.storageBytes(n))).order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < n; i++) {
            double v = doubleAt(i);
            switch (target) {
                case FLOAT -> b.putFloat((float) v);
                case DOUBLE -> b.putDouble(v);
                case FLOAT16 -> b.putShort((short) dev.whittle.core.tensor.Numerics.floatToHalf((float) v));
                default -> b.putShort((short) dev.whittle.core.tensor.Numerics.floatToBfloat16((float) v));
            }
        }
        b.flip();
        return new HostTensor(target, shape, b);
    }

    /** Whether {@link #toFloatType} converts to {@code t}. */
    public static boolean convertible(DataType t) {
        return t == DataType.FLOAT || t == DataType.DOUBLE || t == DataType.FLOAT16 || t == DataType.BFLOAT16;
    }

    /** An int64 tensor holding a copy of {@code values}. */
    public static HostTensor ofLongs(long[] shape, long[] values) {
        ByteBuffer b = ByteBuffer.allocateDirect(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return new HostTensor(DataType.INT64, shape, b);
    }

    public DataType type() {
        return type;
    }

    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Size of axis 0: the number of samples (1 for a scalar). */
    public long samples() {
        return shape.length == 0 ? 1 : shape[0];
    }

    public long count() {
        return count(shape);
    }

    /** A read-only little-endian view of the bytes, positioned at 0. */
    public ByteBuffer bytes() {
        return data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The bytes as a writable-typed view for ONNX Runtime, which never writes to inputs. */
    ByteBuffer nativeBytes() {
        return data.duplicate().order(ByteOrder.nativeOrder());
    }

    /** Samples [from, to) along axis 0, sharing the bytes. */
    public HostTensor rows(long from, long to) {
        if (shape.length == 0 || from < 0 || to > shape[0] || from > to) {
            throw new IndexOutOfBoundsException("rows " + from + ".." + to + " of " + Arrays.toString(shape));
        }
        long per = count(shape) / Math.max(1, shape[0]);
        if (type.bits() % 8 != 0) {
            throw new IllegalStateException("cannot slice packed " + type + " data by rows");
        }
        int esz = type.bits() / 8;
        long[] s = shape.clone();
        s[0] = to - from;
        ByteBuffer d = data.duplicate();
        d.position(Math.toIntExact(from * per * esz)).limit(Math.toIntExact(to * per * esz));
        return new HostTensor(type, s, d.slice());
    }

    /** Size of {@code axis}: the number of samples when it is the data's sample axis. */
    public long size(int axis) {
        return shape[axis];
    }

    /**
     * Entries [from, to) along {@code axis}: a view sharing the bytes on axis 0, a copy on any
     * other axis (the entries are not contiguous there).
     */
    public HostTensor slice(int axis, long from, long to) {
        if (axis == 0) {
            return rows(from, to);
        }
        if (axis < 0 || axis >= shape.length || from < 0 || to > shape[axis] || from > to) {
            throw new IndexOutOfBoundsException("entries " + from + ".." + to + " of axis " + axis + " of " + Arrays.toString(shape));
        }
        if (type.bits() % 8 != 0) {
            throw new IllegalStateException("cannot slice packed " + type + " data");
        }
        long outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= shape[i];
        }
        long inner = (long) (type.bits() / 8);
        for (int i = axis + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        long[] s = shape.clone();
        s[axis] = to - from;
        ByteBuffer out = ByteBuffer.allocateDirect(Math.toIntExact(outer * (to - from) * inner)).order(ByteOrder.LITTLE_ENDIAN);
        copyAxis(data, shape[axis], outer, inner, from, to, out);
        return new HostTensor(type, s, out.flip());
    }

    /**
     * Copies entries [from, to) of the middle axis of a {@code [outer, size, inner bytes]} array
     * into {@code out} at its position; shared with the batch feeds, which copy into a buffer
     * made once per loop.
     */
    static void copyAxis(ByteBuffer src, long size, long outer, long inner, long from, long to, ByteBuffer out) {
        long span = (to - from) * inner;
        for (long o = 0; o < outer; o++) {
            ByteBuffer part = src.duplicate();
            long at = (o * size + from) * inner;
            part.position(Math.toIntExact(at)).limit(Math.toIntExact(at + span));
            out.put(part);
        }
    }

    /** Element {@code i} as a long; for integer and bool types (labels, token ids). */
    public long longAt(long i) {
        int at = Math.toIntExact(i * (type.bits() / 8));
        return switch (type) {
            case INT64, UINT64 -> data.getLong(at);
            case INT32 -> data.getInt(at);
            case UINT32 -> data.getInt(at) & 0xffffffffL;
            case INT16 -> data.getShort(at);
            case UINT16 -> data.getShort(at) & 0xffff;
            case INT8 -> data.get(at);
            case UINT8, BOOL -> data.get(at) & 0xff;
            default -> throw new BadInputException("Expected integer values but the array holds " + type + ".");
        };
    }

    /** Element {@code i} converted to double; for float and integer types. */
    public double doubleAt(long i) {
        int at = Math.toIntExact(i * (type.bits() / 8));
        return switch (type) {
            case FLOAT -> data.getFloat(at);
            case DOUBLE -> data.getDouble(at);
            case FLOAT16 -> dev.whittle.core.tensor.Numerics.halfToFloat(data.getShort(at) & 0xffff);
            case BFLOAT16 -> dev.whittle.core.tensor.Numerics.bfloat16ToFloat(data.getShort(at) & 0xffff);
            default -> longAt(i);
        };
    }

    /**
     * The smallest and largest element, for integer and bool types (labels), as {min, max};
     * {0, -1} when empty. Worked out on first use and kept, since the bytes never change:
     * every evaluation checks its labels, and on small models scanning them each time was a
     * measurable part of the evaluation.
     */
    long[] integerRange() {
        long[] r = integerRange;
        if (r == null) {
            long n = count();
            long min = n == 0 ? 0 : Long.MAX_VALUE;
            long max = n == 0 ? -1 : Long.MIN_VALUE;
            for (long i = 0; i < n; i++) {
                long v = longAt(i);
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            r = new long[] {min, max};
            integerRange = r;
        }
        return r.clone();
    }

    static long count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    public String describe() {
        return type + Arrays.toString(shape);
    }

    @Override
    public String toString() {
        return describe();
    }
}
