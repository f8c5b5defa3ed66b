package dev.whittle.testing;

import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Test-only conversions between ONNX TensorProtos and ONNX Runtime tensors. The Java API can
 * create float, double, int8/16/32/64, uint8, bool, float16, bfloat16 and string tensors;
 * uint16/32/64, complex and float8 inputs throw {@link UnsupportedOperationException}.
 */
public final class OrtTensors {
    private OrtTensors() {
    }

    /** A new ORT tensor holding the TensorProto's values; the caller closes it. */
    public static OnnxTensor create(OrtEnvironment env, TensorProto t) throws OrtException {
        long[] shape = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        int type = t.getDataType();
        if (type == 8) {
            Elements e = Elements.of(t);
            return OnnxTensor.createTensor(env, e.strings, shape);
        }
        OnnxJavaType java = switch (type) {
            case 1 -> OnnxJavaType.FLOAT;
            case 2 -> OnnxJavaType.UINT8;
            case 3 -> OnnxJavaType.INT8;
            case 5 -> OnnxJavaType.INT16;
            case 6 -> OnnxJavaType.INT32;
            case 7 -> OnnxJavaType.INT64;
            case 9 -> OnnxJavaType.BOOL;
            case 10 -> OnnxJavaType.FLOAT16;
            case 11 -> OnnxJavaType.DOUBLE;
            case 16 -> OnnxJavaType.BFLOAT16;
            default -> throw new UnsupportedOperationException("ONNX Runtime's Java API cannot create tensors of ONNX type " + type);
        };
        ByteBuffer le = littleEndianBytes(t);
        ByteBuffer direct = ByteBuffer.allocateDirect(le.remaining()).order(ByteOrder.nativeOrder());
        direct.put(le).flip();
        return OnnxTensor.createTensor(env, direct, shape, java);
    }

    /** The stored elements of a non-string TensorProto as little-endian bytes, from raw_data or typed fields. */
    static ByteBuffer littleEndianBytes(TensorProto t) {
        if (!t.getRawData().isEmpty()) {
            return t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        }
        int type = t.getDataType();
        int width = switch (type) {
            case 2, 3, 9 -> 1;
            case 4, 5, 10, 16 -> 2;
            case 1, 6, 12 -> 4;
            default -> 8;
        };
        int n = switch (type) {
            case 1 -> t.getFloatDataCount();
            case 11 -> t.getDoubleDataCount();
            case 7 -> t.getInt64DataCount();
            case 12, 13 -> t.getUint64DataCount();
            default -> t.getInt32DataCount();
        };
        ByteBuffer b = ByteBuffer.allocate(n * width).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            switch (type) {
                case 1 -> b.putFloat(t.getFloatData(i));
                case 11 -> b.putDouble(t.getDoubleData(i));
                case 7 -> b.putLong(t.getInt64Data(i));
                case 12 -> b.putInt((int) t.getUint64Data(i));
                case 13 -> b.putLong(t.getUint64Data(i));
                default -> {
                    int v = t.getInt32Data(i);
                    switch (width) {
                        case 1 -> b.put((byte) v);
                        case 2 -> b.putShort((short) v);
                        default -> b.putInt(v);
                    }
                }
            }
        }
        return b.flip();
    }

    /** The ONNX element type code (TensorProto.DataType) of an ORT tensor; ORT's Java enum numbers them differently. */
    public static int onnxType(OnnxTensor t) {
        String name = t.getInfo().onnxType.name().replace("ONNX_TENSOR_ELEMENT_DATA_TYPE_", "");
        return TensorProto.DataType.valueOf(name).getNumber();
    }

    /**
     * The tensor's exact contents as bytes: the stored elements for numeric types, the UTF-8
     * strings each preceded by its length for string tensors.
     */
    public static byte[] exactBytes(OnnxTensor t) throws OrtException {
        if (t.getInfo().type == OnnxJavaType.STRING) {
            List<byte[]> parts = new ArrayList<>();
            int total = 0;
            for (String s : strings(t)) {
                byte[] u = s.getBytes(StandardCharsets.UTF_8);
                parts.add(u);
                total += 4 + u.length;
            }
            ByteBuffer b = ByteBuffer.allocate(total);
            parts.forEach(u -> b.putInt(u.length).put(u));
            return b.array();
        }
        ByteBuffer b = t.getByteBuffer();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /** The tensor's values, for comparison with an expected TensorProto's {@link Elements}. */
    public static Elements elements(OnnxTensor t) throws OrtException {
        TensorInfo info = t.getInfo();
        if (info.type == OnnxJavaType.STRING) {
            TensorProto.Builder b = TensorProto.newBuilder().setDataType(8);
            for (long d : info.getShape()) {
                b.addDims(d);
            }
            for (String s : strings(t)) {
                b.addStringData(com.google.protobuf.ByteString.copyFromUtf8(s));
            }
            return Elements.of(b.build());
        }
        return Elements.fromLittleEndian(onnxType(t), t.getByteBuffer().order(ByteOrder.nativeOrder()), info.getShape());
    }

    private static List<String> strings(OnnxTensor t) throws OrtException {
        List<String> out = new ArrayList<>();
        flatten(t.getValue(), out);
        return out;
    }

    private static void flatten(Object v, List<String> out) {
        if (v instanceof String s) {
            out.add(s);
        } else if (v instanceof Object[] a) {
            for (Object o : a) {
                flatten(o, out);
            }
        }
    }
}
