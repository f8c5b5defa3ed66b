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
        assertTrue(r.out().contains("removed 4 of 8 output channels (50.0%)"), r.out());
        OnnxReader.read(out);
        JsonNode json = new ObjectMapper().readTree(report.toFile());
        JsonNode first = json.get("layers").get(0);
        for (String key : List.of("node", "weight", "paramsBefore", "paramsAfter", "zeros", "sparsity", "rank",
                "relError", "skipped")) {
            assertTrue(first.has(key), key);
        }
        assertEquals("conv1", first.get("node").asText());
        assertTrue(first.get("skipped").asText().contains("grouped Conv"));
        assertEquals(Files.size(out), json.get("bytesAfter").asLong());
        assertEquals(Files.size(model()), json.get("bytesBefore").asLong());
        assertTrue(json.get("paramsAfter").asLong() < json.get("paramsBefore").asLong());
        assertEquals(1, first.get("step").asInt());
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

    Path pruneRecipe() throws Exception {
        Path recipe = tmp.resolve("r.yaml");
        Files.writeString(recipe, "whittle: 1\nsteps:\n  - select: {ops: [Gemm]}\n    prune: {sparsity: 0.5}\n");
        return recipe;
    }

    @Test
    void anExistingOutputIsReplacedOnlyWithForce() throws Exception {
        Path m = model();
        Path out = tmp.resolve("out.onnx");
        Files.writeString(out, "keep me");
        var r = CliTestSupport.run("apply", "--recipe", pruneRecipe().toString(), m.toString(), "-o", out.toString());
        assertEquals(2, r.code());
        assertEquals("whittle: " + out + " exists; use --force to replace it.\n", r.err());
        assertEquals("keep me", Files.readString(out));
        var f = CliTestSupport.run("apply", "--recipe", pruneRecipe().toString(), m.toString(), "-o", out.toString(), "--force");
        assertEquals(0, f.code(), f.err());
        OnnxReader.read(out);
    }

    @Test
    void theModelIsNeverWrittenEvenWithForce() throws Exception {
        Path m = model();
        byte[] before = Files.readAllBytes(m);
        var r = CliTestSupport.run("apply", "--recipe", pruneRecipe().toString(), m.toString(), "-o",
                tmp.resolve(".").resolve("cnn.onnx").toString(), "--force");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("is an input of this command"), r.err());
        org.junit.jupiter.api.Assertions.assertArrayEquals(before, Files.readAllBytes(m));
    }

    @Test
    void saveRecipeWritesTheAppliedRecipeWithTheModelHashAndProvenance() throws Exception {
        Path m = model();
        Path sub = tmp.resolve("saved");
        Path calib = tmp.resolve("calib.npy");
        Files.write(calib, new byte[] {1});
        Path recipe = tmp.resolve("r.yaml");
        Files.writeString(recipe, "whittle: 1\ncalibration: {data: calib.npy}\nsteps:\n  - select: {ops: [Gemm]}\n"
                + "    prune: {sparsity: 0.5}\n");
        Path saved = sub.resolve("saved.yaml");
        var r = CliTestSupport.run("apply", "--recipe", recipe.toString(), m.toString(), "-o", tmp.resolve("o.onnx").toString(),
                "--save-recipe", saved.toString());
        assertEquals(0, r.code(), r.err());
        var back = dev.whittle.core.recipe.RecipeFile.read(saved);
        assertEquals(dev.whittle.core.recipe.RecipeRunner.sha256(m), back.recipe().model().sha256());
        assertEquals("cnn.onnx", back.recipe().model().file());
        assertEquals("../calib.npy", back.recipe().calibration().data(), "still the same file from the new folder");
        assertEquals(calib.toRealPath(), back.folder().resolve(back.recipe().calibration().data()).toRealPath());
        JsonNode prov = back.recipe().provenance();
        assertEquals(dev.whittle.core.WhittleVersion.get(), prov.get("whittle").asText());
        assertTrue(prov.get("date").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"), prov.toString());
        assertEquals(Files.size(tmp.resolve("o.onnx")), prov.get("metrics").get("bytesAfter").asLong());
        var again = dev.whittle.core.recipe.RecipeRunner.run(back, dev.whittle.core.onnx.OnnxReader.read(m));
        assertTrue(again.warnings().isEmpty(), "the recorded sha256 matches: " + again.warnings());
    }

    @Test
    void evalDataRecordsAccuracyAndTheOnnxRuntimeVersionInTheSavedRecipe() throws Exception {
        Path saved = tmp.resolve("saved.yaml");
        Path report = tmp.resolve("report.json");
        var r = CliTestSupport.run("apply", "--recipe", "sample-models/recipes/fashion-cnn-int8.yaml", "sample-models/fashion-cnn.onnx",
                "-o", tmp.resolve("c8.onnx").toString(), "--eval-data", "docs/examples/fashion-test.yaml", "--eval-limit", "100",
                "--save-recipe", saved.toString(), "--report", report.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("evaluation on fashion-test.yaml (100 samples): accuracy "), r.out());
        JsonNode prov = dev.whittle.core.recipe.Recipe.read(saved).provenance();
        assertEquals(dev.whittle.core.eval.EvalSession.ortVersion(), prov.get("onnxruntime").asText());
        JsonNode metrics = prov.get("metrics");
        assertEquals(100, metrics.get("samples").asInt());
        assertTrue(metrics.get("accuracy").asDouble() > 0.8 && metrics.get("accuracyBefore").asDouble() > 0.8, metrics.toString());
        assertTrue(metrics.get("agreement").asDouble() > 0.9, metrics.toString());
        assertEquals(metrics.get("accuracy").asDouble(), new ObjectMapper().readTree(report.toFile()).get("evaluation")
                .get("accuracy").asDouble());
        assertTrue(Path.of(dev.whittle.core.recipe.Recipe.read(saved).calibration().data()).isAbsolute(),
                "the sample data is not below the saved recipe's project folder: an absolute path");
    }
}
