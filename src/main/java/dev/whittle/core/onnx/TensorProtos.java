package dev.whittle.core.onnx;

import ai.onnx.proto.OnnxMl.SparseTensorProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import dev.whittle.core.model.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Encodes float (32, 16, bfloat16) and int64 tensors as raw little-endian TensorProtos, dense or sparse. */
final class TensorProtos {
    private TensorProtos() {
    }

    static TensorProto floats(String name, long[] dims, float[] values) {
        return floats(name, dims, values, DataType.FLOAT);
    }

    /** Float values written as {@code type} (float32, float16, bfloat16 or float64). */
    static TensorProto floats(String name, long[] dims, float[] values, DataType type) {
        return TensorProto.newBuilder().setName(name).setDataType(type.code())
                .addAllDims(boxed(dims)).setRawData(com.google.protobuf.UnsafeByteOperations.unsafeWrap(
                        TensorBytes.encodeFloats(type, values))).build();
    }

    static TensorProto int64s(String name, long[] dims, long[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return TensorProto.newBuilder().setName(name).setDataType(DataType.INT64.code())
                .addAllDims(boxed(dims)).setRawData(ByteString.copyFrom(b.array())).build();
    }

    /**
     * The ONNX sparse form: the non-zero values ([NNZ] float32, carrying the tensor's name) and
     * their linear positions in the dense tensor ([NNZ] int64, ascending), plus the dense dims.
     */
    static SparseTensorProto sparse(String name, long[] dims, float[] values) {
        return sparse(name, dims, values, DataType.FLOAT);
    }

    /** The sparse form with values of {@code type}. */
    static SparseTensorProto sparse(String name, long[] dims, float[] values, DataType type) {
        int nnz = 0;
        for (float v : values) {
            if (v != 0f) {
                nnz++;
            }
        }
        float[] nz = new float[nnz];
        long[] idx = new long[nnz];
        for (int i = 0, k = 0; i < values.length; i++) {
            if (values[i] != 0f) {
                nz[k] = values[i];
                idx[k++] = i;
            }
        }
        return SparseTensorProto.newBuilder()
                .setValues(floats(name, new long[] {nnz}, nz, type))
                .setIndices(int64s("", new long[] {nnz}, idx))
                .addAllDims(boxed(dims)).build();
    }

    private static Iterable<Long> boxed(long[] dims) {
        return java.util.Arrays.stream(dims).boxed().toList();
    }
}
