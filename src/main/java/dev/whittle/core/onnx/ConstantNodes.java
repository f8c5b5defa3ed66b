package dev.whittle.core.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.whittle.core.model.DataType;
import dev.whittle.core.model.Storage;
import dev.whittle.core.model.TensorData;

/** Reads the tensor a {@code Constant} node produces, whichever value attribute it uses. */
final class ConstantNodes {
    private ConstantNodes() {
    }

    static TensorData decode(TensorDecoder decoder, NodeProto n, Storage storage, String file) {
        String name = n.getOutput(0);
        for (AttributeProto a : n.getAttributeList()) {
            TensorProto.Builder t = TensorProto.newBuilder().setName(name);
            switch (a.getName()) {
                case "value":
                    return decoder.decode(a.getT(), name, storage);
                case "sparse_value":
                    return SparseTensors.decode(decoder, a.getSparseTensor().toBuilder()
                            .setValues(a.getSparseTensor().getValues().toBuilder().setName(name)).build(), storage, file);
                case "value_float":
                    return decoder.decode(t.setDataType(DataType.FLOAT.code()).addFloatData(a.getF()).build(), name, storage);
                case "value_floats":
                    return decoder.decode(t.setDataType(DataType.FLOAT.code()).addDims(a.getFloatsCount())
                            .addAllFloatData(a.getFloatsList()).build(), name, storage);
                case "value_int":
                    return decoder.decode(t.setDataType(DataType.INT64.code()).addInt64Data(a.getI()).build(), name, storage);
                case "value_ints":
                    return decoder.decode(t.setDataType(DataType.INT64.code()).addDims(a.getIntsCount())
                            .addAllInt64Data(a.getIntsList()).build(), name, storage);
                case "value_string":
                    return decoder.decode(t.setDataType(DataType.STRING.code()).addStringData(a.getS()).build(), name, storage);
                case "value_strings":
                    return decoder.decode(t.setDataType(DataType.STRING.code()).addDims(a.getStringsCount())
                            .addAllStringData(a.getStringsList()).build(), name, storage);
                default:
                    break;
            }
        }
        return null;
    }
}
