package dev.whittle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.whittle.core.onnx.OnnxReader;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code whittle eval A --baseline B} when B names its outputs differently (a model written by
 * another tool): outputs are matched by position when type and shape agree, with one note;
 * {@code --baseline-output} chooses one; mismatches are refused with a sentence that says how.
 */
class BaselineOutputTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    static float[] weights(long seed, int n) {
        Random r = new Random(seed);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) r.nextGaussian();
        }
        return w;
    }

    static ValueInfoProto value(String name, int width) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("N"))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(width));
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(1).setShape(s))).build();
    }

    /** x [N, 4] -> MatMul(W_i [4, width]) -> outputs named {@code names[i]}, W_i from seed {@code seeds[i]}. */
    Path save(String file, int width, String[] names, long[] seeds) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("g").addInput(value("x", 4));
        for (int i = 0; i < names.length; i++) {
            TensorProto.Builder w = TensorProto.newBuilder().setName("W" + i).setDataType(1).addDims(4).addDims(width);
            for (float v : weights(seeds[i], 4 * width)) {
                w.addFloatData(v);
            }
            g.addInitializer(w).addOutput(value(names[i], width)).addNode(NodeProto.newBuilder().setOpType("MatMul")
                    .setName("mm" + i).addInput("x").addInput("W" + i).addOutput(names[i]));
        }
        ModelProto p = ModelProto.newBuilder().setIrVersion(8).addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17))
                .setGraph(g).build();
        Path out = dir.resolve(file);
        OnnxReader.fromProto(p, null).save(out);
        return out;
    }

    static JsonNode json(CliTestSupport.Result r) throws Exception {
        assertEquals(0, r.code(), r.err());
        return JSON.readTree(r.out());
    }

    @Test
    void outputsNamedDifferentlyAreMatchedByPositionWithOneNote() throws Exception {
        Path a = save("a.onnx", 6, new String[] {"last_hidden_state"}, new long[] {1});
        Path b = save("b.onnx", 6, new String[] {"output_0"}, new long[] {1});
        var r = CliTestSupport.run("eval", a.toString(), "--baseline", b.toString(), "--json");
        JsonNode j = json(r);
        assertEquals(1.0, j.get("meanCosine").asDouble(), 1e-6, "the same weights: the same outputs");
        assertEquals(1, r.err().lines().filter(l -> l.contains("outputs are named differently")).count(), r.err());
        assertTrue(r.err().contains("a.onnx's 'last_hidden_state' is compared with b.onnx's 'output_0' (output 0 of both,"
                + " shapes agree)"), r.err());
    }

    @Test
    void baselineOutputChoosesWhichOutputOfTheBaselineIsCompared() throws Exception {
        Path a = save("a.onnx", 6, new String[] {"y"}, new long[] {2});
        Path b = save("b.onnx", 6, new String[] {"p", "q"}, new long[] {1, 2});
        JsonNode byPosition = json(CliTestSupport.run("eval", a.toString(), "--baseline", b.toString(), "--json"));
        assertTrue(byPosition.get("meanCosine").asDouble() < 0.99, "output 0 of b comes from other weights");
        JsonNode chosen = json(CliTestSupport.run("eval", a.toString(), "--baseline", b.toString(), "--baseline-output", "q",
                "--json"));
        assertEquals(1.0, chosen.get("meanCosine").asDouble(), 1e-6);
        JsonNode both = json(CliTestSupport.run("eval", b.toString(), "--output", "q", "--baseline", a.toString(),
                "--baseline-output", "y", "--json"));
        assertEquals(1.0, both.get("meanCosine").asDouble(), 1e-6);
    }

    @Test
    void aShapeMismatchOrAnUnknownNameIsRefusedWithTheWayOut() {
        Path a = save("a.onnx", 6, new String[] {"y"}, new long[] {1});
        Path c = save("c.onnx", 5, new String[] {"z"}, new long[] {1});
        var r = CliTestSupport.run("eval", a.toString(), "--baseline", c.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("c.onnx has no output 'y', and its output 0 'z' (float32 [N, 5]) does not match float32"
                + " [N, 6]; its outputs are [z]; choose one with --baseline-output."), r.err());
        var unknown = CliTestSupport.run("eval", a.toString(), "--baseline", c.toString(), "--baseline-output", "nope");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("c.onnx has no output 'nope'; its outputs are [z]."), unknown.err());
        var alone = CliTestSupport.run("eval", a.toString(), "--baseline-output", "y");
        assertEquals(2, alone.code());
        assertTrue(alone.err().contains("--baseline-output needs --baseline."), alone.err());
    }
}
