package dev.whittle.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.tensor.WeightStatistics;
import dev.whittle.ui.LayerDetailViewModel.HistogramKind;
import java.util.List;
import org.junit.jupiter.api.Test;

class LayerDetailViewModelTest {
    private final List<WeightLayer> layers = WorkbenchModels.model().graph().weightLayers();
    private final WeightLayer conv = layers.get(0);
    private final WeightLayer fc = layers.get(1);

    @Test
    void selectingALayerComputesItsStatisticsAndHistogram() {
        LayerDetailViewModel vm = new LayerDetailViewModel(Background.direct());
        vm.select(conv);
        var s = vm.statsProperty().get();
        // conv1.weight is (i - 9) / 10 for i = 0..17: min -0.9, max 0.8, mean -0.05, one zero.
        assertEquals(-0.9, s.min(), 1e-6);
        assertEquals(0.8, s.max(), 1e-6);
        assertEquals(-0.05, s.mean(), 1e-6);
        assertEquals(1, s.zeros());
        assertEquals(18, vm.histogramProperty().get().total());
        assertFalse(vm.computingProperty().get());
        assertEquals("", vm.messageProperty().get());
    }

    @Test
    void statisticsAreComputedOncePerTensor() {
        LayerDetailViewModel vm = new LayerDetailViewModel(Background.direct());
        vm.select(conv);
        vm.select(fc);
        vm.select(conv);
        vm.select(fc);
        assertEquals(2, vm.computations());
        assertEquals(32, vm.statsProperty().get().count());
    }

    @Test
    void aResultThatArrivesAfterAnotherLayerWasSelectedIsNotShown() {
        QueuedExecutor worker = new QueuedExecutor();
        LayerDetailViewModel vm = new LayerDetailViewModel(new Background(worker, Runnable::run));
        vm.select(conv);
        vm.select(fc);
        assertTrue(vm.computingProperty().get());
        worker.run(1); // fc finishes first
        assertEquals(32, vm.statsProperty().get().count());
        worker.run(0); // conv's late result must not replace fc's
        assertEquals(32, vm.statsProperty().get().count());
        assertSame(fc, vm.layerProperty().get());
        vm.select(conv); // but it was cached
        assertEquals(18, vm.statsProperty().get().count());
        assertEquals(2, vm.computations());
    }

    @Test
    void comingBackToALayerStillBeingComputedShowsItWithoutASecondPass() {
        QueuedExecutor worker = new QueuedExecutor();
        LayerDetailViewModel vm = new LayerDetailViewModel(new Background(worker, Runnable::run));
        vm.select(conv);
        vm.select(fc);
        vm.select(conv);
        assertEquals(2, worker.size());
        worker.run(0);
        assertEquals(18, vm.statsProperty().get().count());
        assertFalse(vm.computingProperty().get());
        worker.run(0);
        assertEquals(18, vm.statsProperty().get().count(), "fc's result arrives late and is only cached");
    }

    @Test
    void resultsForAClosedModelAreDropped() {
        QueuedExecutor worker = new QueuedExecutor();
        LayerDetailViewModel vm = new LayerDetailViewModel(new Background(worker, Runnable::run));
        vm.select(conv);
        vm.reset();
        worker.runAll();
        assertNull(vm.statsProperty().get());
        assertNull(vm.layerProperty().get());
    }

    @Test
    void theKindTogglePicksTheLinearOrTheLogMagnitudeHistogram() {
        LayerDetailViewModel vm = new LayerDetailViewModel(Background.direct(), t -> WeightStatistics.compute(t, 16));
        vm.select(conv);
        assertFalse(vm.histogramProperty().get().log());
        vm.kindProperty().set(HistogramKind.LOG_MAGNITUDE);
        assertTrue(vm.histogramProperty().get().log());
        assertEquals(1, vm.histogramProperty().get().zeros());
        vm.select(null);
        assertNull(vm.histogramProperty().get());
    }

    @Test
    void aFailedComputationShowsItsMessageInsteadOfStatistics() {
        LayerDetailViewModel vm = new LayerDetailViewModel(Background.direct(), t -> {
            throw new IllegalStateException("disk went away");
        });
        vm.select(conv);
        assertNull(vm.statsProperty().get());
        assertTrue(vm.messageProperty().get().contains("disk went away"), vm.messageProperty().get());
        assertFalse(vm.computingProperty().get());
    }
}
