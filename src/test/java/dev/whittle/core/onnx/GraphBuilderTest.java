package dev.whittle.core.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.whittle.core.model.DataType;
import dev.whittle.core.model.Dim;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GraphBuilderTest {
    @TempDir
    Path tmp;

    // y = relu(x @ w + b), x [N,2], w [2,3]
    private static final float[] W = {1, -2, 0.5f, 3, 0.25f, -1};
    private static final float[] B = {0.1f, 0.2f, -0.3f};

    private static GraphBuilder tinyMlp() {
        return new GraphBuilder("tiny")
                .producer("test", "1")
                .docString("a tiny graph")
                .metadata("k", "v")
                .input("x", DataType.FLOAT, "N", 2)
                .initializer("w", W, 2, 3)
                .initializer("b", B, 3)
                .node("MatMul", "x", "w").name("mm").outputs("xw").done()
                .node("Add", "xw", "b").name("add").outputs("z").done()
                .node("Relu", "z").name("relu").outputs("y").done()
                .output("y", DataType.FLOAT, "N", 3);
    }

    @Test
    void buildsAModelThatTheReaderAcceptsWithDefaultVersions() {
        OnnxModel m = tinyMlp().toModel();
        assertEquals(8, m.graph().irVersion());
        assertEquals(13, m.graph().defaultOpset());
        assertEquals("test", m.graph().producer());
        assertEquals("a tiny graph", m.graph().docString());
        assertEquals(Map.of("k", "v"), m.graph().metadata());
        assertEquals(3, m.graph().nodes().size());
        assertEquals(Dim.symbolic("N"), m.graph().inputs().get(0).shape().get(0));
        assertEquals(Dim.of(2), m.graph().inputs().get(0).shape().get(1));
        assertArrayEquals(W, m.graph().constant("w").orElseThrow().toFloatArray());
        assertArrayEquals(new long[] {2, 3}, m.graph().layer("mm").orElseThrow().shape());
    }

    @Test
    void savedModelRunsInOnnxRuntimeLikeAPlainJavaComputation() throws Exception {
        Path file = tmp.resolve("tiny.onnx");
        tinyMlp().toModel().save(file);
        OnnxReader.read(file);
        float[] x = {1, 2, -1, 0.5f};
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(file.toString(), new OrtSession.SessionOptions());
             OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {2, 2});
             OrtSession.Result r = s.run(Map.of("x", in))) {
            float[][] y = (float[][]) r.get(0).getValue();
            for (int n = 0; n < 2; n++) {
                for (int j = 0; j < 3; j++) {
                    float z = x[n * 2] * W[j] + x[n * 2 + 1] * W[3 + j] + B[j];
                    assertEquals(Math.max(0, z), y[n][j], 1e-6);
                }
            }
        }
    }

    @Test
    void writesEveryAttributeKind() {
        NodeProto n = new GraphBuilder("attrs")
                .input("x", DataType.FLOAT, 1, 1, 4, 4)
                .node("Conv", "x", "w").outputs("y")
                .attr("group", 1).attr("alpha", 0.5f).attr("auto_pad", "NOTSET")
                .attrInts("pads", 1, 1, 1, 1).attrFloats("scales", 1f, 2f).attrTensor("value", new float[] {1, 2}, 2)
                .done().buildProto().getGraph().getNode(0);
        assertEquals(AttributeProto.AttributeType.INT, n.getAttribute(0).getType());
        assertEquals(1, n.getAttribute(0).getI());
        assertEquals(0.5f, n.getAttribute(1).getF());
        assertEquals("NOTSET", n.getAttribute(2).getS().toStringUtf8());
        assertEquals(java.util.List.of(1L, 1L, 1L, 1L), n.getAttribute(3).getIntsList());
        assertEquals(java.util.List.of(1f, 2f), n.getAttribute(4).getFloatsList());
        assertEquals(java.util.List.of(2L), n.getAttribute(5).getT().getDimsList());
    }

    @Test
    void int64InitializersAndUnknownDimsAreSupported() {
        OnnxModel m = new GraphBuilder("reshape")
                .input("x", DataType.FLOAT, "N", null, 4)
                .initializer("shape", new long[] {-1, 4}, 2)
                .node("Reshape", "x", "shape").outputs("y").done()
                .output("y", DataType.FLOAT, null, 4)
                .toModel();
        assertEquals(Dim.UNKNOWN, m.graph().inputs().get(0).shape().get(1));
        assertEquals(DataType.INT64, m.graph().constant("shape").orElseThrow().type());
        assertArrayEquals(new float[] {-1, 4}, m.graph().constant("shape").orElseThrow().toFloatArray());
    }

    @Test
    void refusesDataThatDisagreesWithDimsAndNodesWithoutOutputs() {
        assertThrows(IllegalArgumentException.class, () -> new GraphBuilder("g").initializer("w", new float[5], 2, 3));
        GraphBuilder g = new GraphBuilder("g").input("x", DataType.FLOAT, 1);
        g.node("Relu", "x");
        assertThrows(IllegalStateException.class, g::buildProto);
    }
}
