package dev.whittle.core.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import dev.whittle.core.BadInputException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Small edits to a model's constant tensors that return a new model; the input is never changed. */
public final class InitializerEdits {
    private InitializerEdits() {
    }

    /**
     * A copy of {@code model} whose float32 constant {@code tensorName} (an initializer, a
     * Constant node's value, or either inside a subgraph) holds {@code values}, stored as raw
     * little-endian bytes inside the model. Dims and name are kept.
     *
     * @throws BadInputException when no float32 tensor has that name, or the count differs
     */
    public static OnnxModel replaceFloats(OnnxModel model, String tensorName, float[] values) {
        int[] found = {0};
        var graph = ProtoWalk.mapTensors(model.proto().getGraph(), t -> {
            if (!t.getName().equals(tensorName)) {
                return t;
            }
            if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
                throw new BadInputException("Tensor '" + tensorName + "' is not float32, so its values cannot be replaced"
                        + " with floats.");
            }
            long count = 1;
            for (long d : t.getDimsList()) {
                count *= d;
            }
            if (count != values.length) {
                throw new BadInputException("Tensor '" + tensorName + "' has " + count + " elements, not " + values.length + ".");
            }
            found[0]++;
            ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(values);
            return t.toBuilder().clearFloatData().clearExternalData().clearDataLocation()
                    .setRawData(ByteString.copyFrom(b.array())).build();
        });
        if (found[0] == 0) {
            throw new BadInputException(model.graph().fileName() + " has no constant tensor named '" + tensorName + "'.");
        }
        ModelProto p = model.proto().toBuilder().setGraph(graph).build();
        OnnxModel out = OnnxReader.fromProto(p, model.source());
        java.lang.ref.Reference.reachabilityFence(model); // its spills, until the new model holds them
        return out;
    }
}
