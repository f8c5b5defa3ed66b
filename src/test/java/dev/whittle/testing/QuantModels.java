package dev.whittle.testing;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

/** Tiny ONNX graphs with fixed, seeded weights for the quantization tests, built with the protobuf builders. */
public final class QuantModels {
    private QuantModels() {
    }

    public static float[] random(long seed, int n, double std) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * std);
        }
        return v;
    }

    public static TensorProto floats(String name, long[] dims, float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(1).setRawData(ByteString.copyFrom(b.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    public static AttributeProto intAttr(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    public static AttributeProto intsAttr(String name, long... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) {
            a.addInts(x);
        }
        return a.build();
    }

    public static NodeProto node(String op, String name, String[] in, String[] out, AttributeProto... attrs) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name);
        for (String s : in) {
            n.addInput(s);
        }
        for (String s : out) {
            n.addOutput(s);
        }
        for (AttributeProto a : attrs) {
            n.addAttribute(a);
        }
        return n.build();
    }

    /** A float tensor value; dims of -1 become a symbolic "batch" dimension. */
    public static ValueInfoProto value(String name, long... dims) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (long d : dims) {
            s.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("batch")
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(1).setShape(s))).build();
    }

    public static ModelProto model(GraphProto g, long opset) {
        return ModelProto.newBuilder().setIrVersion(opset >= 21 ? 10 : 7).setProducerName("whittle-test")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).setGraph(g).build();
    }

    public static OnnxModel load(ModelProto p) {
        return OnnxReader.fromProto(p, null);
    }

    /** X [batch, k] -> MatMul(W [k, n]) -> Add(bias) -> Y [batch, n]. */
    public static ModelProto matmul(int k, int n, long seed, long opset) {
        GraphProto g = GraphProto.newBuilder().setName("matmul")
                .addInput(value("x", -1, k)).addOutput(value("y", -1, n))
                .addInitializer(floats("w", new long[] {k, n}, random(seed, k * n, 0.1)))
                .addInitializer(floats("b", new long[] {n}, random(seed + 1, n, 0.1)))
                .addNode(node("MatMul", "mm", new String[] {"x", "w"}, new String[] {"h"}))
                .addNode(node("Add", "add", new String[] {"h", "b"}, new String[] {"y"}))
                .build();
        return model(g, opset);
    }

    /** X [batch, k] -> Gemm(W1 [h, k], transB=1) -> Relu -> Gemm(W2 [h, n], transB=0) -> Y. */
    public static ModelProto mlp(int k, int h, int n, long seed, long opset) {
        GraphProto g = GraphProto.newBuilder().setName("mlp")
                .addInput(value("x", -1, k)).addOutput(value("y", -1, n))
                .addInitializer(floats("fc1.weight", new long[] {h, k}, random(seed, h * k, 0.2)))
                .addInitializer(floats("fc1.bias", new long[] {h}, random(seed + 1, h, 0.1)))
                .addInitializer(floats("fc2.weight", new long[] {h, n}, random(seed + 2, h * n, 0.2)))
                .addInitializer(floats("fc2.bias", new long[] {n}, random(seed + 3, n, 0.1)))
                .addNode(node("Gemm", "fc1", new String[] {"x", "fc1.weight", "fc1.bias"}, new String[] {"h1"},
                        intAttr("transB", 1)))
                .addNode(node("Relu", "relu", new String[] {"h1"}, new String[] {"r1"}))
                .addNode(node("Gemm", "fc2", new String[] {"r1", "fc2.weight", "fc2.bias"}, new String[] {"y"}))
                .build();
        return model(g, opset);
    }

    /** X [batch, 32, 5, 5] -> ConvTranspose(W [32, 6, 3, 3], bias) -> Y [batch, 6, 7, 7]. */
    public static ModelProto convTranspose(long seed, long opset) {
        GraphProto g = GraphProto.newBuilder().setName("convt")
                .addInput(value("x", -1, 32, 5, 5)).addOutput(value("y", -1, 6, 7, 7))
                .addInitializer(floats("deconv.weight", new long[] {32, 6, 3, 3}, random(seed, 32 * 6 * 9, 0.2)))
                .addInitializer(floats("deconv.bias", new long[] {6}, random(seed + 1, 6, 0.1)))
                .addNode(node("ConvTranspose", "deconv", new String[] {"x", "deconv.weight", "deconv.bias"}, new String[] {"y"},
                        intsAttr("kernel_shape", 3, 3)))
                .build();
        return model(g, opset);
    }

    /** X [batch, c, 8, 8] -> Conv(W1 [m, c, 3, 3], pad 1) -> Relu -> Conv(W2 [o, m, 3, 3]) -> Y [batch, o, 6, 6]. */
    public static ModelProto cnn(int c, int m, int o, long seed, long opset) {
        GraphProto g = GraphProto.newBuilder().setName("cnn")
                .addInput(value("x", -1, c, 8, 8)).addOutput(value("y", -1, o, 6, 6))
                .addInitializer(floats("conv1.weight", new long[] {m, c, 3, 3}, random(seed, m * c * 9, 0.3)))
                .addInitializer(floats("conv1.bias", new long[] {m}, random(seed + 1, m, 0.1)))
                .addInitializer(floats("conv2.weight", new long[] {o, m, 3, 3}, random(seed + 2, o * m * 9, 0.1)))
                .addNode(node("Conv", "conv1", new String[] {"x", "conv1.weight", "conv1.bias"}, new String[] {"c1"},
                        intsAttr("pads", 1, 1, 1, 1), intsAttr("kernel_shape", 3, 3)))
                .addNode(node("Relu", "relu", new String[] {"c1"}, new String[] {"r1"}))
                .addNode(node("Conv", "conv2", new String[] {"r1", "conv2.weight"}, new String[] {"y"},
                        intsAttr("kernel_shape", 3, 3)))
                .build();
        return model(g, opset);
    }
}
