package dev.whittle.core.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.BadInputException;
import dev.whittle.core.lowrank.LowRankSpec;
import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.prune.PruneSpec;
import dev.whittle.core.quant.Granularity;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.quant.WeightSpec;
import dev.whittle.core.recipe.Recipe;
import dev.whittle.core.recipe.RecipePlan.Setting;
import dev.whittle.core.recipe.RecipeWriter;
import dev.whittle.core.recipe.Step;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The data-aware choices a plan holds per layer (GPTQ, bias correction, reconstruct) and in its
 * rules (those and smoothing): exported to the recipe keys, read back to the same plan, and
 * resolved per layer as RecipeRunner merges them.
 */
class DataAwarePlanTest {
    static final Path CNN = Path.of("sample-models", "fashion-cnn.onnx");
    static final String RULES = """
            whittle: 1
            calibration: {data: fashion-calib-x.npy}
            steps:
              - select: {}
                prune: {sparsity: 0.3, criterion: wanda}
                reconstruct: {damp: 0.05}
                quantize:
                  weights: {bits: 8, granularity: channel, method: gptq}
                  activations: {calibration: minmax}
                  biasCorrection: true
                  smooth: 0.5
            """;

    private final ModelGraph g = OnnxReader.read(CNN).graph();

    @Test
    void tunedLayerChoicesExportToTheRecipeKeysAndReadBack() {
        WeightSpec w = WeightSpec.of(4, Granularity.CHANNEL).withGptq(true).withBiasCorrection(true);
        Plan p = Plan.empty().withLayer("fc1", LayerSettings.INHERIT.withPrune(PruneSpec.sparsity(0.5), true)
                .withQuantize(QuantizeSpec.weights(w)));
        Recipe r = PlanRecipes.toRecipe(p, g, null);
        Step s = r.steps().get(0);
        assertEquals(0.1, s.reconstructDamp(), 1e-12, "reconstruct: true, the default damping");
        assertTrue(s.quantize().weights().gptq());
        assertTrue(s.quantize().correctsBias());
        String yaml = RecipeWriter.toYaml(r, null);
        assertTrue(yaml.contains("method: gptq") && yaml.contains("biasCorrection: true") && yaml.contains("damp: 0.1"),
                yaml);
        Plan back = PlanRecipes.fromRecipe(Recipe.parse("t", yaml), g);
        assertEquals(p.layer("fc1").prune(), back.layer("fc1").prune());
        assertEquals(w, back.layer("fc1").quantize().weights());
        assertEquals(Map.of("damp", 0.1), ResolvedPlan.of(back, g).layer("fc1").reconstruct(),
                "true is written as the damping it means");
        assertEquals(ResolvedPlan.of(p, g).layers(), ResolvedPlan.of(back, g).layers());

        ResolvedPlan.Effective e = ResolvedPlan.of(p, g).layer("fc1");
        assertTrue(e.reconstructs());
        assertTrue(e.quantize().weights().gptq() && e.quantize().weights().biasCorrection());
        assertFalse(ResolvedPlan.of(p, g).layer("fc2").reconstructs());
    }

    @Test
    void rulesKeepEveryDataAwareKeyEvenWhenALayerSwitchesOneOff() {
        Recipe recipe = Recipe.parse("t", RULES);
        Plan p = PlanRecipes.fromRecipe(recipe, g);
        ResolvedPlan.Effective e = ResolvedPlan.of(p, g).layer("conv2");
        assertEquals(Map.of("damp", 0.05), e.reconstruct());
        assertTrue(e.quantize().weights().gptq(), "a rule's method reaches the layer");
        assertTrue(e.quantize().weights().biasCorrection(), "and its bias correction");

        Plan off = p.withLayer("fc3", LayerSettings.INHERIT.withOff(Setting.PRUNE));
        Recipe out = PlanRecipes.toRecipe(off, g, null);
        assertEquals(2, out.steps().size(), "the rule splits around fc3's pruning");
        for (Step s : out.steps()) {
            if (s.prune() != null) {
                assertEquals(0.05, s.reconstructDamp(), 1e-12, "reconstruct goes with the pruning");
            } else {
                assertNull(s.reconstruct());
            }
            if (s.quantize() != null) {
                assertTrue(s.quantize().weights().gptq() && s.quantize().correctsBias());
                assertEquals(0.5, s.quantize().smooth(), 1e-12);
            }
        }
        assertFalse(ResolvedPlan.of(off, g).layer("fc3").reconstructs());
    }

    @Test
    void reconstructNeedsPruningOrLowRankOnTheLayer() {
        BadInputException x = assertThrows(BadInputException.class, () -> new LayerSettings(null, null, null, Set.of(), true));
        assertTrue(x.getMessage().contains("set prune or lowrank on the layer"), x.getMessage());
        assertThrows(BadInputException.class, () -> LayerSettings.INHERIT.withPrune(PruneSpec.sparsity(0.5), "yes"));
        assertNull(LayerSettings.INHERIT.withPrune(PruneSpec.sparsity(0.5), true).withPrune(null).reconstruct(),
                "no pruning, no refit");
        assertNull(LayerSettings.INHERIT.withPrune(PruneSpec.sparsity(0.5), true).withOff(Setting.PRUNE).reconstruct());
        LayerSettings both = LayerSettings.INHERIT.withPrune(PruneSpec.sparsity(0.5), true).withLowrank(LowRankSpec.rank(8));
        assertEquals(true, both.withPrune(null).reconstruct(), "the low rank set here keeps the refit");
        assertNull(both.withPrune(null).withLowrank(null).reconstruct());
        assertNull(both.withOff(Setting.PRUNE).withOff(Setting.LOWRANK).reconstruct());
    }

    /**
     * A layer's low rank with reconstruct: exported as one step with both keys, read back, and
     * resolved as the runner reads it (true cross-validates the damping after low rank); the
     * pruning from a rule keeps its own step's reconstruct.
     */
    @Test
    void lowRankRefitExportsReadsBackAndResolvesApartFromTheRulesPruning() {
        Plan p = PlanRecipes.fromRecipe(Recipe.parse("t", """
                whittle: 1
                calibration: {data: fashion-calib-x.npy}
                steps:
                  - select: {}
                    prune: {sparsity: 0.3}
                """), g).withLayer("fc1", LayerSettings.INHERIT.withLowrank(LowRankSpec.params(0.5).withWhiten(true), true));
        ResolvedPlan.Effective e = ResolvedPlan.of(p, g).layer("fc1");
        assertFalse(e.reconstructs(), "the rule's pruning has no refit");
        assertTrue(e.lowrankReconstructs());
        assertEquals(Map.of("damp", "auto"), e.lowrankReconstruct());
        Recipe r = PlanRecipes.toRecipe(p, g, null);
        Step last = r.steps().get(r.steps().size() - 1);
        assertEquals(Boolean.TRUE, last.reconstruct());
        assertTrue(last.lowrank().whiten() && last.prune() == null);
        Plan back = PlanRecipes.fromRecipe(Recipe.parse("t", RecipeWriter.toYaml(r, null)), g);
        assertEquals(p.layer("fc1").lowrank(), back.layer("fc1").lowrank());
        assertEquals(Map.of("damp", "auto"), back.layer("fc1").reconstruct(), "true after low rank means auto");
        assertEquals(ResolvedPlan.of(p, g).layers(), ResolvedPlan.of(back, g).layers());
        assertFalse(ResolvedPlan.of(p, g).layer("fc2").lowrankReconstructs());
    }
}
