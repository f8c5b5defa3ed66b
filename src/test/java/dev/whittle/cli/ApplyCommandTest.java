package dev.whittle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApplyCommandTest {
    @TempDir
    Path tmp;

    Path model() {
        Path p = tmp.resolve("cnn.onnx");
        TestModels.cnn().save(p);
        return p;
    }

    @Test
    void applyWritesASmallerModelAndAReportWithTheDocumentedKeys() throws Exception {
        Path recipe = tmp.resolve("r.yaml");
        Files.writeString(recipe, """
                whittle: 1
                steps:
                  - select: {ops: [Conv]}
                    prune: {sparsity: 0.5, structure: channel}
                  - select: {names: [fc]}
                    lowrank: {rank: 2}
                """);
        Path out = tmp.resolve("out.onnx");
        Path report = tmp.resolve("report.json");
        var r = CliTestSupport.run("apply", "--recipe", recipe.toString(), model().toString(), "-o", out.toString(),
                "--report", report.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.size(out) < Files.size(model()));
        assertTrue(r.out().contains("channels 4/8"), r.out());
        OnnxReader.read(out);
        JsonNode json = new ObjectMapper().readTree(report.toFile());
        JsonNode first = json.get("layers").get(0);
        for (String key : List.of("node", "weight", "paramsBefore", "paramsAfter", "zeros", "sparsity", "rank",
                "relError", "skipped")) {
            assertTrue(first.has(key), key);
        }
        assertEquals("conv1", first.get("node").asText());
        assertTrue(first.get("skipped").asText().contains("grouped Conv"));
        assertTrue(json.get("fileBytesAfter").asLong() < json.get("fileBytesBefore").asLong());
    }

    @Test
    void aBadRecipeExitsWithTwoAndWritesNothing() throws Exception {
        Path recipe = tmp.resolve("bad.yaml");
        Files.writeString(recipe, """
                whittle: 1
                steps:
                  - select: {ops: [Gemm]}
                    lowrank: {rank: 0}
                """);
        Path out = tmp.resolve("out.onnx");
        var r = CliTestSupport.run("apply", "--recipe", recipe.toString(), model().toString(), "-o", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("lowrank.rank must be at least 1, got 0"), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void nanWeightsAreABadInputAndNothingIsWritten() throws Exception {
        Path nan = tmp.resolve("nan.onnx");
        float[] w = new float[8];
        w[3] = Float.NaN;
        new dev.whittle.core.onnx.GraphBuilder("nan")
                .input("x", dev.whittle.core.model.DataType.FLOAT, 1, 4)
                .initializer("W", w, 4, 2)
                .node("MatMul", "x", "W").name("mm").outputs("y").done()
                .output("y", dev.whittle.core.model.DataType.FLOAT, 1, 2)
                .toModel().save(nan);
        Path recipe = tmp.resolve("r.yaml");
        Files.writeString(recipe, "whittle: 1\nsteps:\n  - select: {}\n    prune: {sparsity: 0.5}\n");
        Path out = tmp.resolve("out.onnx");
        var r = CliTestSupport.run("apply", "--recipe", recipe.toString(), nan.toString(), "-o", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("holds NaN values"), r.err());
        assertFalse(Files.exists(out));
    }
}
