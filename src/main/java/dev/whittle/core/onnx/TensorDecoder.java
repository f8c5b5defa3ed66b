package dev.whittle.core.onnx;

import ai.onnx.proto.OnnxMl.TensorProto;
import dev.whittle.core.model.DataType;
import dev.whittle.core.model.ElementSource;
import dev.whittle.core.model.Storage;
import dev.whittle.core.model.TensorData;
import dev.whittle.core.tensor.Numerics;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Turns a TensorProto into a {@link TensorData}, checking dims against the stored data without
 * ever allocating from the declared dims. Raw and external bytes are wrapped, not copied.
 */
final class TensorDecoder {
    /** Above this many elements dims are treated as absurd rather than tried (2^48). */
    static final long MAX_ELEMENTS = 1L << 48;

    private final String file;
    private final ExternalData external;

    TensorDecoder(String file, ExternalData external) {
        this.file = file;
        this.external = external;
    }

    TensorData decode(TensorProto t, String name, Storage storage) {
        DataType type = DataType.fromCode(t.getDataType()).orElseThrow(() -> new InvalidModelException(
                ModelProblem.BAD_TENSOR_DATA, "Tensor '" + name + "' in " + file + " has unknown data type " + t.getDataType() + "."));
        long[] dims = new long[t.getDimsCount()];
        long count = 1;
        boolean overflow = false;
        for (int i = 0; i < dims.length; i++) {
            dims[i] = t.getDims(i);
            if (dims[i] < 0) {
                throw new InvalidModelException(ModelProblem.BAD_DIMS, "Tensor '" + name + "' in " + file
                        + " has a negative dimension " + dims[i] + " in " + java.util.Arrays.toString(dims(t)) + ".");
            }
        }
        for (long d : dims) {
            try {
                count = Math.multiplyExact(count, d);
            } catch (ArithmeticException e) {
                overflow = true;
            }
        }
        if (overflow || count > MAX_ELEMENTS) {
            throw new InvalidModelException(ModelProblem.BAD_DIMS, "Tensor '" + name + "' in " + file
                    + " declares absurd dimensions " + java.util.Arrays.toString(dims) + " (more than 2^48 elements).");
        }
        if (type == DataType.STRING) {
            expectCount(name, type, dims, count, t.getStringDataCount(), "string_data");
            return new TensorData(name, type, dims, storage, null, null);
        }
        long expectedBytes = type.storageBytes(count);
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            ByteBuffer mapped = mapExternal(t, name, expectedBytes);
            Storage s = Storage.EXTERNAL;
            return new TensorData(name, type, dims, s, mapped, rawSource(type, mapped));
        }
        if (!t.getRawData().isEmpty() || !hasTypedData(t)) {
            long have = t.getRawData().size();
            if (have != expectedBytes) {
                throw new InvalidModelException(ModelProblem.BAD_TENSOR_DATA, "Tensor '" + name + "' in " + file
                        + " declares dims " + java.util.Arrays.toString(dims) + " (" + expectedBytes + " bytes of " + type
                        + ") but holds " + have + " bytes.");
            }
            ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            return new TensorData(name, type, dims, storage, raw, rawSource(type, raw));
        }
        return new TensorData(name, type, dims, storage, null, typedSource(t, name, type, dims, count));
    }

    private static long[] dims(TensorProto t) {
        return t.getDimsList().stream().mapToLong(Long::longValue).toArray();
    }

    private ByteBuffer mapExternal(TensorProto t, String name, long expected) {
        return external.map(t, name, expected);
    }

    private static boolean hasTypedData(TensorProto t) {
        return t.getFloatDataCount() > 0 || t.getInt32DataCount() > 0 || t.getInt64DataCount() > 0
                || t.getDoubleDataCount() > 0 || t.getUint64DataCount() > 0 || t.getStringDataCount() > 0;
    }

    private void expectCount(String name, DataType type, long[] dims, long expected, long have, String field) {
        if (expected != have) {
            throw new InvalidModelException(ModelProblem.BAD_TENSOR_DATA, "Tensor '" + name + "' in " + file
                    + " declares dims " + java.util.Arrays.toString(dims) + " (" + expected + " values of " + type
                    + ") but its " + field + " holds " + have + ".");
        }
    }

    private ElementSource typedSource(TensorProto t, String name, DataType type, long[] dims, long count) {
        switch (type) {
            case FLOAT -> {
                expectCount(name, type, dims, count, t.getFloatDataCount(), "float_data");
                float[] v = new float[(int) count];
                List<Float> list = t.getFloatDataList();
                for (int i = 0; i < v.length; i++) {
                    v[i] = list.get(i);
                }
                return (s, dst, off, len) -> System.arraycopy(v, (int) s, dst, off, len);
            }
            case COMPLEX64 -> {
                expectCount(name, type, dims, count * 2, t.getFloatDataCount(), "float_data");
                return null;
            }
            case DOUBLE -> {
                expectCount(name, type, dims, count, t.getDoubleDataCount(), "double_data");
                double[] v = t.getDoubleDataList().stream().mapToDouble(Double::doubleValue).toArray();
                return (s, dst, off, len) -> {
                    for (int i = 0; i < len; i++) {
                        dst[off + i] = (float) v[(int) s + i];
                    }
                };
            }
            case COMPLEX128 -> {
                expectCount(name, type, dims, count * 2, t.getDoubleDataCount(), "double_data");
                return null;
            }
            case INT64 -> {
                expectCount(name, type, dims, count, t.getInt64DataCount(), "int64_data");
                long[] v = t.getInt64DataList().stream().mapToLong(Long::longValue).toArray();
                return (s, dst, off, len) -> {
                    for (int i = 0; i < len; i++) {
                        dst[off + i] = v[(int) s + i];
                    }
                };
            }
            case UINT32, UINT64 -> {
                expectCount(name, type, dims, count, t.getUint64DataCount(), "uint64_data");
                long[] v = t.getUint64DataList().stream().mapToLong(Long::longValue).toArray();
                boolean u64 = type == DataType.UINT64;
                return (s, dst, off, len) -> {
                    for (int i = 0; i < len; i++) {
                        long x = v[(int) s + i];
                        dst[off + i] = u64 && x < 0 ? (float) ((x >>> 1) * 2.0 + (x & 1)) : (float) x;
                    }
                };
            }
            case INT4, UINT4 -> {
                expectCount(name, type, dims, (count + 1) / 2, t.getInt32DataCount(), "int32_data");
                int[] v = t.getInt32DataList().stream().mapToInt(Integer::intValue).toArray();
                boolean signed = type == DataType.INT4;
                return (s, dst, off, len) -> {
                    for (int i = 0; i < len; i++) {
                        long k = s + i;
                        dst[off + i] = nibble(v[(int) (k >>> 1)], (k & 1) == 1, signed);
                    }
                };
            }
            default -> {
                expectCount(name, type, dims, count, t.getInt32DataCount(), "int32_data");
                int[] v = t.getInt32DataList().stream().mapToInt(Integer::intValue).toArray();
                return (s, dst, off, len) -> {
                    for (int i = 0; i < len; i++) {
                        dst[off + i] = fromInt32Field(type, v[(int) s + i]);
                    }
                };
            }
        }
    }

    private static float nibble(int packed, boolean high, boolean signed) {
        int n = high ? (packed >>> 4) & 0xf : packed & 0xf;
        return signed && n >= 8 ? n - 16 : n;
    }

    private static float fromInt32Field(DataType type, int v) {
        return switch (type) {
            case FLOAT16 -> Numerics.halfToFloat(v & 0xffff);
            case BFLOAT16 -> Numerics.bfloat16ToFloat(v & 0xffff);
            case FLOAT8E4M3FN -> Numerics.e4m3fnToFloat(v & 0xff);
            case FLOAT8E4M3FNUZ -> Numerics.e4m3fnuzToFloat(v & 0xff);
            case FLOAT8E5M2 -> Numerics.e5m2ToFloat(v & 0xff);
            case FLOAT8E5M2FNUZ -> Numerics.e5m2fnuzToFloat(v & 0xff);
            case BOOL -> v != 0 ? 1f : 0f;
            default -> v;
        };
    }

    /** Reads little-endian stored elements of any numeric type; null for strings and complex. */
    static ElementSource rawSource(DataType type, ByteBuffer bytes) {
        ByteBuffer b = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        return switch (type) {
            case FLOAT -> {
                var fb = b.asFloatBuffer();
                yield (s, dst, off, len) -> fb.get((int) s, dst, off, len);
            }
            case DOUBLE -> {
                var db = b.asDoubleBuffer();
                yield (s, dst, off, len) -> {
                    for (int i = 0; i < len; i++) {
                        dst[off + i] = (float) db.get((int) s + i);
                    }
                };
            }
            case INT8 -> (s, dst, off, len) -> {
                for (int i = 0; i < len; i++) {
                    dst[off + i] = b.get((int) s + i);
                }
            };
            case UINT8, BOOL -> (s, dst, off, len) -> {
                for (int i = 0; i < len; i++) {
                    dst[off + i] = b.get((int) s + i) & 0xff;
                }
            };
            case INT16, UINT16, FLOAT16, BFLOAT16 -> {
                var sb = b.asShortBuffer();
                yield (s, dst, off, len) -> {
                    for (int i = 0; i < len; i++) {
                        int v = sb.get((int) s + i);
                        dst[off + i] = switch (type) {
                            case INT16 -> v;
                            case UINT16 -> v & 0xffff;
                            case FLOAT16 -> Numerics.halfToFloat(v & 0xffff);
                            default -> Numerics.bfloat16ToFloat(v & 0xffff);
                        };
                    }
                };
            }
            case INT32, UINT32 -> {
                var ib = b.asIntBuffer();
                boolean unsigned = type == DataType.UINT32;
                yield (s, dst, off, len) -> {
                    for (int i = 0; i < len; i++) {
                        int v = ib.get((int) s + i);
                        dst[off + i] = unsigned ? (float) (v & 0xffffffffL) : v;
                    }
                };
            }
            case INT64, UINT64 -> {
                var lb = b.asLongBuffer();
                boolean unsigned = type == DataType.UINT64;
                yield (s, dst, off, len) -> {
                    for (int i = 0; i < len; i++) {
                        long x = lb.get((int) s + i);
                        dst[off + i] = unsigned && x < 0 ? (float) ((x >>> 1) * 2.0 + (x & 1)) : (float) x;
                    }
                };
            }
            case FLOAT8E4M3FN, FLOAT8E4M3FNUZ, FLOAT8E5M2, FLOAT8E5M2FNUZ -> (s, dst, off, len) -> {
                for (int i = 0; i < len; i++) {
                    dst[off + i] = fromInt32Field(type, b.get((int) s + i) & 0xff);
                }
            };
            case INT4, UINT4 -> (s, dst, off, len) -> {
                boolean signed = type == DataType.INT4;
                for (int i = 0; i < len; i++) {
                    long k = s + i;
                    dst[off + i] = nibble(b.get((int) (k >>> 1)), (k & 1) == 1, signed);
                }
            };
            case STRING, COMPLEX64, COMPLEX128 -> null;
        };
    }
}
