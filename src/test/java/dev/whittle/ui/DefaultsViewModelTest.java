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

    /**
     * W8A8 and SmoothQuant from the defaults editor: the Activations cell ("p99.9 graph") and the
     * Smooth cell (alpha) become the rule's activations block and smooth; opened again they read
     * the same; bad values and smooth without activations name what is wrong.
     */
    @Test
    void activationsAndSmoothingAreRuleChoices() {
        DefaultsViewModel d = new DefaultsViewModel(plan);
        DefaultsViewModel.Row r = d.add();
        r.activations.set("p99.9 graph");
        r.smooth.set("0.5");
        assertNull(d.problem());
        assertTrue(d.apply());
        var q = plan.planProperty().get().rules().get(0).quantize();
        assertEquals("percentile:99.9", q.activations().calibration());
        assertEquals("graph", q.activations().placement());
        assertEquals(0.5, q.smooth());
        assertEquals(8, q.weights().bits());
        var resolved = plan.resolvedProperty().get().layer("conv1").quantize();
        assertNotNull(resolved.activations(), "the layers now quantize their activations too");
        DefaultsViewModel again = new DefaultsViewModel(plan);
        assertEquals("p99.9 graph", again.rows().get(0).activations.get());
        assertEquals("0.5", again.rows().get(0).smooth.get());
        assertFalse(again.rows().get(0).changed());
        DefaultsViewModel.Row row = again.rows().get(0);
        row.smooth.set("2");
        assertTrue(again.problem().contains("alpha"), again.problem());
        row.smooth.set("0.5");
        row.activations.set("");
        assertTrue(again.problem().contains("needs activations"), again.problem());
        row.smooth.set("");
        row.activations.set("median");
        assertTrue(again.problem().contains("minmax, percentile:P, entropy or mse"), again.problem());
        row.activations.set("entropy speed");
        assertNull(again.problem());
        assertTrue(again.apply());
        assertEquals("speed", plan.planProperty().get().rules().get(0).quantize().activations().placement());
        assertEquals("entropy speed", new DefaultsViewModel(plan).rows().get(0).activations.get());
        again = new DefaultsViewModel(plan);
        row = again.rows().get(0);
        row.activations.set("minmax measured:0");
        assertTrue(again.problem().contains("1 to 4096"), again.problem());
        row.activations.set("minmax measured:32");
        assertNull(again.problem());
        assertTrue(again.apply());
        assertEquals("measured:32", plan.planProperty().get().rules().get(0).quantize().activations().placement());
        assertEquals("minmax measured:32", new DefaultsViewModel(plan).rows().get(0).activations.get());
        again = new DefaultsViewModel(plan);
        row = again.rows().get(0);
        row.activations.set("");
        assertNull(again.problem());
        assertTrue(again.apply());
        assertNull(plan.planProperty().get().rules().get(0).quantize().activations(), "cleared: weights only again");
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
        assertEquals("p99.99", d.rows().get(0).activations.get(), "the Activations cell shows the rule's calibration");
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
