package dev.whittle.testing;

import ai.onnx.proto.OnnxMl.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Tensor values decoded independently of Whittle's own decoder, to check it and to compare
 * ONNX Runtime outputs with stored expectations. Floating types land in {@link #reals},
 * integer and bool types in {@link #ints} (uint64 as its bit pattern), strings in {@link #strings}.
 */
public final class Elements {
    public final int type;
    public final long[] shape;
    public final double[] reals;
    public final long[] ints;
    public final String[] strings;

    private Elements(int type, long[] shape, double[] reals, long[] ints, String[] strings) {
        this.type = type;
        this.shape = shape;
        this.reals = reals;
        this.ints = ints;
        this.strings = strings;
    }

    public int count() {
        return reals != null ? reals.length : ints != null ? ints.length : strings.length;
    }

    /** Element {@code i} as a float, the way Whittle's TensorData reports it. */
    public float asFloat(int i) {
        if (reals != null) {
            return (float) reals[i];
        }
        long v = ints[i];
        if (type == 13 && v < 0) {
            return new java.math.BigDecimal(Long.toUnsignedString(v)).floatValue();
        }
        return (float) v;
    }

    public static boolean isReal(int type) {
        return type == 1 || type == 10 || type == 11 || type == 16;
    }

    /** Decodes a TensorProto's raw_data or typed fields; null for types this helper does not know. */
    public static Elements of(TensorProto t) {
        long[] shape = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        int type = t.getDataType();
        if (type == 8) {
            String[] s = t.getStringDataList().stream().map(b -> b.toString(StandardCharsets.UTF_8)).toArray(String[]::new);
            return new Elements(type, shape, null, null, s);
        }
        if (!t.getRawData().isEmpty()) {
            return fromLittleEndian(type, t.getRawData().asReadOnlyByteBuffer(), shape);
        }
        return switch (type) {
            case 1 -> new Elements(type, shape, t.getFloatDataList().stream().mapToDouble(Float::doubleValue).toArray(), null, null);
            case 11 -> new Elements(type, shape, t.getDoubleDataList().stream().mapToDouble(Double::doubleValue).toArray(), null, null);
            case 10, 16 -> new Elements(type, shape, t.getInt32DataList().stream()
                    .mapToDouble(v -> type == 10 ? half(v & 0xffff) : Float.intBitsToFloat((v & 0xffff) << 16)).toArray(), null, null);
            case 2, 3, 4, 5, 6, 9 -> new Elements(type, shape, null, t.getInt32DataList().stream()
                    .mapToLong(v -> narrow(type, v)).toArray(), null);
            case 7 -> new Elements(type, shape, null, t.getInt64DataList().stream().mapToLong(Long::longValue).toArray(), null);
            case 12, 13 -> new Elements(type, shape, null, t.getUint64DataList().stream().mapToLong(Long::longValue).toArray(), null);
            default -> null;
        };
    }

    private static long narrow(int type, int v) {
        return switch (type) {
            case 2 -> v & 0xff;
            case 3 -> (byte) v;
            case 4 -> v & 0xffff;
            case 5 -> (short) v;
            case 9 -> v != 0 ? 1 : 0;
            default -> v;
        };
    }

    /** Decodes little-endian stored elements of ONNX element type {@code type}; null if unknown. */
    public static Elements fromLittleEndian(int type, ByteBuffer bytes, long[] shape) {
        ByteBuffer b = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int width = switch (type) {
            case 2, 3, 9 -> 1;
            case 4, 5, 10, 16 -> 2;
            case 1, 6, 12 -> 4;
            case 7, 11, 13 -> 8;
            default -> 0;
        };
        if (width == 0) {
            return null;
        }
        int n = b.remaining() / width;
        if (isReal(type)) {
            double[] r = new double[n];
            for (int i = 0; i < n; i++) {
                r[i] = switch (type) {
                    case 1 -> b.getFloat();
                    case 11 -> b.getDouble();
                    case 10 -> half(b.getShort() & 0xffff);
                    default -> Float.intBitsToFloat((b.getShort() & 0xffff) << 16);
                };
            }
            return new Elements(type, shape, r, null, null);
        }
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = switch (type) {
                case 2 -> b.get() & 0xff;
                case 3 -> b.get();
                case 9 -> b.get() != 0 ? 1 : 0;
                case 4 -> b.getShort() & 0xffff;
                case 5 -> b.getShort();
                case 6 -> b.getInt();
                case 12 -> b.getInt() & 0xffffffffL;
                default -> b.getLong();
            };
        }
        return new Elements(type, shape, null, v, null);
    }

    /** IEEE binary16 by its definition: (-1)^s * 2^(e-15) * 1.m, subnormals m * 2^-24. */
    static double half(int bits) {
        int s = bits >>> 15;
        int e = (bits >>> 10) & 0x1f;
        int m = bits & 0x3ff;
        double mag;
        if (e == 0x1f) {
            mag = m == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else if (e == 0) {
            mag = m * Math.pow(2, -24);
        } else {
            mag = (1 + m / 1024.0) * Math.pow(2, e - 15);
        }
        return s == 1 ? -mag : mag;
    }

    /**
     * Null if {@code actual} matches this expectation as numpy's assert_allclose(actual,
     * expected, rtol, atol) would (NaN matches NaN, shapes and types equal), else what differs.
     */
    public String mismatch(Elements actual, double rtol, double atol) {
        if (!Arrays.equals(shape, actual.shape)) {
            return "shape " + Arrays.toString(actual.shape) + " != expected " + Arrays.toString(shape);
        }
        if (count() != actual.count()) {
            return actual.count() + " elements != expected " + count();
        }
        if (strings != null) {
            return Arrays.equals(strings, actual.strings) ? null : "strings differ";
        }
        if (ints != null && actual.ints != null) {
            for (int i = 0; i < ints.length; i++) {
                if (ints[i] != actual.ints[i]) {
                    return "element " + i + ": " + actual.ints[i] + " != expected " + ints[i];
                }
            }
            return null;
        }
        if (reals == null || actual.reals == null) {
            return "type " + actual.type + " != expected " + type;
        }
        for (int i = 0; i < reals.length; i++) {
            double e = reals[i];
            double a = actual.reals[i];
            boolean ok = Double.isNaN(e) ? Double.isNaN(a)
                    : Double.isInfinite(e) ? a == e
                    : Math.abs(a - e) <= atol + rtol * Math.abs(e);
            if (!ok) {
                return "element " + i + ": " + a + " != expected " + e;
            }
        }
        return null;
    }
}
