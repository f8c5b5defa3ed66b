package dev.whittle.testing;

import static dev.whittle.testing.QuantModels.intAttr;
import static dev.whittle.testing.QuantModels.node;
import static dev.whittle.testing.QuantModels.value;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.TensorProto;

/** Small graphs with an embedding table (Gather data), for tests of Gather as a weight layer. */
public final class EmbeddingModels {
    public static final int V = 40;
    public static final int D = 32;
    public static final float[] TABLE = QuantModels.random(3, V * D, 0.5);
    public static final float[] IDS = {3, 0, 39, 17, 3, 22};

    private EmbeddingModels() {
    }

    /** ids (float, cast to int64) -> Gather(table) -> y [batch, t, D]; plus a Gather of an int64 constant. */
    public static GraphProto embedding() {
        return GraphProto.newBuilder().setName("embed")
                .addInput(value("ids", -1, IDS.length)).addOutput(value("y", -1, IDS.length, D)).addOutput(value("n", 1, 1))
                .addInitializer(QuantModels.floats("table", new long[] {V, D}, TABLE))
                .addInitializer(TensorProto.newBuilder().setName("sizes").setDataType(TensorProto.DataType.INT64_VALUE)
                        .addDims(3).addDims(1).addInt64Data(5).addInt64Data(6).addInt64Data(7).build())
                .addInitializer(TensorProto.newBuilder().setName("two").setDataType(TensorProto.DataType.INT64_VALUE)
                        .addDims(1).addInt64Data(2).build())
                .addNode(node("Cast", "cast", new String[] {"ids"}, new String[] {"idx"},
                        intAttr("to", TensorProto.DataType.INT64_VALUE)))
                .addNode(node("Gather", "embed", new String[] {"table", "idx"}, new String[] {"y"}))
                .addNode(node("Gather", "pick", new String[] {"sizes", "two"}, new String[] {"n2"}))
                .addNode(node("Cast", "tofloat", new String[] {"n2"}, new String[] {"n"},
                        intAttr("to", TensorProto.DataType.FLOAT_VALUE)))
                .build();
    }

    /** A tied table: Gather reads it as embeddings, a MatMul reads the same initializer as its weight. */
    public static GraphProto tied() {
        return GraphProto.newBuilder().setName("tied")
                .addInput(value("ids", -1, IDS.length)).addInput(value("x", -1, V))
                .addOutput(value("y", -1, IDS.length, D)).addOutput(value("z", -1, D))
                .addInitializer(QuantModels.floats("table", new long[] {V, D}, TABLE))
                .addNode(node("Cast", "cast", new String[] {"ids"}, new String[] {"idx"},
                        intAttr("to", TensorProto.DataType.INT64_VALUE)))
                .addNode(node("Gather", "embed", new String[] {"table", "idx"}, new String[] {"y"}))
                .addNode(node("MatMul", "head", new String[] {"x", "table"}, new String[] {"z"}))
                .build();
    }

    /** ids -> Gather(table) [batch, t, D] -> MatMul(head [D, 8]) -> y [batch, t, 8]: a table and a separate weight. */
    public static GraphProto embeddingWithHead() {
        return GraphProto.newBuilder().setName("embed_head")
                .addInput(value("ids", -1, IDS.length)).addOutput(value("y", -1, IDS.length, 8))
                .addInitializer(QuantModels.floats("table", new long[] {V, D}, TABLE))
                .addInitializer(QuantModels.floats("head", new long[] {D, 8}, QuantModels.random(4, D * 8, 0.2)))
                .addNode(node("Cast", "cast", new String[] {"ids"}, new String[] {"idx"},
                        intAttr("to", TensorProto.DataType.INT64_VALUE)))
                .addNode(node("Gather", "embed", new String[] {"table", "idx"}, new String[] {"e"}))
                .addNode(node("MatMul", "proj", new String[] {"e", "head"}, new String[] {"y"}))
                .build();
    }
}
