package dev.whittle.core.recipe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.BadInputException;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.testing.BodyModels;
import dev.whittle.testing.TestModels;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A step's select.graphs: main (the default), all, or a regex on the graph path. */
class RecipeGraphsTest {
    private static Recipe recipe(String yaml) {
        return Recipe.parse("r.yaml", yaml);
    }

    private static List<String> quantized(RecipeRunner.Result r) {
        return r.report().layers().stream().filter(e -> e.quant() != null).map(e -> e.quant().node()).toList();
    }

    private static List<String> pruned(RecipeRunner.Result r) {
        return r.report().layers().stream().filter(e -> e.transform() != null && e.transform().skipped() == null)
                .map(e -> e.transform().node()).toList();
    }

    @Test
    void withoutGraphsAStepReachesTheMainGraphOnly() {
        OnnxModel m = BodyModels.loopNestedIf();
        // body_mm reads the main graph's W, but lives in the Loop body: a plain step does not reach it
        var e = assertThrows(BadInputException.class, () -> RecipeRunner.run(recipe("""
                whittle: 2
                steps:
                  - select: {}
                    quantize: {weights: {bits: 8}}
                """), m));
        assertTrue(e.getMessage().contains("graphs: all"), e.getMessage());
        for (int version : List.of(1, 2)) {
            var r = RecipeRunner.run(recipe("whittle: " + version + """

                    steps:
                      - select: {graphs: all}
                        prune: {sparsity: 0.5}
                    """), m);
            assertEquals(List.of("body_mm", "then_mm", "else_mm"), pruned(r));
        }
    }

    @Test
    void aRegexOnTheGraphPathSelectsOneBranch() {
        OnnxModel m = BodyModels.loopNestedIf();
        var r = RecipeRunner.run(recipe("""
                whittle: 2
                steps:
                  - select: {graphs: '.*\\.then_branch'}
                    quantize: {weights: {bits: 8}}
                  - select: {graphs: 'Loop_0\\.body', names: [body_mm]}
                    prune: {sparsity: 0.25}
                """), m);
        assertEquals(List.of("then_mm"), quantized(r));
        assertEquals(List.of("body_mm"), pruned(r));
        var bad = assertThrows(BadInputException.class, () -> recipe("""
                whittle: 2
                steps:
                  - select: {graphs: '(then'}
                    prune: {sparsity: 0.5}
                """));
        assertTrue(bad.getMessage().contains("select.graphs"), bad.getMessage());
    }

    @Test
    void graphsMainIsTheDefault() {
        String base = """
                whittle: 1
                steps:
                  - select: {names: [fc1]}
                    prune: {sparsity: 0.5}
                  - select: {%s}
                    quantize: {weights: {bits: 8}}
                """;
        // the same graph (the recipe text in the metadata differs)
        for (String other : List.of("graphs: main", "graphs: all")) {
            byte[] plain = RecipeRunner.run(recipe(base.formatted("")), TestModels.mlp()).model().proto().getGraph().toByteArray();
            byte[] same = RecipeRunner.run(recipe(base.formatted(other)), TestModels.mlp()).model().proto().getGraph()
                    .toByteArray();
            assertArrayEquals(plain, same, other);
        }
    }

    @Test
    void aPlanOnABodyLayerExportsAStepThatReachesItsBody() {
        OnnxModel m = BodyModels.loopNestedIf();
        var plan = dev.whittle.core.plan.Plan.empty().withLayer("then_mm",
                dev.whittle.core.plan.LayerSettings.INHERIT.withPrune(dev.whittle.core.prune.PruneSpec.sparsity(0.5)));
        Recipe r = dev.whittle.core.plan.PlanRecipes.toRecipe(plan, m.graph(), null);
        assertEquals("Loop_0\\.body/inner_if\\.then_branch", r.steps().get(0).select().graphs());
        assertEquals(List.of("then_mm"), pruned(RecipeRunner.run(recipe(RecipeWriter.toYaml(r, null)), m)));
        var back = dev.whittle.core.plan.PlanRecipes.fromRecipe(r, m.graph());
        assertEquals(plan.layers().keySet(), back.layers().keySet());
    }

    @Test
    void theWrittenRecipeKeepsGraphs() {
        Recipe r = recipe("""
                whittle: 2
                steps:
                  - select: {graphs: all, names: [then_mm]}
                    prune: {sparsity: 0.5}
                """);
        String yaml = RecipeWriter.toYaml(r, null);
        assertTrue(yaml.contains("graphs: all"), yaml);
        assertEquals("all", recipe(yaml).steps().get(0).select().graphs());
    }
}
