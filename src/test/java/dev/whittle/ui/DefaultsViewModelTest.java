package dev.whittle.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.BadInputException;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.plan.Plan;
import dev.whittle.core.plan.PlanRecipes;
import dev.whittle.core.quant.Granularity;
import dev.whittle.core.recipe.RecipeFile;
import dev.whittle.core.recipe.Step;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Edit > Plan Defaults without the toolkit, on the Fashion-MNIST CNN. */
class DefaultsViewModelTest {
    private final PlanViewModel plan = new PlanViewModel(JobRunner.direct());
    private final OnnxModel model = OnnxReader.read(PlanViewModelTest.CNN);

    DefaultsViewModelTest() {
        plan.setModel(model);
    }

    private long count(String op) {
        return model.graph().weightLayers().stream().filter(l -> op == null || l.op().equals(op)).count();
    }

    @Test
    void aNewRuleOverEveryLayerQuantizesThemAllAndIsOneUndoStep() {
        DefaultsViewModel d = new DefaultsViewModel(plan);
        assertTrue(d.rows().isEmpty());
        DefaultsViewModel.Row r = d.add();
        assertEquals(count(null), d.matches(r), "an empty selection is every weight layer");
        assertNull(d.problem());
        int undoBefore = plan.history().undoDepth();
        assertTrue(d.apply());
        assertEquals(undoBefore + 1, plan.history().undoDepth(), "one undo step");
        assertEquals(1, plan.planProperty().get().rules().size());
        for (WeightLayer l : model.graph().weightLayers()) {
            var w = plan.resolvedProperty().get().layer(l.node()).quantize().weights();
            assertEquals(8, w.bits(), l.node());
            assertEquals(Granularity.CHANNEL, w.granularity(), l.node());
        }
        plan.undo();
        assertTrue(plan.planProperty().get().rules().isEmpty(), "undo takes the rule away");
        plan.redo();
        assertEquals(1, plan.planProperty().get().rules().size());
        // Opened again, the editor shows the rule as it was written.
        DefaultsViewModel again = new DefaultsViewModel(plan);
        assertEquals("int8", again.rows().get(0).bits.get());
        assertEquals("channel", again.rows().get(0).granularity.get());
        assertFalse(again.rows().get(0).changed());
    }

    @Test
    void aRuleByOpTypeAndOneByNameOrderedTheLaterWins() {
        DefaultsViewModel d = new DefaultsViewModel(plan);
        DefaultsViewModel.Row conv = d.add();
        conv.ops.set("Conv");
        conv.bits.set("");
        conv.granularity.set("");
        conv.range.set("");
        conv.prune.set("50%");
        assertEquals(count("Conv"), d.matches(conv));
        DefaultsViewModel.Row fc = d.add();
        fc.names.set("fc.*");
        fc.bits.set("int4 asym");
        fc.granularity.set("block32");
        fc.range.set("mse");
        fc.rank.set("E 90%");
        assertTrue(d.matches(fc) >= 2);
        assertTrue(d.apply());
        var resolved = plan.resolvedProperty().get();
        for (WeightLayer l : model.graph().weightLayers()) {
            var e = resolved.layer(l.node());
            if (l.op().equals("Conv")) {
                assertEquals(0.5, e.prune().sparsity(), 1e-12, l.node());
            }
            if (l.node().startsWith("fc")) {
                var w = e.quantize().weights();
                assertEquals(4, w.bits());
                assertFalse(w.symmetric());
                assertEquals(32, w.block());
                assertEquals(0.9, e.lowrank().energy(), 1e-12);
            }
        }
        // Order matters: moving the fc rule up changes nothing here, but the rows follow.
        d.moveUp(fc);
        assertSame(fc, d.rows().get(0));
        d.remove(conv);
        assertTrue(d.apply());
        assertEquals(1, plan.planProperty().get().rules().size());
    }

    @Test
    void badTextNamesTheRuleAndWhatIsWrongAndChangesNothing() {
        DefaultsViewModel d = new DefaultsViewModel(plan);
        DefaultsViewModel.Row r = d.add();
        r.prune.set("lots");
        assertTrue(d.problem().startsWith("Rule 1: "), d.problem());
        assertTrue(d.problem().contains("lots"), d.problem());
        assertThrows(BadInputException.class, d::apply);
        r.prune.set("");
        r.bits.set("");
        r.granularity.set("");
        r.range.set("");
        assertTrue(d.problem().contains("at least one"), d.problem());
        r.bits.set("int8");
        r.names.set("fc[");
        assertEquals(-1, d.matches(r), "a broken regex selects nothing");
        assertNotNull(d.problem());
        assertTrue(plan.planProperty().get().rules().isEmpty(), "nothing applied");
    }

    @Test
    void untouchedRulesComeBackExactlyAndAnEditedOneKeepsWhatTheEditorDoesNotShow() {
        Plan p = PlanRecipes.fromRecipe(RecipeFile.read(Path.of("sample-models/recipes/fashion-cnn-int8.yaml")).recipe(),
                model.graph());
        plan.edit(p, "open recipe");
        List<Step> before = plan.planProperty().get().rules();
        DefaultsViewModel d = new DefaultsViewModel(plan);
        assertEquals(before.size(), d.rows().size());
        assertTrue(d.rows().get(0).kept().contains("activations"), d.rows().get(0).kept());
        assertFalse(d.apply(), "nothing touched, nothing changed: no undo step");
        assertSame(before.get(0), d.rules().get(0));
        d.rows().get(0).bits.set("int4");
        assertTrue(d.apply());
        Step edited = plan.planProperty().get().rules().get(0);
        assertEquals(4, edited.quantize().weights().bits());
        assertEquals(before.get(0).quantize().activations(), edited.quantize().activations(), "activations kept");
        assertEquals(before.get(0).select(), edited.select());
    }
}
