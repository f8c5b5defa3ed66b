package dev.whittle.core.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.BadInputException;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.quant.Granularity;
import dev.whittle.core.quant.Int8Layout;
import dev.whittle.core.quant.QuantFormat;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.tensor.Npy;
import dev.whittle.core.tensor.NpyArray;
import dev.whittle.testing.Ort;
import dev.whittle.testing.Tensor;
import dev.whittle.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Quantize steps in recipes: merging per setting, order after prune and low-rank, calibration, checks. */
class RecipeQuantizeTest {
    static Recipe recipe(String yaml) {
        return Recipe.parse("r.yaml", yaml);
    }

    static List<String> nodes(RecipeRunner.Result r) {
        return r.report().layers().stream().filter(e -> e.quant() != null).map(RecipeReport.Entry::node).toList();
    }

    @Test
    void aLaterStepReplacesOnlyTheBlocksItGives() {
        RecipePlan p = RecipePlan.of(recipe("""
                whittle: 1
                calibration: {data: calib.npy}
                steps:
                  - select: {}
                    quantize:
                      weights: {bits: 8, granularity: channel}
                      activations: {calibration: entropy}
                  - select: {names: [fc2]}
                    quantize:
                      weights: {bits: 8, granularity: tensor, range: [-0.5, 0.5]}
                """), TestModels.mlp());
        QuantizeSpec fc1 = p.quantize().get("fc1");
        QuantizeSpec fc2 = p.quantize().get("fc2");
        assertEquals(Granularity.CHANNEL, fc1.weights().granularity());
        assertEquals(Granularity.TENSOR, fc2.weights().granularity());
        assertEquals("[-0.5, 0.5]", fc2.weights().range().toString());
        assertEquals(fc1.activations(), fc2.activations(), "fc2 keeps step 1's activations");
        var touches = p.steps().get(0).touches();
        assertTrue(touches.stream().allMatch(RecipePlan.Touch::effective), "step 1 still sets fc2's activations");
        assertEquals(2, p.effective(RecipePlan.Setting.QUANTIZE).get("fc2") + 1, "fc2's weights come from step 2");
    }

    @Test
    void int8LayoutIsReadCheckedAndWrittenBackOnlyWhenGiven() {
        Recipe r = recipe("""
                whittle: 1
                steps:
                  - select: {names: [fc1]}
                    quantize: {weights: {bits: 8, int8Layout: reduced}, format: dynamic}
                  - select: {names: [fc2]}
                    quantize: {weights: {bits: 8}}
                """);
        RecipePlan p = RecipePlan.of(r, TestModels.mlp());
        assertEquals(Int8Layout.REDUCED, p.quantize().get("fc1").weights().int8Layout());
        assertEquals(null, p.quantize().get("fc2").weights().int8Layout(), "not chosen: the quantizer's default applies");
        String yaml = RecipeWriter.toYaml(r, null);
        assertTrue(yaml.contains("int8Layout: reduced"), yaml);
        assertEquals(1, yaml.split("int8Layout", -1).length - 1, "written only where given: " + yaml);
        BadInputException e = assertThrows(BadInputException.class, () -> recipe("""
                whittle: 1
                steps:
                  - select: {}
                    quantize: {weights: {bits: 8, int8Layout: int7}}
                """));
        assertTrue(e.getMessage().contains("int8Layout must be full, reduced or uint8, got 'int7'"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> recipe("""
                whittle: 1
                steps:
                  - select: {}
                    quantize: {weights: {bits: 4, int8Layout: uint8}}
                """));
        assertTrue(e.getMessage().contains("int8Layout applies to 8-bit weights only"), e.getMessage());
    }

    @Test
    void quantizationRunsAfterPruningAndLowRankAndCoversBothFactors() {
        OnnxModel m = TestModels.mlp();
        RecipeRunner.Result r = RecipeRunner.run(recipe("""
                whittle: 1
                steps:
                  - select: {ops: [Gemm, MatMul]}
                    quantize: {weights: {bits: 8}}
                  - select: {names: [fc1]}
                    lowrank: {rank: 2}
                  - select: {names: [fc2]}
                    prune: {sparsity: 0.5}
                """), m);
        List<String> order = r.report().layers().stream().map(e -> e.node() + ":" + (e.quant() != null ? "q"
                : e.transform().method())).toList();
        assertEquals(List.of("fc2:prune unstructured", "fc1:lowrank svd", "fc1.u:q", "fc1.v:q", "fc2:q", "fc3:q"), order);
        assertTrue(r.model().graph().weightLayers().stream().allMatch(WeightLayer::quantized));
        // zeros pruned in fc2 stay exact zeros through symmetric quantization: the codes hold 48 zeros
        WeightLayer fc2 = r.model().graph().layer("fc2").orElseThrow();
        long zeros = 0;
        for (float v : fc2.tensor().toFloatArray()) {
            zeros += v == 0 ? 1 : 0;
        }
        assertTrue(zeros >= 48, "codes of fc2: " + zeros + " zeros");
        Tensor x = Tensor.random(7, 3, 16);
        Tensor ref = Ort.run1(RecipeRunner.run(recipe("""
                whittle: 1
                steps:
                  - select: {names: [fc1]}
                    lowrank: {rank: 2}
                  - select: {names: [fc2]}
                    prune: {sparsity: 0.5}
                """), m).model(), "x", x);
        Tensor q = Ort.run1(r.model(), "x", x);
        double max = 0;
        double diff = 0;
        for (int i = 0; i < ref.data().length; i++) {
            max = Math.max(max, Math.abs(ref.data()[i]));
            diff = Math.max(diff, Math.abs(ref.data()[i] - q.data()[i]));
        }
        assertTrue(diff <= 0.05 * max, "int8 per channel stays within 5% of the float output's largest value: " + diff
                + " vs " + max);
    }

    @Test
    void calibrationDataIsResolvedAgainstTheRecipesFolder(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("recipes/data"));
        Npy.write(dir.resolve("x.npy"), NpyArray.ofFloats(Tensor.random(3, 40 * 16).data(), 40, 16));
        Path r = tmp.resolve("recipes/r.yaml");
        Files.writeString(r, """
                whittle: 1
                calibration: {data: data/x.npy, samples: 20}
                steps:
                  - select: {}
                    quantize:
                      weights: {bits: 8}
                      activations: {calibration: minmax}
                """);
        RecipeRunner.Result res = RecipeRunner.run(RecipeFile.read(r), TestModels.mlp());
        assertEquals(3, res.report().activations().size(), "the inputs of fc1, fc2 and fc3");
        Files.delete(dir.resolve("x.npy"));
        var e = assertThrows(BadInputException.class, () -> RecipeRunner.run(RecipeFile.read(r), TestModels.mlp()));
        assertEquals("r.yaml: calibration.data: " + dir.resolve("x.npy") + " does not exist (relative paths start at the"
                + " recipe's folder).", e.getMessage());
        assertEquals(20, res.report().activations().get(0).values() / 16, "20 samples of 16 values reached fc1's input");
    }

