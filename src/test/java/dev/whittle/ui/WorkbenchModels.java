package dev.whittle.ui;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A three-layer model built in code: conv1 (Conv, weight 2x1x3x3), fc1/MatMul (MatMul, 8x4)
 * and head/Gemm (Gemm, 3x4 with transB=1, plus a bias). Weights are fixed, simple sequences so
 * tests can compute the expected statistics by hand.
 */
final class WorkbenchModels {
    static final String CONV = "conv1";
    static final String MATMUL = "fc1/MatMul";
    static final String GEMM = "head/Gemm";

    private WorkbenchModels() {
    }

    /** conv1.weight: (i - 9) / 10 for i in 0..17, so -0.9 .. 0.8 with one exact zero. */
    static float[] convWeights() {
        float[] w = new float[18];
        for (int i = 0; i < w.length; i++) {
            w[i] = (i - 9) / 10f;
        }
        return w;
    }

    static ModelProto proto() {
        float[] fc = new float[32];
        for (int i = 0; i < fc.length; i++) {
            fc[i] = (i % 8 - 4) * 0.25f;
        }
        float[] head = new float[12];
        for (int i = 0; i < head.length; i++) {
            head[i] = i * 0.5f;
        }
        GraphProto graph = GraphProto.newBuilder()
                .setName("tiny")
                .addInput(value("x", 1, 1, 4, 4))
                .addOutput(value("y", 1, 3))
                .addInitializer(tensor("conv1.weight", convWeights(), 2, 1, 3, 3))
                .addInitializer(tensor("fc1.weight", fc, 8, 4))
                .addInitializer(tensor("head.weight", head, 3, 4))
                .addInitializer(tensor("head.bias", new float[] {0.1f, 0.2f, 0.3f}, 3))
                .addNode(NodeProto.newBuilder().setName(CONV).setOpType("Conv")
                        .addInput("x").addInput("conv1.weight").addOutput("c"))
                .addNode(NodeProto.newBuilder().setName("flatten").setOpType("Flatten")
                        .addInput("c").addOutput("f"))
                .addNode(NodeProto.newBuilder().setName(MATMUL).setOpType("MatMul")
                        .addInput("f").addInput("fc1.weight").addOutput("h"))
                .addNode(NodeProto.newBuilder().setName(GEMM).setOpType("Gemm")
                        .addInput("h").addInput("head.weight").addInput("head.bias").addOutput("y")
                        .addAttribute(AttributeProto.newBuilder().setName("transB").setType(AttributeProto.AttributeType.INT).setI(1)))
                .build();
        return ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName("whittle-tests")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setGraph(graph)
                .build();
    }

    static OnnxModel model() {
        return OnnxReader.fromProto(proto(), null);
    }

    /** Writes the model to {@code dir/name} and returns the path. */
    static Path save(Path dir, String name) {
        Path file = dir.resolve(name);
        model().save(file);
        return file;
    }

    static Path emptyFile(Path dir) throws IOException {
        return Files.write(dir.resolve("empty.onnx"), new byte[0]);
    }

    private static TensorProto tensor(String name, float[] values, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
        for (long d : dims) {
            t.addDims(d);
        }
        for (float v : values) {
            t.addFloatData(v);
        }
        return t.build();
    }

    private static ValueInfoProto value(String name, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
    }
}
