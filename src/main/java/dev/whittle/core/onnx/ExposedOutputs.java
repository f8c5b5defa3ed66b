package dev.whittle.core.onnx;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.whittle.core.InternalException;
import dev.whittle.core.model.DataType;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /** The model with {@code tensors} added as graph outputs. */
    public static ModelProto proto(OnnxModel model, List<String> tensors) {
        return exposing(model, tensors);
    }

    public static byte[] serialize(OnnxModel model, List<String> tensors) {
        return exposing(model, tensors).toByteArray();
    }

    /**
     * Streams the model with the extra outputs to {@code file} (no copy of the whole model on
     * the heap). Only for models without external data, whose paths are relative to the
     * original model's folder.
     */
    public static void write(OnnxModel model, List<String> tensors, Path file) {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            exposing(model, tensors).writeTo(out);
        } catch (IOException e) {
            throw new InternalException("cannot write the calibration model to " + file + ": " + e.getMessage(), e);
        }
    }

    private static ModelProto exposing(OnnxModel model, List<String> tensors) {
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
        return model.proto().toBuilder().setGraph(b).build();
    }
}
