package dev.whittle.core.eval;

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

/** Small ONNX models built in code, with fixed weights, for evaluation tests. */
public final class TinyModels {
    private TinyModels() {
    }

    /** Random weights W [in, classes] and b [classes], seeded. */
    public static float[] randomWeights(int n, long seed) {
        Random r = new Random(seed);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) r.nextGaussian();
        }
        return w;
    }

    /** logits = input @ W + b: input "input" float [N, in], output "logits" float [N, classes]. */
    public static OnnxModel linear(float[] w, float[] b, int in, int classes) {
        GraphProto g = GraphProto.newBuilder().setName("linear")
                .addInput(value("input", 1, "N", in))
                .addOutput(value("logits", 1, "N", classes))
                .addInitializer(floats("W", w, in, classes))
                .addInitializer(floats("b", b, classes))
                .addNode(node("MatMul", "mm", new String[] {"input", "W"}, "xw"))
                .addNode(node("Add", "add", new String[] {"xw", "b"}, "logits"))
                .build();
        return model(g);
    }

    /**
     * A model that never finishes: Loop with 2^62 iterations adding 1 to the input. Input
     * "input" float [N, 4], output "logits" float [N, 4]. Only ONNX Runtime's terminate flag stops it.
     */
    static OnnxModel endless() {
        GraphProto body = GraphProto.newBuilder().setName("body")
                .addInput(scalar("i", 7)).addInput(scalar("cond", 9)).addInput(value("v", 1, "N", 4))
                .addOutput(scalar("cond_out", 9)).addOutput(value("v_out", 1, "N", 4))
                .addNode(node("Identity", "keep", new String[] {"cond"}, "cond_out"))
                .addNode(node("Add", "inc", new String[] {"v", "one"}, "v_out"))
                .build();
        NodeProto loop = NodeProto.newBuilder().setOpType("Loop").setName("loop")
                .addInput("trips").addInput("go").addInput("input").addOutput("logits")
                .addAttribute(AttributeProto.newBuilder().setName("body").setType(AttributeProto.AttributeType.GRAPH).setG(body))
                .build();
        GraphProto g = GraphProto.newBuilder().setName("endless")
                .addInput(value("input", 1, "N", 4)).addOutput(value("logits", 1, "N", 4))
                .addInitializer(TensorProto.newBuilder().setName("trips").setDataType(7).addInt64Data(1L << 62))
                .addInitializer(TensorProto.newBuilder().setName("go").setDataType(9).addInt32Data(1))
                .addInitializer(floats("one", new float[] {1f}, 1))
                .addNode(loop).build();
        return model(g);
    }

    static OnnxModel model(GraphProto g) {
        ModelProto p = ModelProto.newBuilder().setIrVersion(8).setProducerName("whittle-test")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17)).setGraph(g).build();
        return OnnxReader.fromProto(p, null);
    }

    static TensorProto floats(String name, float[] v, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(1).setRawData(ByteString.copyFrom(b.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    static NodeProto node(String op, String name, String[] in, String out) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name).addOutput(out);
        for (String i : in) {
            n.addInput(i);
        }
        return n.build();
    }

    /** A tensor value; each dim is a Long (fixed) or a String (symbolic). */
    static ValueInfoProto value(String name, int elemType, Object... dims) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            if (d instanceof String sym) {
                s.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(sym));
            } else {
                s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(((Number) d).longValue()));
            }
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(s))).build();
    }

    static ValueInfoProto scalar(String name, int elemType) {
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType)
                        .setShape(TensorShapeProto.newBuilder()))).build();
    }
}
