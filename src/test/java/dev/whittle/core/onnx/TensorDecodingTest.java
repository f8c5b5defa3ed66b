package dev.whittle.core.onnx;

import static dev.whittle.testing.TinyModels.FLOAT;
import static dev.whittle.testing.TinyModels.node;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.SparseTensorProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.model.Storage;
import dev.whittle.core.model.TensorData;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.testing.TinyModels;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every element type and storage kind decodes to the right floats. Expected values are written
 * out by hand from the formats' definitions, not computed with Whittle's converters.
 */
class TensorDecodingTest {
    @TempDir
    Path dir;

    /** Writes a model with {@code t} as its only initializer and returns the decoded tensor. */
    private TensorData decode(TensorProto t) {
        GraphProto g = GraphProto.newBuilder().setName("g").addInitializer(t)
                .addNode(node("Identity", "id", new String[] {t.getName()}, "Y"))
                .addOutput(TinyModels.value("Y", t.getDataType())).build();
        Path f = TinyModels.write(TinyModels.model(g), dir.resolve(t.getName() + ".onnx"));
        return OnnxReader.read(f).graph().constant(t.getName()).orElseThrow();
    }

    private static TensorProto raw(String name, DataType type, long count, int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return TinyModels.raw(name, type.getNumber(), b, count);
    }

