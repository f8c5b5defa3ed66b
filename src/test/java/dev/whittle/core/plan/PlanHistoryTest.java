package dev.whittle.core.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.prune.PruneSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlanHistoryTest {
    static Plan pruned(Plan p, String node, double s) {
        return p.withLayer(node, p.layer(node).withPrune(PruneSpec.sparsity(s)));
    }

    @Test
    void undoAndRedoStepThroughEveryEdit() {
        PlanHistory h = new PlanHistory(Plan.empty());
        Plan a = pruned(Plan.empty(), "fc1", 0.1);
        Plan b = pruned(a, "fc1", 0.2);
        assertTrue(h.edit(a, "prune fc1 10%"));
        assertTrue(h.edit(b, "prune fc1 20%"));
        assertEquals("prune fc1 20%", h.undoLabel());
        assertEquals(a, h.undo());
        assertEquals(Plan.empty(), h.undo());
        assertFalse(h.canUndo());
        assertEquals(Plan.empty(), h.undo());
        assertEquals("prune fc1 10%", h.redoLabel());
        assertEquals(a, h.redo());
        assertEquals(b, h.redo());
        assertFalse(h.canRedo());
    }

    @Test
    void aNewEditClearsTheRedoList() {
        PlanHistory h = new PlanHistory(Plan.empty());
        h.edit(pruned(Plan.empty(), "fc1", 0.1), "a");
        h.undo();
        assertTrue(h.canRedo());
        h.edit(pruned(Plan.empty(), "fc2", 0.3), "b");
        assertFalse(h.canRedo());
        assertNull(h.redoLabel());
        assertEquals(0.3, h.current().layer("fc2").prune().sparsity());
    }

    @Test
    void aBulkEditOverManyLayersIsOneStep() {
        PlanHistory h = new PlanHistory(Plan.empty());
        Plan bulk = Plan.empty().withLayers(List.of("fc1", "fc2", "fc3"), s -> s.withPrune(PruneSpec.sparsity(0.5)));
        h.edit(bulk, "prune 3 layers");
        assertEquals(3, h.current().layers().size());
        assertEquals(1, h.undoDepth());
        assertEquals(Plan.empty(), h.undo());
    }

    @Test
    void anEditThatChangesNothingIsNotRecorded() {
        PlanHistory h = new PlanHistory(pruned(Plan.empty(), "fc1", 0.1));
        assertFalse(h.edit(pruned(Plan.empty(), "fc1", 0.1), "same"));
        assertFalse(h.canUndo());
    }

    @Test
    void theOldestStepsGoPastTheLimit() {
        PlanHistory h = new PlanHistory(Plan.empty(), 2);
        h.edit(pruned(Plan.empty(), "a", 0.1), "1");
        h.edit(pruned(Plan.empty(), "a", 0.2), "2");
        h.edit(pruned(Plan.empty(), "a", 0.3), "3");
        assertEquals(2, h.undoDepth());
        h.undo();
        assertEquals(0.1, h.undo().layer("a").prune().sparsity());
        assertFalse(h.canUndo());
    }

    @Test
    void resettingLayersRemovesThemFromThePlan() {
        Plan p = pruned(Plan.empty(), "fc1", 0.1).resetLayer("fc1");
        assertTrue(p.isEmpty());
        assertEquals(LayerSettings.INHERIT, p.layer("fc1"));
    }
}
