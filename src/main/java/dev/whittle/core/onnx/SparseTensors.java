package dev.whittle.core.onnx;

import ai.onnx.proto.OnnxMl.SparseTensorProto;
import dev.whittle.core.model.Storage;
import dev.whittle.core.model.TensorData;
import java.util.Arrays;

/**
 * Presents a SparseTensorProto (values plus linear [NNZ] or coordinate [NNZ, rank] int64
 * indices) as a dense {@link TensorData} whose reads fill in the zeros.
 */
final class SparseTensors {
    private SparseTensors() {
    }

    static TensorData decode(TensorDecoder decoder, SparseTensorProto s, Storage storage, String file) {
        String name = s.getValues().getName();
        TensorData values = decoder.decode(s.getValues(), name, storage);
        TensorData indices = decoder.decode(s.getIndices(), name + ".indices", storage);
        long[] dims = s.getDimsList().stream().mapToLong(Long::longValue).toArray();
        long dense = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new InvalidModelException(ModelProblem.BAD_DIMS, "Sparse tensor '" + name + "' in " + file
                        + " has a negative dimension in " + Arrays.toString(dims) + ".");
            }
            dense = d == 0 || dense <= TensorDecoder.MAX_ELEMENTS / d ? dense * d : TensorDecoder.MAX_ELEMENTS + 1;
        }
        if (dense > TensorDecoder.MAX_ELEMENTS) {
            throw new InvalidModelException(ModelProblem.BAD_DIMS, "Sparse tensor '" + name + "' in " + file
                    + " declares absurd dimensions " + Arrays.toString(dims) + " (more than 2^48 elements).");
        }
        int nnz = (int) values.count();
        long[] linear = new long[nnz];
        float[] idx = indices.count() == 0 ? new float[0] : indices.toFloatArray();
        if (idx.length == nnz) {
            for (int i = 0; i < nnz; i++) {
                linear[i] = (long) idx[i];
            }
        } else if (idx.length == (long) nnz * dims.length) {
            for (int i = 0; i < nnz; i++) {
                long k = 0;
                for (int d = 0; d < dims.length; d++) {
                    k = k * dims[d] + (long) idx[i * dims.length + d];
                }
                linear[i] = k;
            }
        } else {
            throw new InvalidModelException(ModelProblem.BAD_TENSOR_DATA, "Sparse tensor '" + name + "' in " + file
                    + " has " + nnz + " values but " + idx.length + " indices.");
        }
        for (int i = 0; i < nnz; i++) {
            if (linear[i] < 0 || linear[i] >= dense || (i > 0 && linear[i] <= linear[i - 1])) {
                throw new InvalidModelException(ModelProblem.BAD_TENSOR_DATA, "Sparse tensor '" + name + "' in " + file
                        + " has index " + linear[i] + " out of range or out of order.");
            }
        }
        float[] v = values.isNumeric() ? values.toFloatArray() : null;
        if (v == null) {
            return new TensorData(name, values.type(), dims, storage, null, null);
        }
        return new TensorData(name, values.type(), dims, storage, null, (start, dst, off, len) -> {
            Arrays.fill(dst, off, off + len, 0f);
            int i = Arrays.binarySearch(linear, start);
            i = i < 0 ? -i - 1 : i;
            for (; i < nnz && linear[i] < start + len; i++) {
                dst[off + (int) (linear[i] - start)] = v[i];
            }
        });
    }
}