    private static TensorProto int32Field(String name, DataType type, long count, int... values) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type.getNumber()).addDims(count);
        for (int v : values) {
            t.addInt32Data(v);
        }
        return t.build();
    }

    private static final float[] HALVES = {1f, -2f, 0.333251953125f, 65504f, 5.9604645e-8f, -0f, Float.POSITIVE_INFINITY};

    @Test
    void float16RawAndTypedDecodeByTheIeeeDefinition() {
        // 0x3C00=1, 0xC000=-2, 0x3555=1+341/1024 * 2^-2, 0x7BFF=max, 0x0001=2^-24, 0x8000=-0, 0x7C00=inf
        TensorProto r = raw("h", DataType.FLOAT16, 7, 0x00, 0x3C, 0x00, 0xC0, 0x55, 0x35, 0xFF, 0x7B, 0x01, 0x00, 0x00, 0x80, 0x00, 0x7C);
        assertArrayEquals(HALVES, decode(r).toFloatArray());
        TensorProto typed = int32Field("ht", DataType.FLOAT16, 7, 0x3C00, 0xC000, 0x3555, 0x7BFF, 0x0001, 0x8000, 0x7C00);
        assertArrayEquals(HALVES, decode(typed).toFloatArray());
    }

    @Test
    void bfloat16IsTheUpperHalfOfAFloat() {
        float[] want = {1f, -3f, 3.140625f, 0f};
        assertArrayEquals(want, decode(raw("b", DataType.BFLOAT16, 4, 0x80, 0x3F, 0x40, 0xC0, 0x49, 0x40, 0, 0)).toFloatArray());
        assertArrayEquals(want, decode(int32Field("bt", DataType.BFLOAT16, 4, 0x3F80, 0xC040, 0x4049, 0)).toFloatArray());
    }

    @Test
    void float64IsRoundedToTheNearestFloat() {
        TensorProto typed = TensorProto.newBuilder().setName("d").setDataType(DataType.DOUBLE_VALUE).addDims(3)
                .addDoubleData(1.5).addDoubleData(-2.25).addDoubleData(0.1).build();
        assertArrayEquals(new float[] {1.5f, -2.25f, 0.1f}, decode(typed).toFloatArray());
        // 0.1 as a double: 0x3FB999999999999A little-endian
        TensorProto r = raw("dr", DataType.DOUBLE, 1, 0x9A, 0x99, 0x99, 0x99, 0x99, 0x99, 0xB9, 0x3F);
        assertArrayEquals(new float[] {0.1f}, decode(r).toFloatArray());
    }

    @Test
    void int8AndUint8KeepTheirSign() {
        assertArrayEquals(new float[] {-128, -1, 0, 127}, decode(raw("i8", DataType.INT8, 4, 0x80, 0xFF, 0, 0x7F)).toFloatArray());
        assertArrayEquals(new float[] {-128, -1, 0, 127}, decode(int32Field("i8t", DataType.INT8, 4, -128, -1, 0, 127)).toFloatArray());
        assertArrayEquals(new float[] {0, 1, 200, 255}, decode(raw("u8", DataType.UINT8, 4, 0, 1, 200, 255)).toFloatArray());
        assertArrayEquals(new float[] {0, 1, 200, 255}, decode(int32Field("u8t", DataType.UINT8, 4, 0, 1, 200, 255)).toFloatArray());
    }

    @Test
    void int4AndUint4UnpackLowNibbleFirst() {
        // int4 [1, -2, 7, -8, 0]: bytes (1 | 0xE<<4)=0xE1, (7 | 0x8<<4)=0x87, 0x00
        float[] int4 = {1, -2, 7, -8, 0};
        assertArrayEquals(int4, decode(raw("i4", DataType.INT4, 5, 0xE1, 0x87, 0x00)).toFloatArray());
        assertArrayEquals(int4, decode(int32Field("i4t", DataType.INT4, 5, 0xE1, 0x87, 0x00)).toFloatArray());
        // uint4 [3, 15, 0, 9]: bytes 0xF3, 0x90
        float[] uint4 = {3, 15, 0, 9};
        assertArrayEquals(uint4, decode(raw("u4", DataType.UINT4, 4, 0xF3, 0x90)).toFloatArray());
        assertArrayEquals(uint4, decode(int32Field("u4t", DataType.UINT4, 4, 0xF3, 0x90)).toFloatArray());
        assertEquals(3, decode(raw("u4b", DataType.UINT4, 5, 0xF3, 0x90, 0x01)).bytes(), "5 nibbles take 3 bytes");
    }

    @Test
    void readFloatsReadsAnyRangeOfPackedInt4() {
        TensorData t = decode(raw("i4r", DataType.INT4, 5, 0xE1, 0x87, 0x00));
        float[] dst = new float[5];
        t.readFloats(1, dst, 2, 3);
        assertArrayEquals(new float[] {0, 0, -2, 7, -8}, dst);
    }

    @Test
    void stringsAreConstantsWithoutNumericValues() {
        TensorProto s = TensorProto.newBuilder().setName("s").setDataType(DataType.STRING_VALUE).addDims(2)
                .addStringData(com.google.protobuf.ByteString.copyFromUtf8("a"))
                .addStringData(com.google.protobuf.ByteString.copyFromUtf8("b")).build();
        TensorData t = decode(s);
        assertEquals(2, t.count());
        assertTrue(!t.isNumeric());
        assertNull(t.raw());
    }

    @Test
    void weightsInConstantNodesAreLayersStoredAsConstantNodes() {
        TensorProto w = TinyModels.floats("ignored", new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        NodeProto c = node("Constant", "const", new String[0], "W").toBuilder().addAttribute(TinyModels.tensorAttr("value", w)).build();
        NodeProto floats = node("Constant", "const2", new String[0], "V").toBuilder()
                .addAttribute(ai.onnx.proto.OnnxMl.AttributeProto.newBuilder().setName("value_floats")
                        .setType(ai.onnx.proto.OnnxMl.AttributeProto.AttributeType.FLOATS).addFloats(0.5f).addFloats(-1.5f)).build();
        GraphProto g = GraphProto.newBuilder().setName("g").addInput(TinyModels.value("X", FLOAT, 1, 2))
                .addNode(c).addNode(floats)
                .addNode(node("MatMul", "mm", new String[] {"X", "W"}, "Y")).addNode(node("Add", "add", new String[] {"X", "V"}, "Z"))
                .addOutput(TinyModels.value("Y", FLOAT, 1, 3)).addOutput(TinyModels.value("Z", FLOAT, 1, 2)).build();
        ModelGraph m = OnnxReader.read(TinyModels.write(TinyModels.model(g), dir.resolve("const.onnx"))).graph();
        WeightLayer l = m.layer("mm").orElseThrow();
        assertEquals(Storage.CONSTANT_NODE, l.storage());
        assertEquals("W", l.weight());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, l.tensor().toFloatArray());
        assertEquals(1, l.axis());
        assertArrayEquals(new float[] {0.5f, -1.5f}, m.constant("V").orElseThrow().toFloatArray());
    }

    @Test
    void weightsInsideIfAndLoopBodiesAreLayersStoredAsSubgraph() {
        GraphProto thenBranch = GraphProto.newBuilder().setName("then")
                .addInitializer(TinyModels.floats("Wt", new float[] {1, 0, 0, 1}, 2, 2))
                .addNode(node("MatMul", "inner_mm", new String[] {"X", "Wt"}, "T")).addOutput(TinyModels.value("T", FLOAT, 1, 2)).build();
        GraphProto elseBranch = GraphProto.newBuilder().setName("else")
                .addNode(node("Identity", "e", new String[] {"X"}, "E")).addOutput(TinyModels.value("E", FLOAT, 1, 2)).build();
        NodeProto iff = node("If", "branch", new String[] {"cond"}, "I").toBuilder()
                .addAttribute(TinyModels.graphAttr("then_branch", thenBranch))
                .addAttribute(TinyModels.graphAttr("else_branch", elseBranch)).build();
        NodeProto wc = node("Constant", "wc", new String[0], "Wl").toBuilder()
                .addAttribute(TinyModels.tensorAttr("value", TinyModels.floats("x", new float[] {2, 0, 0, 2}, 2, 2))).build();
        GraphProto body = GraphProto.newBuilder().setName("body")
                .addInput(TinyModels.value("i", 7)).addInput(TinyModels.value("c", 9)).addInput(TinyModels.value("acc", FLOAT, 1, 2))
                .addNode(wc).addNode(node("MatMul", "loop_mm", new String[] {"acc", "Wl"}, "acc2"))
                .addNode(node("Identity", "keep", new String[] {"c"}, "c2"))
                .addOutput(TinyModels.value("c2", 9)).addOutput(TinyModels.value("acc2", FLOAT, 1, 2)).build();
        NodeProto loop = node("Loop", "repeat", new String[] {"n", "", "I"}, "L").toBuilder()
                .addAttribute(TinyModels.graphAttr("body", body)).build();
        GraphProto g = GraphProto.newBuilder().setName("g")
                .addInput(TinyModels.value("cond", 9)).addInput(TinyModels.value("n", 7)).addInput(TinyModels.value("X", FLOAT, 1, 2))
                .addNode(iff).addNode(loop).addOutput(TinyModels.value("L", FLOAT, 1, 2)).build();
        ModelGraph m = OnnxReader.read(TinyModels.write(TinyModels.model(g), dir.resolve("sub.onnx"))).graph();
        WeightLayer inIf = m.layer("inner_mm").orElseThrow();
        assertEquals(Storage.SUBGRAPH, inIf.storage());
        assertEquals("branch.then_branch", inIf.graphPath());
        assertArrayEquals(new float[] {1, 0, 0, 1}, inIf.tensor().toFloatArray());
        WeightLayer inLoop = m.layer("loop_mm").orElseThrow();
        assertEquals(Storage.SUBGRAPH, inLoop.storage());
        assertEquals("repeat.body", inLoop.graphPath());
        assertArrayEquals(new float[] {2, 0, 0, 2}, inLoop.tensor().toFloatArray());
        assertEquals(3, m.subgraphCount(), "then, else and body");
    }

    @Test
    void sparseInitializersReadDenselyWithLinearOrCoordinateIndices() {
        SparseTensorProto linear = SparseTensorProto.newBuilder().addDims(3).addDims(4)
                .setValues(TinyModels.floats("S", new float[] {5, 6, 7}, 3))
                .setIndices(TensorProto.newBuilder().setName("S_idx").setDataType(7).addDims(3)
                        .addInt64Data(1).addInt64Data(6).addInt64Data(11)).build();
        SparseTensorProto coords = SparseTensorProto.newBuilder().addDims(3).addDims(4)
                .setValues(TinyModels.floats("C", new float[] {5, 6, 7}, 3))
                .setIndices(TensorProto.newBuilder().setName("C_idx").setDataType(7).addDims(3).addDims(2)
                        .addInt64Data(0).addInt64Data(1).addInt64Data(1).addInt64Data(2).addInt64Data(2).addInt64Data(3)).build();
        GraphProto g = GraphProto.newBuilder().setName("g").addInput(TinyModels.value("X", FLOAT, 2, 3))
                .addSparseInitializer(linear).addSparseInitializer(coords)
                .addNode(node("MatMul", "mm", new String[] {"X", "S"}, "Y")).addNode(node("MatMul", "mm2", new String[] {"X", "C"}, "Z"))
                .addOutput(TinyModels.value("Y", FLOAT, 2, 4)).addOutput(TinyModels.value("Z", FLOAT, 2, 4)).build();
        ModelGraph m = OnnxReader.read(TinyModels.write(TinyModels.model(g), dir.resolve("sparse.onnx"))).graph();
        float[] dense = {0, 5, 0, 0, 0, 0, 6, 0, 0, 0, 0, 7};
        assertArrayEquals(dense, m.constant("S").orElseThrow().toFloatArray());
        assertArrayEquals(dense, m.constant("C").orElseThrow().toFloatArray());
        float[] part = new float[4];
        m.constant("S").orElseThrow().readFloats(5, part, 0, 4);
        assertArrayEquals(new float[] {0, 6, 0, 0}, part);
        WeightLayer l = m.layer("mm").orElseThrow();
        assertArrayEquals(new long[] {3, 4}, l.shape());
        assertEquals(12, l.params());
    }
}
