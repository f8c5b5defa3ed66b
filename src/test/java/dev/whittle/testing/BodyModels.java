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
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Small models with weight layers inside If, Loop and Scan bodies (nested too) and recurrent
 * LSTM/GRU/RNN nodes, for tests. Every weight is a seeded Gaussian; inputs are float only (the
 * If condition is computed from the float input {@code s}: s > 0 takes the then branch).
 */
public final class BodyModels {
    private BodyModels() {
    }

    public static float[] w(long seed, int n) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * 0.5);
        }
        return v;
    }

    /**
     * x [1,2,6,6], s [1] -> y: If(s > 0) then Conv(x, tc1 [4,2,3,3]) -> Relu -> Conv(tc2 [3,4,1,1])
     * else Conv(x, ec [3,2,3,3]): the output is [1,3,4,4] either way.
     */
    public static OnnxModel ifConv() {
        return ifConv(false);
    }

    /** As {@link #ifConv()}; with {@code outerBias} then_conv1 has a bias {@code tb} [4] that is a main-graph initializer. */
    public static OnnxModel ifConv(boolean outerBias) {
        NodeProto conv1 = outerBias ? node("Conv", "then_conv1", "h1", "x", "tc1", "tb") : node("Conv", "then_conv1", "h1", "x", "tc1");
        GraphProto then = GraphProto.newBuilder().setName("then")
                .addInitializer(floats("tc1", w(1, 4 * 2 * 9), 4, 2, 3, 3))
                .addInitializer(floats("tc2", w(2, 3 * 4), 3, 4, 1, 1))
                .addNode(conv1)
                .addNode(node("Relu", "then_relu", "h2", "h1"))
                .addNode(node("Conv", "then_conv2", "ty", "h2", "tc2"))
                .addOutput(value("ty", 1, 3, 4, 4)).build();
        GraphProto other = GraphProto.newBuilder().setName("else")
                .addInitializer(floats("ec", w(3, 3 * 2 * 9), 3, 2, 3, 3))
                .addNode(node("Conv", "", "ey", "x", "ec"))
                .addOutput(value("ey", 1, 3, 4, 4)).build();
        GraphProto.Builder main = GraphProto.newBuilder().setName("if_conv");
        if (outerBias) {
            main.addInitializer(floats("tb", w(4, 4), 4));
        }
        GraphProto g = main
                .addInput(value("x", 1, 2, 6, 6)).addInput(value("s", 1))
                .addInitializer(floats("zero", new float[] {0f}, 1))
                .addNode(node("Greater", "gt", "cond", "s", "zero"))
                .addNode(NodeProto.newBuilder().setOpType("If").setName("If_0").addInput("cond").addOutput("y")
                        .addAttribute(graph("then_branch", then)).addAttribute(graph("else_branch", other)))
                .addOutput(value("y", 1, 3, 4, 4)).build();
        return model(g);
    }

    /**
     * x [2,4], s [1] -> y [2,4]: Loop 3 times over h: h = Tanh(MatMul(h, W)) with W [4,4] a main-graph
     * initializer read inside the body (outer scope), then an If nested in the body: s > 0 gives
     * MatMul(h, tw) (a then-branch initializer), else MatMul(h, ew) (a Constant node's value).
     */
    public static OnnxModel loopNestedIf() {
        GraphProto then = GraphProto.newBuilder().setName("then")
                .addInitializer(floats("tw", w(11, 16), 4, 4))
                .addNode(node("MatMul", "then_mm", "tout", "h1", "tw"))
                .addOutput(value("tout", 2, 4)).build();
        GraphProto other = GraphProto.newBuilder().setName("else")
                .addNode(NodeProto.newBuilder().setOpType("Constant").setName("ew_const").addOutput("ew")
                        .addAttribute(AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR)
                                .setT(floats("ew", w(12, 16), 4, 4))))
                .addNode(node("MatMul", "else_mm", "eout", "h1", "ew"))
                .addOutput(value("eout", 2, 4)).build();
        GraphProto body = GraphProto.newBuilder().setName("body")
                .addInput(typed("i", 7)).addInput(typed("c", 9)).addInput(value("h", 2, 4))
                .addNode(node("MatMul", "body_mm", "m", "h", "W"))
                .addNode(node("Tanh", "body_tanh", "h1", "m"))
                .addNode(NodeProto.newBuilder().setOpType("If").setName("inner_if").addInput("cond").addOutput("h2")
                        .addAttribute(graph("then_branch", then)).addAttribute(graph("else_branch", other)))
                .addNode(node("Identity", "body_c", "c_out", "c"))
                .addOutput(typed("c_out", 9)).addOutput(value("h2", 2, 4)).build();
        GraphProto g = GraphProto.newBuilder().setName("loop_if")
                .addInput(value("x", 2, 4)).addInput(value("s", 1))
                .addInitializer(floats("W", w(10, 16), 4, 4))
                .addInitializer(floats("zero", new float[] {0f}, 1))
                .addInitializer(TensorProto.newBuilder().setName("trips").setDataType(7).addInt64Data(3))
                .addInitializer(TensorProto.newBuilder().setName("go").setDataType(9).addInt32Data(1))
                .addNode(node("Greater", "gt", "cond", "s", "zero"))
                .addNode(NodeProto.newBuilder().setOpType("Loop").setName("Loop_0").addInput("trips").addInput("go")
                        .addInput("x").addOutput("y").addAttribute(graph("body", body)))
                .addOutput(value("y", 2, 4)).build();
        return model(g);
    }

    /** x [5,4] (a sequence of 5 vectors), s [1] unused by Scan -> ys [5,6]: Scan body h = Tanh(MatMul(x_t, sw) + h). */
    public static OnnxModel scan() {
        GraphProto body = GraphProto.newBuilder().setName("scan_body")
                .addInput(value("h", 6)).addInput(value("xt", 4))
                .addInitializer(floats("sw", w(21, 24), 4, 6))
                .addNode(node("MatMul", "scan_mm", "m", "xt", "sw"))
                .addNode(node("Add", "scan_add", "a", "m", "h"))
                .addNode(node("Tanh", "scan_tanh", "h_out", "a"))
                .addNode(node("Identity", "scan_y", "y", "h_out"))
                .addOutput(value("h_out", 6)).addOutput(value("y", 6)).build();
        GraphProto g = GraphProto.newBuilder().setName("scan")
                .addInput(value("x", 5, 4))
                .addInitializer(floats("h0", new float[6], 6))
                .addNode(NodeProto.newBuilder().setOpType("Scan").setName("Scan_0").addInput("h0").addInput("x")
                        .addOutput("h_last").addOutput("ys").addAttribute(graph("body", body))
                        .addAttribute(AttributeProto.newBuilder().setName("num_scan_inputs").setType(AttributeProto.AttributeType.INT).setI(1)))
                .addOutput(value("h_last", 6)).addOutput(value("ys", 5, 6)).build();
        return model(g);
    }

    /**
     * x [T=5, batch 2, input 3] -> Y of an LSTM, GRU or RNN (hidden 4, one direction) with W, R, B
     * initializers, then Y_h; {@code op} chooses the kind.
     */
    public static OnnxModel recurrent(String op, boolean bidirectional) {
        int gates = switch (op) {
            case "LSTM" -> 4;
            case "GRU" -> 3;
            default -> 1;
        };
        int dirs = bidirectional ? 2 : 1;
        int hidden = 4;
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName("rnn").addInput("x").addInput("W").addInput("R")
                .addInput("B").addOutput("Y").addOutput("Y_h")
                .addAttribute(AttributeProto.newBuilder().setName("hidden_size").setType(AttributeProto.AttributeType.INT).setI(hidden));
        if (bidirectional) {
            n.addAttribute(AttributeProto.newBuilder().setName("direction").setType(AttributeProto.AttributeType.STRING)
                    .setS(ByteString.copyFromUtf8("bidirectional")));
        }
        GraphProto g = GraphProto.newBuilder().setName("recurrent")
                .addInput(value("x", 5, 2, 3))
                .addInitializer(floats("W", w(31, dirs * gates * hidden * 3), dirs, gates * hidden, 3))
                .addInitializer(floats("R", w(32, dirs * gates * hidden * hidden), dirs, gates * hidden, hidden))
                .addInitializer(floats("B", w(33, dirs * 2 * gates * hidden), dirs, 2 * gates * hidden))
                .addNode(n)
                .addOutput(value("Y", 5, dirs, 2, hidden)).addOutput(value("Y_h", dirs, 2, hidden)).build();
        return model(g);
    }

    /** The first layer of {@link #ifConv()} (a Conv, not recurrent). */
    public static dev.whittle.core.model.WeightLayer ifConvLayer() {
        return ifConv().graph().weightLayers().get(0);
    }

    /** The model with every initializer or Constant value named {@code name} (in any graph) holding {@code values}. */
    public static OnnxModel withWeight(OnnxModel m, String name, float[] values) {
        ModelProto p = m.proto().toBuilder().setGraph(replace(m.proto().getGraph(), name, values)).build();
        return OnnxReader.fromProto(p, null);
    }

    private static GraphProto replace(GraphProto g, String name, float[] values) {
        GraphProto.Builder b = g.toBuilder();
        for (int i = 0; i < b.getInitializerCount(); i++) {
            TensorProto t = b.getInitializer(i);
            if (t.getName().equals(name)) {
                b.setInitializer(i, floats(name, values, t.getDimsList().stream().mapToLong(Long::longValue).toArray()));
            }
        }
        for (int i = 0; i < b.getNodeCount(); i++) {
            NodeProto.Builder nb = b.getNode(i).toBuilder();
            for (int a = 0; a < nb.getAttributeCount(); a++) {
                AttributeProto at = nb.getAttribute(a);
                if (at.hasG()) {
                    nb.setAttribute(a, at.toBuilder().setG(replace(at.getG(), name, values)));
                } else if (at.hasT() && at.getT().getName().equals(name)) {
                    nb.setAttribute(a, at.toBuilder().setT(floats(name, values,
                            at.getT().getDimsList().stream().mapToLong(Long::longValue).toArray())));
                }
            }
            b.setNode(i, nb);
        }
        return b.build();
    }

    /** Every node of every graph, depth first (for assertions on what a method wrote where). */
    public static List<NodeProto> allNodes(GraphProto g) {
        List<NodeProto> out = new ArrayList<>();
        for (NodeProto n : g.getNodeList()) {
            out.add(n);
            for (AttributeProto a : n.getAttributeList()) {
                if (a.hasG()) {
                    out.addAll(allNodes(a.getG()));
                }
            }
        }
        return out;
    }

    static OnnxModel model(GraphProto g) {
        ModelProto p = ModelProto.newBuilder().setIrVersion(8).setProducerName("whittle-test")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17)).setGraph(g).build();
        return OnnxReader.fromProto(p, null);
    }

    static AttributeProto graph(String name, GraphProto g) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.GRAPH).setG(g).build();
    }

    public static TensorProto floats(String name, float[] v, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(1).setRawData(ByteString.copyFrom(b.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    static NodeProto node(String op, String name, String out, String... in) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name).addOutput(out);
        for (String i : in) {
            n.addInput(i);
        }
        return n.build();
    }

    static ValueInfoProto value(String name, long... dims) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (long d : dims) {
            s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(1).setShape(s))).build();
    }

    static ValueInfoProto typed(String name, int elemType) {
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType)
                        .setShape(TensorShapeProto.newBuilder()))).build();
    }
}
