package dev.whittle.core.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.whittle.core.model.TensorData;
import dev.whittle.testing.BodyModels;
import dev.whittle.testing.Ort;
import dev.whittle.testing.Tensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Each layout op that {@link ConstantFold} evaluates, checked against ONNX Runtime running the
 * same chain (the chain's value is the graph's output): shapes and values must agree exactly.
 */
class ConstantFoldTest {
    private static final float[] SRC = BodyModels.w(71, 2 * 3 * 4);

    @Test
    void everyLayoutOpFoldsAsOnnxRuntimeComputesIt() {
        // negative step from the end, a Slice with axes omitted
        check(List.of(node("Slice", "y", "src", "st", "en", "ax", "sp")),
                ints("st", -1), ints("en", Long.MIN_VALUE), ints("ax", 2), ints("sp", -2));
        check(List.of(node("Slice", "y", "src", "st2", "en2")), ints("st2", 1, 0), ints("en2", 2, 2));
        // Gather with a negative index and a matrix of indices, then Squeeze of the kept unit axis
        check(List.of(attr(node("Gather", "g", "src", "idx"), "axis", 1), node("Squeeze", "y", "g", "sq")),
                ints("idx", new long[] {1, 1}, -1), ints("sq", 1));
        check(List.of(attr(node("Flatten", "y", "src"), "axis", 2)));
        check(List.of(node("Transpose", "y", "src")));
        check(List.of(node("Reshape", "y", "src", "shape")), ints("shape", 0, -1, 2));
        check(List.of(node("Unsqueeze", "u", "src", "ua"), attr(node("Concat", "y", "u", "u"), "axis", -1)), ints("ua", -1, 0));
        check(List.of(node("Identity", "y", "src")));
    }

    @Test
    void whatIsNotAChainOfConstantsDoesNotFold() {
        GraphProto g = GraphProto.newBuilder().addInitializer(BodyModels.floats("src", SRC, 2, 3, 4))
                .addInput(ValueInfoProto.newBuilder().setName("x"))
                .addNode(node("Add", "y", "src", "x")).addNode(node("Relu", "z", "src")).build();
        assertTrue(fold(g, "y").isEmpty());
        assertTrue(fold(g, "z").isEmpty());
        assertTrue(fold(g, "x").isEmpty());
    }

    private static void check(List<NodeProto> chain, TensorProto... consts) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("chain").addInitializer(BodyModels.floats("src", SRC, 2, 3, 4));
        for (TensorProto t : consts) {
            g.addInitializer(t);
        }
        chain.forEach(g::addNode);
        g.addOutput(ValueInfoProto.newBuilder().setName("y").setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(1))));
        GraphProto graph = g.build();
        TensorData folded = fold(graph, "y").orElseThrow(() -> new AssertionError("did not fold " + chain));
        ModelProto p = ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17)).setGraph(graph).build();
        Tensor expected = Ort.run(OnnxReader.fromProto(p, null), Map.of()).get("y");
        assertArrayEquals(expected.shape(), folded.dims(), chain.toString());
        assertArrayEquals(expected.data(), folded.toFloatArray(), 0f, chain.toString());
    }

    private static Optional<TensorData> fold(GraphProto g, String name) {
        ModelProto p = ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17)).setGraph(g).build();
        OnnxModel m = OnnxReader.fromProto(p, null);
        Map<String, TensorData> constants = new HashMap<>();
        m.graph().constants().forEach(t -> constants.put(t.name(), t));
        Map<String, NodeProto> producers = new HashMap<>();
        g.getNodeList().forEach(n -> n.getOutputList().forEach(o -> producers.put(o, n)));
        return ConstantFold.fold(name, constants::get, producers::get);
    }

    private static NodeProto node(String op, String out, String... in) {
        return NodeProto.newBuilder().setOpType(op).setName(out + "_" + op).addOutput(out).addAllInput(List.of(in)).build();
    }

    private static NodeProto attr(NodeProto n, String name, long v) {
        return n.toBuilder().addAttribute(AttributeProto.newBuilder().setName(name)
                .setType(AttributeProto.AttributeType.INT).setI(v)).build();
    }

    private static TensorProto ints(String name, long... v) {
        return ints(name, new long[] {v.length}, v);
    }

    private static TensorProto ints(String name, long[] dims, long... v) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(7);
        for (long d : dims) {
            t.addDims(d);
        }
        for (long x : v) {
            t.addInt64Data(x);
        }
        return t.build();
    }
}
