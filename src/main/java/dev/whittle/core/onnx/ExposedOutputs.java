package dev.whittle.core.onnx;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.whittle.core.model.DataType;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A copy of a model that also outputs chosen intermediate float tensors, serialized for ONNX
 * Runtime: how calibration observes activations. Graph inputs and existing outputs are not
 * added again.
 */
public final class ExposedOutputs {
    private ExposedOutputs() {
    }

    public static byte[] serialize(OnnxModel model, List<String> tensors) {
        GraphProto g = model.proto().getGraph();
        Set<String> present = new HashSet<>();
        g.getInputList().forEach(v -> present.add(v.getName()));
        g.getOutputList().forEach(v -> present.add(v.getName()));
        GraphProto.Builder b = g.toBuilder();
        for (String t : tensors) {
            if (present.add(t)) {
                b.addOutput(ValueInfoProto.newBuilder().setName(t).setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(DataType.FLOAT.code()))));
            }
        }
        return model.proto().toBuilder().setGraph(b).build().toByteArray();
    }
}
