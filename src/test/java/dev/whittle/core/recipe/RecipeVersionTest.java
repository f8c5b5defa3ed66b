package dev.whittle.core.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.BadInputException;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.testing.EmbeddingModels;
import dev.whittle.testing.QuantModels;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Recipe format versions (docs/recipes.md, "Layer kinds beyond version 1"): in version 1 a
 * select without ops leaves Gather tables alone and {@code ops: [Gather]} reaches them; in
 * version 2 a select without ops reaches every kind.
 */
class RecipeVersionTest {
    static final OnnxModel MODEL = QuantModels.load(QuantModels.model(EmbeddingModels.embeddingWithHead(), 13));

    static String recipe(int version, String select) {
        return """
                whittle: %d
                steps:
                  - select: %s
                    quantize:
                      weights: {bits: 8, granularity: channel}
                """.formatted(version, select);
    }

    static RecipePlan plan(String yaml) {
        return RecipePlan.of(Recipe.parse("r.yaml", yaml), MODEL);
    }

    @Test
    void version1WithoutOpsLeavesTheTableAloneAndSaysVersion2WouldTakeIt() {
        RecipePlan p = plan(recipe(1, "{}"));
        assertEquals(List.of("proj"), p.steps().get(0).selected());
        assertEquals(List.of("embed"), p.steps().get(0).version1LeftOut());
        RecipeRunner.Result r = RecipeRunner.run(Recipe.parse("r.yaml", recipe(1, "{}")), MODEL);
        assertTrue(r.model().graph().constant("table").isPresent(), "the table stays float");
        assertTrue(r.model().graph().constant("head").isEmpty(), "the MatMul weight is quantized");
    }

    @Test
    void version1ReachesTheTableWhenOpsNamesGather() {
        RecipePlan p = plan(recipe(1, "{ops: [Gather]}"));
        assertEquals(List.of("embed"), p.steps().get(0).selected());
        assertTrue(p.steps().get(0).version1LeftOut().isEmpty());
        assertEquals(List.of("proj"), plan(recipe(1, "{ops: [MatMul]}")).steps().get(0).selected());
    }

    @Test
    void version1NamesWithoutOpsDoNotReachTheTableAndTheProblemSaysHow() {
        RecipePlan p = plan(recipe(1, "{names: [embed]}"));
        assertEquals(1, p.problems().size());
        assertTrue(p.problems().get(0).text().contains("A whittle: 1 select without ops does not reach Gather layers ('embed'):"
                + " add ops: [Gather] or write whittle: 2."), p.problems().get(0).text());
        assertEquals(List.of("embed"), plan(recipe(2, "{names: [embed]}")).steps().get(0).selected());
    }

    @Test
    void version2WithoutOpsReachesEveryKind() {
        RecipePlan p = plan(recipe(2, "{}"));
        assertEquals(List.of("embed", "proj"), p.steps().get(0).selected());
        assertTrue(p.steps().get(0).version1LeftOut().isEmpty());
        RecipeRunner.Result r = RecipeRunner.run(Recipe.parse("r.yaml", recipe(2, "{}")), MODEL);
        assertTrue(r.model().graph().constant("table").isEmpty());
        assertTrue(r.model().graph().constant("head").isEmpty());
    }

    @Test
    void theSameRecipeInVersion1AndVersion2DiffersOnlyByTheTable() {
        // metadata_props hold the recipe's copy, which differs by its text; the graph must not

        byte[] v1 = RecipeRunner.run(Recipe.parse("r.yaml", recipe(1, "{}")), MODEL).model().proto().toBuilder().clearMetadataProps().build().toByteArray();
        byte[] v1ops = RecipeRunner.run(Recipe.parse("r.yaml", recipe(1, "{ops: [MatMul]}")), MODEL).model().proto().toBuilder().clearMetadataProps().build().toByteArray();
        byte[] v2ops = RecipeRunner.run(Recipe.parse("r.yaml", recipe(2, "{ops: [MatMul]}")), MODEL).model().proto().toBuilder().clearMetadataProps().build().toByteArray();
        assertTrue(Arrays.equals(v1, v1ops), "version 1's select {} means ops [MatMul] on this model");
        assertTrue(Arrays.equals(v1, v2ops), "ops given: the version does not matter");
        byte[] v2 = RecipeRunner.run(Recipe.parse("r.yaml", recipe(2, "{}")), MODEL).model().proto().toBuilder().clearMetadataProps().build().toByteArray();
        assertFalse(Arrays.equals(v1, v2));
    }

    @Test
    void otherVersionsAreRefused() {
        var e = assertThrows(BadInputException.class, () -> Recipe.parse("r.yaml", recipe(3, "{}")));
        assertTrue(e.getMessage().contains("format version 3 is not supported (this Whittle reads 1 and 2)"), e.getMessage());
    }
}
