package dev.whittle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.whittle.core.tensor.Npy;
import dev.whittle.core.tensor.NpyArray;
import dev.whittle.testing.ConvBnModel;
import dev.whittle.testing.Tensor;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectKernelsTest {
    @TempDir
    Path dir;

    Path w8a8(String... extra) {
        Path model = dir.resolve("convbn.onnx");
        ConvBnModel.build().save(model);
        Path calib = dir.resolve("x.npy");
        Npy.write(calib, NpyArray.ofFloats(Tensor.random(3, 16, 3, 8, 8).data(), 16, 3, 8, 8));
        Path q = dir.resolve("q.onnx");
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("quantize", model.toString(), "-o",
                q.toString(), "--force", "--activations", "minmax", "--calib", calib.toString()));
        args.addAll(java.util.List.of(extra));
        CliTestSupport.Result r = CliTestSupport.run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        return q;
    }

    @Test
    void kernelsCountsTheInt8ConvsAndListsTheFloatOnes() throws Exception {
        Path q = w8a8();
        CliTestSupport.Result r = CliTestSupport.run("inspect", q.toString(), "--kernels", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("all", j.get("optLevel").asText());
        int qlinear = j.get("ops").path("com.microsoft::QLinearConv").asInt(0) + j.get("ops").path("QLinearConv").asInt(0);
        assertTrue(qlinear >= 1, r.out());
        assertTrue(j.get("int8Kernels").asInt() >= 1, r.out());
        // conv1 reads the quantized input and its Relu feeds conv2's Q: it runs in int8, so it is not listed.
        j.get("floatNodes").forEach(n -> assertTrue(!n.asText().startsWith("conv1 "), r.out()));
        CliTestSupport.Result text = CliTestSupport.run("inspect", q.toString(), "--kernels", "--opt-level", "basic");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("ONNX Runtime's optimized graph (basic, cpu)"), text.out());
        assertTrue(text.out().contains("QuantizeLinear left: "), text.out());
    }

    @Test
    void withoutFoldingTheBatchNormsKeepEveryConvInFloat() throws Exception {
        // Conv -> BatchNormalization -> Q: ORT can neither fold the BN (the weight is a DQ output) nor fuse QLinearConv.
        Path q = w8a8("--no-fold");
        CliTestSupport.Result r = CliTestSupport.run("inspect", q.toString(), "--kernels", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(2, j.get("ops").path("BatchNormalization").asInt(), r.out());
        assertEquals(0, j.get("int8Kernels").asInt(), r.out());
        assertEquals(2, j.get("floatNodes").size(), r.out());
    }

    @Test
    void aFloatModelRunsEveryConvInFloat() {
        Path model = dir.resolve("convbn.onnx");
        ConvBnModel.build().save(model);
        CliTestSupport.Result r = CliTestSupport.run("inspect", model.toString(), "--kernels", "--opt-level", "basic");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("int8 weight kernels: 0"), r.out());
        assertTrue(r.out().contains("Conv/Gemm/MatMul in float: 2:"), r.out());
        assertTrue(r.out().contains("  conv1 (Conv)"), r.out());
    }

    @Test
    void aProductOfTwoActivationsIsNotAWeightLayerInFloat() throws Exception {
        // y = (x . w) . x^T-like: one MatMul with a constant weight, one of two activations (attention's Q.K^T)
        Path model = dir.resolve("two.onnx");
        new dev.whittle.core.onnx.GraphBuilder("two").opset(17)
                .input("a", dev.whittle.core.model.DataType.FLOAT, 4L, 8L)
                .input("b", dev.whittle.core.model.DataType.FLOAT, 8L, 4L)
                .initializer("w", new float[64], 8, 8)
                .node("MatMul", "a", "w").name("weighted").outputs("h").done()
                .node("MatMul", "h", "b").name("product").outputs("y").done()
                .output("y", dev.whittle.core.model.DataType.FLOAT, 4L, 4L)
                .toModel().save(model);
        CliTestSupport.Result r = CliTestSupport.run("inspect", model.toString(), "--kernels", "--json", "--opt-level", "basic");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(2, j.get("ops").path("MatMul").asInt(), r.out());
        assertEquals(1, j.get("floatNodes").size(), r.out());
        assertTrue(j.get("floatNodes").get(0).asText().startsWith("weighted "), r.out());
    }
}
