package dev.whittle.core.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.BadInputException;
import dev.whittle.core.model.DataType;
import dev.whittle.core.onnx.GraphBuilder;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.recipe.RecipePlan.Setting;
import dev.whittle.core.recipe.RecipePlan.Touch;
import dev.whittle.testing.TestModels;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecipePlanTest {
    static RecipePlan plan(String yaml, OnnxModel m) {
        return RecipePlan.of(Recipe.parse("r.yaml", yaml), m);
    }

    @Test
    void eachStepListsTheLayersItSelectsAndWhichLaterStepOverridesIt() {
        RecipePlan p = plan("""
                whittle: 1
                steps:
                  - select: {ops: [Gemm, MatMul]}
                    prune: {sparsity: 0.5}
                  - select: {names: [fc2]}
                    prune: {sparsity: 0.25}
                    lowrank: {rank: 2}
                """, TestModels.mlp());
        assertTrue(p.problems().isEmpty(), p.problems().toString());
        assertEquals(List.of("fc1", "fc2", "fc3"), p.steps().get(0).selected());
        List<Touch> first = p.steps().get(0).touches();
        assertNull(first.get(0).overriddenBy());
        assertEquals(2, first.get(1).overriddenBy());
        List<Touch> second = p.steps().get(1).touches();
        assertEquals(List.of(Setting.PRUNE, Setting.LOWRANK), second.stream().map(Touch::setting).toList());
        assertTrue(second.stream().allMatch(Touch::effective));
        assertTrue(p.warnings().get(0).contains("layer 'fc2' is pruned (step 2) and then factored (step 2)"), p.warnings().toString());
    }

    @Test
    void twoFourOnAnInputDimensionFourDoesNotDivideIsAProblemOfItsStep() {
        // conv2's input dimension is 8 (fine for 2:4), conv1's is 2 (group 2, 4 channels in).
        RecipePlan p = plan("""
                whittle: 1
                steps:
                  - select: {ops: [Gemm]}
                    prune: {sparsity: 0.5}
                  - select: {ops: [Conv]}
                    prune: {structure: "2:4"}
                """, TestModels.cnn());
        assertEquals(1, p.problems().size(), p.problems().toString());
        assertEquals("steps[2]: prune.structure 2:4 cannot apply to layer 'conv1': the input dimension 2 is not a multiple of 4.",
                p.problems().get(0).text());
        var e = assertThrows(BadInputException.class, p::requireValid);
        assertTrue(e.getMessage().endsWith("not a multiple of 4; nothing was written."), e.getMessage());
    }

    @Test
    void lowRankOfAnAlreadyQuantizedWeightIsRefused() {
        OnnxModel q = new GraphBuilder("q")
                .input("x", DataType.FLOAT, 1, 4)
                .initializer("Wq", DataType.INT8, java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}), 4, 2)
                .initializer("s", new float[] {0.1f}).initializer("z", DataType.INT8, java.nio.ByteBuffer.wrap(new byte[] {0}))
                .node("DequantizeLinear", "Wq", "s", "z").name("dq").outputs("W").done()
                .node("MatMul", "x", "W").name("mm").outputs("y").done()
                .output("y", DataType.FLOAT, 1, 2)
                .toModel();
        RecipePlan p = plan("whittle: 1\nsteps:\n  - select: {}\n    lowrank: {rank: 1}\n", q);
        assertEquals(1, p.problems().size(), p.problems().toString());
        assertTrue(p.problems().get(0).text().startsWith("steps[1]: lowrank cannot apply to layer 'mm': its weight is already"
                + " quantized"), p.problems().get(0).text());
    }

    @Test
    void aRankAboveTheMatrixAndASelectorThatMatchesNothingAreProblems() {
        RecipePlan p = plan("""
                whittle: 1
                steps:
                  - select: {names: [nothing]}
                    prune: {sparsity: 0.5}
                  - select: {names: [fc3]}
                    lowrank: {rank: 5}
                """, TestModels.mlp());
        assertEquals(2, p.problems().size());
        assertTrue(p.problems().get(0).text().startsWith("steps[1]: select {names [nothing]} matches no"
                + " weight layer"), p.problems().get(0).text());
        assertEquals("steps[2]: lowrank cannot apply to layer 'fc3': lowrank.rank 5 is above min(m, n) = 4 (8 x 4).",
                p.problems().get(1).text());
        var e = assertThrows(BadInputException.class, p::requireValid);
        assertTrue(e.getMessage().contains("(and 1 more problem; whittle validate lists them all)"), e.getMessage());
    }

    @Test
    void sparseStorageFollowedByLowRankOnTheSameLayerIsRefused() {
        RecipePlan p = plan("""
                whittle: 1
                steps:
                  - select: {names: [fc1]}
                    prune: {sparsity: 0.5, storage: sparse}
                  - select: {names: [fc1]}
                    lowrank: {rank: 2}
                """, TestModels.mlp());
        assertEquals(1, p.problems().size());
        assertTrue(p.problems().get(0).text().contains("steps[2]: lowrank cannot apply to layer 'fc1': step 1 stores"),
                p.problems().get(0).text());
    }

    @Test
    void aLayerLowRankWouldNotShrinkIsListedAsSkippedWithTheReason() {
        RecipePlan p = plan("whittle: 1\nsteps:\n  - select: {names: [fc3]}\n    lowrank: {rank: 3}\n", TestModels.mlp());
        assertTrue(p.problems().isEmpty());
        assertTrue(p.steps().get(0).touches().get(0).skip().startsWith("rank 3 would not save parameters"),
                p.steps().get(0).touches().toString());
    }
}
