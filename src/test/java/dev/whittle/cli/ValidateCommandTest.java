package dev.whittle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateCommandTest {
    @TempDir
    Path tmp;

    Path write(String name, String text) throws Exception {
        Path p = tmp.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    Path cnn() {
        Path p = tmp.resolve("cnn.onnx");
        TestModels.cnn().save(p);
        return p;
    }

    @Test
    void aValidRecipeListsWhatEachStepWillTouch() throws Exception {
        Path r = write("r.yaml", """
                whittle: 1
                steps:
                  - select: {ops: [Conv, Gemm]}
                    prune: {sparsity: 0.5}
                  - select: {names: [conv2]}
                    lowrank: {rank: 1}
                  - select: {names: [fc]}
                    prune: {sparsity: 0.25, structure: channel}
                """);
        var res = CliTestSupport.run("validate", r.toString(), cnn().toString());
        assertEquals(0, res.code(), res.err());
        assertTrue(res.out().contains("""
                step 1 (r.yaml:3:5): ops Conv, Gemm
                  prune 50% unstructured, layer scope
                  selects 3 layers: conv1, conv2, fc
                  prune applies to conv1, conv2
                    fc: overridden by step 3
                step 2 (r.yaml:5:5): names conv2
                  lowrank rank 1 (svd)
                  selects 1 layer: conv2
                  lowrank applies to conv2
                """), res.out());
        assertTrue(res.out().endsWith("r.yaml is valid for cnn.onnx.\n"), res.out());
        assertTrue(res.err().contains("warning: layer 'conv2' is pruned (step 1) and then factored (step 2)"), res.err());
    }

    @Test
    void withoutAModelOnlyTheRecipeIsChecked() throws Exception {
        Path r = write("r.yaml", "whittle: 1\nsteps:\n  - select: {}\n    prune: {structure: \"2:4\"}\n");
        var res = CliTestSupport.run("validate", r.toString());
        assertEquals(0, res.code(), res.err());
        assertEquals("step 1 (r.yaml:3:5): every Conv, ConvTranspose, Gemm and MatMul layer\n  prune 2:4 (keep 2 of every 4"
                + " weights)\nr.yaml is valid.\n", res.out());
        Path v2 = write("v2.yaml", "whittle: 2\nsteps:\n  - select: {}\n    prune: {structure: \"2:4\"}\n");
        assertTrue(CliTestSupport.run("validate", v2.toString()).out().startsWith("step 1 (v2.yaml:3:5): every weight layer\n"));
    }

    @Test
    void aVersion1RecipeIsToldWhichLayersVersion2WouldTake() throws Exception {
        Path model = tmp.resolve("embed.onnx");
        java.nio.file.Files.write(model, dev.whittle.testing.QuantModels.model(
                dev.whittle.testing.EmbeddingModels.embeddingWithHead(), 13).toByteArray());
        Path r = write("r.yaml", "whittle: 1\nsteps:\n  - select: {}\n    quantize: {weights: {bits: 8, granularity: channel}}\n");
        var res = CliTestSupport.run("validate", r.toString(), model.toString());
        assertEquals(0, res.code(), res.err());
        assertTrue(res.out().contains("  selects 1 layer: proj\n"), res.out());
        assertTrue(res.out().contains("  whittle: 1 leaves out 1 layer that whittle: 2 would take (add them with ops, e.g. ops:"
                + " [Gather], or write whittle: 2): embed\n"), res.out());
        Path v2 = write("v2.yaml", "whittle: 2\nsteps:\n  - select: {}\n    quantize: {weights: {bits: 8, granularity: channel}}\n");
        var res2 = CliTestSupport.run("validate", v2.toString(), model.toString());
        assertTrue(res2.out().contains("  selects 2 layers: embed, proj\n"), res2.out());
        assertFalse(res2.out().contains("leaves out"), res2.out());
    }

    @Test
    void problemsOnTheModelNameTheStepsLineAndExitWithTwo() throws Exception {
        Path r = write("r.yaml", """
                whittle: 1
                steps:
                  - select: {names: [nothing]}
                    prune: {sparsity: 0.5}
                  - select: {ops: [Conv]}
                    prune: {structure: "2:4"}
                """);
        var res = CliTestSupport.run("validate", r.toString(), cnn().toString());
        assertEquals(2, res.code());
        assertTrue(res.err().contains("whittle: r.yaml:3:5: steps[1]: select {names [nothing]} matches no"
                + " weight layer of cnn.onnx; its weight layers: conv1 (Conv), conv2 (Conv), fc (Gemm)."), res.err());
        assertTrue(res.err().contains("whittle: r.yaml:5:5: steps[2]: prune.structure 2:4 cannot apply to layer 'conv1': the"
                + " input dimension 2 is not a multiple of 4."), res.err());
        assertTrue(res.out().endsWith("r.yaml has 2 problems for cnn.onnx.\n"), res.out());
    }

    @Test
    void aMisspeltKeyIsReportedWithItsPlaceAndTheNearestKey() throws Exception {
        Path r = write("r.yaml", "whittle: 1\nsteps:\n  - select: {}\n    prune:\n      sparsty: 0.5\n");
        var res = CliTestSupport.run("validate", r.toString());
        assertEquals(2, res.code());
        assertEquals("whittle: r.yaml: unknown key 'sparsty' at 5:7, did you mean 'sparsity'?\n", res.err());
    }

    @Test
    void missingCalibrationDataIsAProblem() throws Exception {
        Path r = write("r.yaml", "whittle: 1\ncalibration: {data: calib.npy}\nsteps:\n  - select: {}\n    prune: {sparsity: 0.5}\n");
        var res = CliTestSupport.run("validate", r.toString());
        assertEquals(2, res.code());
        assertTrue(res.err().contains("r.yaml: calibration.data: " + tmp.resolve("calib.npy").toAbsolutePath() + " does not exist"),
                res.err());
    }

    @Test
    void aBillionLaughsFileFailsFastWithAClearMessage() throws Exception {
        StringBuilder sb = new StringBuilder("whittle: 1\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (char c = 'b'; c <= 'j'; c++) {
            sb.append(c).append(": &").append(c).append(" [");
            for (int i = 0; i < 9; i++) {
                sb.append(i == 0 ? "" : ",").append('*').append((char) (c - 1));
            }
            sb.append("]\n");
        }
        Path r = write("laughs.yaml", sb.toString());
        long start = System.nanoTime();
        var res = CliTestSupport.run("validate", r.toString());
        assertTrue(System.nanoTime() - start < 5_000_000_000L, "fails fast");
        assertEquals(2, res.code());
        assertTrue(res.err().startsWith("whittle: laughs.yaml: ") && res.err().toLowerCase().contains("alias"), res.err());
    }
}
