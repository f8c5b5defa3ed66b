package dev.whittle.core.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.whittle.core.BadInputException;
import dev.whittle.core.lowrank.LowRankSpec;
import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.prune.PruneSpec;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.quant.WeightSpec;
import dev.whittle.core.recipe.Recipe;
import dev.whittle.core.recipe.RecipePlan;
import dev.whittle.core.recipe.RecipePlan.Setting;
import dev.whittle.core.recipe.RecipeWriter;
import dev.whittle.core.recipe.Selection;
import dev.whittle.core.recipe.Step;
import dev.whittle.core.select.LayerSelector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlanRecipesTest {
    static final Path MINILM = Path.of("sample-models/minilm/all-minilm-l6-v2.onnx");
    static final Path MLP = Path.of("sample-models/fashion-mlp.onnx");

    static Step quantizeAll() {
        return Recipe.parse("t", "whittle: 1\nsteps:\n  - select: {}\n    quantize: {weights: {bits: 8, granularity: channel}}\n")
                .steps().get(0);
    }

    @Test
    void everyMiniLmLayerNameEscapesToARegexSelectingOnlyThatLayer() {
        assumeTrue(Files.isRegularFile(MINILM));
        ModelGraph g = OnnxReader.read(MINILM).graph();
        for (WeightLayer l : g.weightLayers()) {
            List<WeightLayer> hit = LayerSelector.names(PlanRecipes.layerRegex(l.node())).select(g);
            assertEquals(List.of(l), hit, l.node());
        }
        assertEquals("/encoder/layer\\.0/attention/self/query/MatMul",
                PlanRecipes.layerRegex("/encoder/layer.0/attention/self/query/MatMul"));
    }

    @Test
    void handTunedLayersExportAsOneStepPerLayerAndReadBackToTheSamePlan() {
        assumeTrue(Files.isRegularFile(MINILM));
        OnnxModel onnx = OnnxReader.read(MINILM);
        ModelGraph g = onnx.graph();
        String q0 = g.weightLayers().get(3).node();
        String q1 = g.weightLayers().get(1).node();
        Plan p = Plan.empty().addRule(quantizeAll())
                .withLayer(q0, LayerSettings.INHERIT.withQuantize(QuantizeSpec.weights(WeightSpec.blocks(4, 32))))
                .withLayer(q1, LayerSettings.INHERIT.withPrune(PruneSpec.sparsity(0.25)).withLowrank(LowRankSpec.rank(16)));
        Recipe r = PlanRecipes.toRecipe(p, g, "abc");
        assertEquals(3, r.steps().size());
        // Model order: the earlier layer's step first.
        assertEquals(List.of(PlanRecipes.layerRegex(q1)), r.steps().get(1).select().names());
        assertEquals(List.of(PlanRecipes.layerRegex(q0)), r.steps().get(2).select().names());
        assertEquals("abc", r.model().sha256());
        Recipe back = Recipe.parse("x", RecipeWriter.toYaml(r, null));
        Plan reopened = PlanRecipes.fromRecipe(back, g);
        assertEquals(p.layers(), reopened.layers());
        assertEquals(1, reopened.rules().size());
        ResolvedPlan rp = ResolvedPlan.of(p, g);
        assertEquals(4, rp.layer(q0).weightBits());
        assertEquals(8, rp.layer(q1).weightBits());
        assertEquals(q1, rp.layer(q1).pruneFrom().node());
        assertEquals(0, rp.layer(q1).quantizeFrom().rule());
        // The direct resolution agrees with the validator run on the exported recipe.
        RecipePlan checked = rp.validate(onnx);
        for (var e : rp.layers().entrySet()) {
            assertEquals(checked.quantize().get(e.getKey()), e.getValue().quantize(), e.getKey());
        }
    }

    @Test
    void aSettingSwitchedOffExcludesTheLayerFromTheRulesThatWouldGiveIt() {
        OnnxModel m = OnnxReader.read(MLP);
        ModelGraph g = m.graph();
        Step both = new Step(new Selection(List.of("MatMul"), null, null), PruneSpec.sparsity(0.3), null, quantizeAll().quantize());
        Plan p = Plan.empty().addRule(both).withLayer("fc2", LayerSettings.INHERIT.withOff(Setting.QUANTIZE));
        Recipe r = PlanRecipes.toRecipe(p, g, null);
        assertEquals(2, r.steps().size());
        assertNull(r.steps().get(0).quantize());
        assertEquals(List.of("fc2"), r.steps().get(1).select().exclude());
        ResolvedPlan rp = ResolvedPlan.of(p, g);
        assertNull(rp.layer("fc2").quantize());
        assertEquals(0.3, rp.layer("fc2").prune().sparsity());
        assertEquals(8, rp.layer("fc1").weightBits());
        // The runner agrees with the resolution.
        RecipePlan checked = rp.validate(m);
        assertTrue(checked.problems().isEmpty(), checked.problems().toString());
        assertTrue(!checked.quantize().containsKey("fc2") && checked.quantize().containsKey("fc1"));
    }

    @Test
    void theResolvedPlanMergesQuantizeBlocksAsTheRunnerDoes() throws Exception {
        OnnxModel m = OnnxReader.read(MLP);
        for (String name : List.of("fashion-mlp-mixed.yaml", "fashion-mlp-int8.yaml", "fashion-mlp-prune.yaml")) {
            Recipe r = Recipe.read(Path.of("sample-models/recipes", name));
            ResolvedPlan rp = ResolvedPlan.of(PlanRecipes.fromRecipe(r, m.graph()), m.graph());
            RecipePlan runner = RecipePlan.of(r, m);
            for (var e : rp.layers().entrySet()) {
                assertEquals(runner.quantize().get(e.getKey()), e.getValue().quantize(), name + " " + e.getKey());
            }
        }
    }

    @Test
    void badPlansAreRefusedWithTheFieldNamed() {
        ModelGraph g = OnnxReader.read(MLP).graph();
        BadInputException e = assertThrows(BadInputException.class, () -> PlanRecipes.toRecipe(Plan.empty(), g, null));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
        Plan ghost = Plan.empty().withLayer("nope", LayerSettings.INHERIT.withPrune(PruneSpec.sparsity(0.1)));
        e = assertThrows(BadInputException.class, () -> PlanRecipes.toRecipe(ghost, g, null));
        assertTrue(e.getMessage().contains("'nope'"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> LayerSettings.INHERIT.withPrune(PruneSpec.global(0.5, null, null)));
        assertTrue(e.getMessage().contains("global"), e.getMessage());
        assertThrows(BadInputException.class,
                () -> new LayerSettings(PruneSpec.sparsity(0.1), null, null, java.util.Set.of(Setting.PRUNE)));
        assertEquals(Map.of(), Plan.empty().withLayers(List.of("a"), s -> s).layers());
    }
}
