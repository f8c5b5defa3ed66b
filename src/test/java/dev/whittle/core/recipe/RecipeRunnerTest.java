package dev.whittle.core.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.BadInputException;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.transform.LayerReport;
import dev.whittle.testing.TestModels;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecipeRunnerTest {
    static Recipe recipe(String yaml) {
        return Recipe.parse("r.yaml", yaml);
    }

    @Test
    void aLaterStepOverridesAnEarlierOneAndLowRankRunsAfterPruning() {
        Recipe r = recipe("""
                whittle: 1
                steps:
                  - select: {ops: [Gemm, MatMul]}
                    prune: {sparsity: 0.5}
                  - select: {names: [fc2]}
                    prune: {sparsity: 0.25}
                  - select: {names: [fc1]}
                    lowrank: {rank: 2}
                """);
        OnnxModel m = TestModels.mlp();
        RecipeRunner.Result res = RecipeRunner.run(r, m);
        List<LayerReport> layers = res.report().layers().stream().map(RecipeReport.Entry::transform).toList();
        assertEquals(List.of("fc1", "fc3", "fc2", "fc1"), layers.stream().map(LayerReport::node).toList());
        assertEquals(0.5, layers.get(0).sparsity(), 0.01);
        assertEquals(24, layers.get(2).zeros(), "fc2 pruned once, at 25% of 96");
        assertEquals(2, layers.get(3).rank());
        assertNull(layers.get(3).skipped());
        assertEquals(List.of(1, 1, 2, 3), res.report().layers().stream().map(RecipeReport.Entry::step).toList());
        // The written model records the recipe in its metadata, a few hundred bytes that this tiny model notices.
        long metadata = res.model().graph().metadata().entrySet().stream().mapToLong(e -> e.getKey().length()
                + e.getValue().length() + 4).sum();
        assertTrue(res.report().bytesAfter() < res.report().bytesBefore() + metadata);
        assertEquals(m.graph().params(), res.report().paramsBefore());
        assertEquals(res.model().graph().params(), res.report().paramsAfter());
        assertTrue(res.report().paramsAfter() < res.report().paramsBefore(), "fc1's factors hold fewer parameters");
    }

    @Test
    void theSameRecipeOnTheSameModelGivesByteIdenticalOutput() {
        Recipe r = recipe("""
                whittle: 1
                steps:
                  - select: {ops: [Conv]}
                    prune: {sparsity: 0.25, structure: channel}
                  - select: {ops: [Gemm]}
                    prune: {sparsity: 0.5, scope: global}
                  - select: {names: [conv2]}
                    lowrank: {energy: 0.9}
                """);
        byte[] a = RecipeRunner.run(r, TestModels.cnn()).model().proto().toByteArray();
        byte[] b = RecipeRunner.run(r, TestModels.cnn()).model().proto().toByteArray();
        org.junit.jupiter.api.Assertions.assertArrayEquals(a, b);
    }

    @Test
    void badSpecsAndUnknownKeysAreErrorsNamingTheFieldAndPlace() {
        var e = assertThrows(BadInputException.class, () -> recipe("""
                whittle: 1
                steps:
                  - select: {ops: [Gemm]}
                    prune: {sparsity: 1.5}
                """));
        assertTrue(e.getMessage().contains("prune.sparsity must be in [0, 1), got 1.5"), e.getMessage());
        var k = assertThrows(BadInputException.class, () -> recipe("""
                whittle: 1
                steps:
                  - select: {ops: [Gemm]}
                    prune: {sparsty: 0.5}
                """));
        assertEquals("r.yaml: unknown key 'sparsty' at 4:13, did you mean 'sparsity'?", k.getMessage());
    }

    @Test
    void aStepThatSelectsNothingIsAnError() {
        Recipe r = recipe("""
                whittle: 1
                steps:
                  - select: {names: [nothing.*]}
                    prune: {sparsity: 0.5}
                """);
        var e = assertThrows(BadInputException.class, () -> RecipeRunner.run(r, TestModels.mlp()));
        assertTrue(e.getMessage().startsWith("steps[1]:") && e.getMessage().contains("matches no weight layer"), e.getMessage());
    }
}
