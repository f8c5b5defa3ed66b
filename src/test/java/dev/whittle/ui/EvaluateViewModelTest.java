package dev.whittle.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.compare.DataChoice;
import dev.whittle.core.compare.PlanRun;
import dev.whittle.core.compare.RunHistory;
import dev.whittle.core.eval.SessionSpec;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.plan.Plan;
import dev.whittle.core.prune.PruneSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Evaluate, results and restore without the FX toolkit: jobs run on the calling thread. */
class EvaluateViewModelTest {
    static final Path CNN = Path.of("sample-models", "fashion-cnn.onnx");

    @TempDir
    Path dir;

    private final List<ErrorReport> errors = new ArrayList<>();
    private String before;

    @BeforeEach
    void redirectHistory() {
        before = System.getProperty(RunHistory.DIR_PROPERTY);
        System.setProperty(RunHistory.DIR_PROPERTY, dir.resolve("models").toString());
    }

    @AfterEach
    void restoreProperty() {
        if (before == null) {
            System.clearProperty(RunHistory.DIR_PROPERTY);
        } else {
            System.setProperty(RunHistory.DIR_PROPERTY, before);
        }
    }

    private MainViewModel main() {
        MainViewModel m = new MainViewModel(Background.direct(), new RecentFiles(dir.resolve("recent.json")), OnnxReader::read,
                new LayerDetailViewModel(Background.direct()), JobRunner.direct());
        m.setErrorHandler(errors::add);
        return m;
    }

    private EvaluateViewModel open(MainViewModel m) {
        EvaluateViewModel vm = new EvaluateViewModel(m, Debounce.immediate(), null);
        vm.providerProperty().set(SessionSpec.Provider.CPU);
        m.open(CNN);
        return vm;
    }

    @Test
    void evaluatingAPlanAddsTheOriginalAndThePlanAndKeepsThemForTheModel() {
        MainViewModel m = main();
        EvaluateViewModel vm = open(m);
        DataChoice samples = vm.dataProperty().get();
        assertEquals(DataChoice.samplesFor(CNN), samples, "the samples' own labelled set is preselected");
        vm.dataProperty().set(samples.withLimit(300));
        m.plan().setPrune("fc1", PruneSpec.sparsity(0.5));
        assertNotNull(vm.evaluate());
        assertTrue(errors.isEmpty(), errors.toString());
        assertEquals(2, vm.runs().size());
        PlanRun original = vm.runs().get(0);
        PlanRun run = vm.runs().get(1);
        assertTrue(original.original());
        assertEquals(original, vm.original());
        assertEquals("fc1 prune 50%", run.name());
        assertEquals(300, run.eval().samples());
        assertFalse(vm.runningProperty().get());
        assertTrue(m.statusProperty().get().startsWith("Evaluated fc1 prune 50%: accuracy "), m.statusProperty().get());

        // a second evaluation does not evaluate the original again
        m.plan().setPrune("fc2", PruneSpec.sparsity(0.5));
        vm.evaluate();
        assertEquals(3, vm.runs().size());

        // the history and the data choice come back with the model
        try (var files = Files.list(dir.resolve("models"))) {
            assertEquals(1, files.count());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        MainViewModel m2 = main();
        EvaluateViewModel again = open(m2);
        assertEquals(List.copyOf(vm.runs()), List.copyOf(again.runs()));
        assertEquals(samples.withLimit(300), again.dataProperty().get());
    }

    @Test
    void restoringARunPutsItsPlanBackAsOneUndoableEdit() {
        MainViewModel m = main();
        EvaluateViewModel vm = open(m);
        vm.dataProperty().set(DataChoice.synthetic(32, 16));
        m.plan().setPrune("fc1", PruneSpec.sparsity(0.5));
        Plan evaluated = m.plan().planProperty().get();
        vm.evaluate();
        m.plan().setPrune("fc1", PruneSpec.sparsity(0.9));
        Plan later = m.plan().planProperty().get();
        assertTrue(vm.restore(vm.runs().get(1)));
        assertEquals(evaluated.layers(), m.plan().planProperty().get().layers());
        assertEquals("Undo restore fc1 prune 50%", m.plan().undoTextProperty().get());
        m.plan().undo();
        assertEquals(later, m.plan().planProperty().get());
        assertTrue(vm.restore(vm.runs().get(0)), "the original restores to the empty plan");
        assertTrue(m.plan().planProperty().get().isEmpty());
    }

    @Test
    void autoEvaluateChecksASeededSubsetAfterEachEditWithoutAddingRows() {
        MainViewModel m = main();
        EvaluateViewModel vm = open(m);
        vm.autoSamplesProperty().set(100);
        vm.autoEvaluateProperty().set(true);
        m.plan().setPrune("fc1", PruneSpec.sparsity(0.5));
        PlanRun quick = vm.quickRunProperty().get();
        assertNotNull(quick);
        assertTrue(quick.subset());
        assertEquals(100, quick.eval().samples());
        assertTrue(vm.runs().isEmpty());
        assertTrue(vm.quickTextProperty().get().startsWith("Quick check of the current plan on 100 random samples: accuracy "),
                vm.quickTextProperty().get());
        vm.autoEvaluateProperty().set(false);
        m.plan().setPrune("fc1", PruneSpec.sparsity(0.7));
        assertEquals(quick, vm.quickRunProperty().get(), "off: no more quick runs");
    }

    @Test
    void closingTheModelClearsTheRuns() {
        MainViewModel m = main();
        EvaluateViewModel vm = open(m);
        vm.dataProperty().set(DataChoice.synthetic(32, 16));
        vm.evaluate();
        assertEquals(1, vm.runs().size());
        m.close();
        assertTrue(vm.runs().isEmpty());
        assertNull(vm.evaluate());
    }
}