    @Test
    void impossibleQuantizationIsRefusedBeforeAnythingRuns() {
        var nbits = RecipePlan.of(recipe("""
                whittle: 1
                steps:
                  - select: {ops: [MatMul]}
                    quantize: {format: matmulnbits, weights: {bits: 4, granularity: block, block: 16}}
                  - select: {names: [fc3]}
                    quantize: {weights: {bits: 8}}
                """), TestModels.mlp());
        assertEquals(1, nbits.problems().size(), nbits.problems().toString());
        assertEquals("steps[2]: quantize cannot apply to layer 'fc3': format matmulnbits needs weights.bits 4, got 8.",
                nbits.problems().get(0).text());
        var noCalib = RecipePlan.of(recipe("""
                whittle: 1
                steps:
                  - select: {}
                    quantize: {weights: {bits: 8}, activations: {calibration: entropy}}
                """), TestModels.mlp());
        assertTrue(noCalib.problems().get(0).text().startsWith("steps[1]: quantize.activations needs calibration data"),
                noCalib.problems().toString());
        var bad = assertThrows(BadInputException.class, () -> recipe("""
                whittle: 1
                steps:
                  - select: {}
                    quantize: {weights: {bits: 3}}
                """));
        assertTrue(bad.getMessage().contains("steps[1].quantize at 4:5: weights.bits must be 8 or 4, got 3"), bad.getMessage());
    }

    @Test
    void matmulNBitsGivesFourBitBlocksToMatMulsAndLeavesGemmsInFloatWithANote() {
        RecipeRunner.Result r = RecipeRunner.run(recipe("""
                whittle: 1
                steps:
                  - select: {}
                    quantize: {format: matmulnbits, weights: {block: 16}}
                """), TestModels.mlp());
        assertEquals(List.of("fc3"), nodes(r));
        var fc3 = r.report().layers().get(0).quant();
        assertEquals(QuantFormat.MATMULNBITS, fc3.format());
        assertEquals(4, fc3.bits());
        assertTrue(r.warnings().stream().anyMatch(w -> w.contains("'fc1' was left in float")), r.warnings().toString());
        assertTrue(r.plan().steps().get(0).touches().get(0).skip().contains("applies to MatMul only"));
    }

    @Test
    void theSameQuantizingRecipeGivesTheSameBytes() {
        Recipe r = recipe("""
                whittle: 1
                steps:
                  - select: {ops: [Conv]}
                    prune: {sparsity: 0.25, structure: channel}
                  - select: {names: [fc]}
                    lowrank: {rank: 2}
                  - select: {}
                    quantize: {weights: {bits: 4, granularity: block, block: 16, range: mse}}
                """);
        byte[] a = RecipeRunner.run(r, TestModels.cnn()).model().proto().toByteArray();
        byte[] b = RecipeRunner.run(r, TestModels.cnn()).model().proto().toByteArray();
        org.junit.jupiter.api.Assertions.assertArrayEquals(a, b);
    }
}
