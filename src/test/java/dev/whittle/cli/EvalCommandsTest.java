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
import com.google.protobuf.ByteString;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.tensor.Npy;
import dev.whittle.core.tensor.NpyArray;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalCommandsTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    Path model;
    Path x;
    Path y;

    static Path saveLinear(Path file, float[] w) {
        ByteBuffer b = ByteBuffer.allocate(w.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(w);
        TensorShapeProto.Builder in = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("N"))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(4));
        TensorShapeProto.Builder out = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("N"))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(6));
        GraphProto g = GraphProto.newBuilder().setName("g")
                .addInput(ValueInfoProto.newBuilder().setName("input").setType(TypeProto.newBuilder().setTensorType(
                        TypeProto.Tensor.newBuilder().setElemType(1).setShape(in))))
                .addOutput(ValueInfoProto.newBuilder().setName("logits").setType(TypeProto.newBuilder().setTensorType(
                        TypeProto.Tensor.newBuilder().setElemType(1).setShape(out))))
                .addInitializer(TensorProto.newBuilder().setName("W").setDataType(1).addDims(4).addDims(6)
                        .setRawData(ByteString.copyFrom(b.array())))
                .addNode(NodeProto.newBuilder().setOpType("MatMul").setName("fc").addInput("input").addInput("W").addOutput("logits"))
                .build();
        ModelProto p = ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17)).setGraph(g).build();
        OnnxReader.fromProto(p, null).save(file);
        return file;
    }

    @BeforeEach
    void files() {
        Random r = new Random(1);
        float[] w = new float[24];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian();
        }
        model = saveLinear(dir.resolve("m.onnx"), w);
        float[] xs = new float[40 * 4];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (float) r.nextGaussian();
        }
        long[] ys = new long[40];
        for (int i = 0; i < ys.length; i++) {
            ys[i] = r.nextInt(6);
        }
        x = dir.resolve("x.npy");
        y = dir.resolve("y.npy");
        Npy.write(x, NpyArray.ofFloats(xs, 40, 4));
        Npy.write(y, NpyArray.ofLongs(ys, 40));
    }

    @Test
    void evalJsonHasTheDocumentedKeysAndAppendsToTheHistory() throws Exception {
        Path hist = dir.resolve("h.json");
        var r = CliTestSupport.run("eval", model.toString(), "--inputs", x.toString(), "--labels", y.toString(),
                "--baseline", model.toString(), "--batch", "8", "--json", "--history", hist.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode j = JSON.readTree(r.out());
        for (String k : new String[] {"samples", "correct", "accuracy", "top5", "agreement", "meanCosine", "minCosine",
                "outputSqnrDb", "maxAbsDiff", "latencyMs", "throughput", "modelBytes", "provider", "threads", "ortVersion", "cpu", "cpuArch", "vnni"}) {
            assertTrue(j.has(k), "missing key " + k + " in " + r.out());
        }
        assertEquals(dev.whittle.core.eval.CpuInfo.host().name(), j.get("cpu").asText());
        assertEquals(40, j.get("samples").asInt());
        assertEquals(1.0, j.get("agreement").asDouble());
        assertTrue(j.get("latencyMs").has("p99"));
        assertEquals(j.get("correct").asDouble() / 40, j.get("accuracy").asDouble(), 1e-12);
        assertEquals(Files.size(model), j.get("modelBytes").asLong());
        assertTrue(Files.readString(hist).contains("\"results\""));
    }

    @Test
    void wrongInputNameExitsTwoWithOneSentence() {
        var r = CliTestSupport.run("eval", model.toString(), "--input", "pixels=" + x, "--labels", y.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("whittle: The data has an array for 'pixels'"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void benchAndSensitivityPrintJsonWithTheirKeys() throws Exception {
        var b = CliTestSupport.run("bench", model.toString(), "--batch", "1,4", "--runs", "3", "--warmup", "1", "--json");
        assertEquals(0, b.code(), b.err());
        JsonNode bj = JSON.readTree(b.out());
        assertEquals(2, bj.get("results").size());
        assertTrue(bj.get("latencyMs").has("p50") && bj.has("throughput") && bj.has("ortVersion") && bj.has("vnni"));
        var text = CliTestSupport.run("bench", model.toString(), "--runs", "2", "--warmup", "1");
        assertTrue(text.out().contains("; CPU " + dev.whittle.core.eval.CpuInfo.host().name() + ", VNNI "), text.out());
        var s = CliTestSupport.run("sensitivity", model.toString(), "--inputs", x.toString(), "--labels", y.toString(),
                "--method", "prune", "--levels", "0.5,0.9", "--layers", "fc", "--json");
        assertEquals(0, s.code(), s.err());
        JsonNode sj = JSON.readTree(s.out());
        JsonNode row = sj.get("rows").get(0);
        assertEquals("fc", row.get("layer").asText());
        assertTrue(row.has("level") && row.has("metric") && row.has("value"));
        var q = CliTestSupport.run("sensitivity", model.toString(), "--inputs", x.toString(), "--method", "magic", "--levels", "8");
        assertEquals(2, q.code());
        assertTrue(q.err().contains("Unknown sensitivity method 'magic'"), q.err());
    }
}
