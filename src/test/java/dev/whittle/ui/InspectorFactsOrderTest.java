package dev.whittle.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.preview.PreviewCache;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Selecting a layer shows its histogram before the inspector's facts job starts, and a facts job
 * for a layer the user has left is cancelled (steps the executors by hand; no toolkit).
 */
class InspectorFactsOrderTest {
    private final QueuedExecutor worker = new QueuedExecutor();
    private final QueuedExecutor detailWorker = new QueuedExecutor();
    private final JobRunner jobs = JobRunner.on(worker, Runnable::run);
    private final LayerDetailViewModel detail = new LayerDetailViewModel(new Background(detailWorker, Runnable::run));
    private final MainViewModel vm = new MainViewModel(Background.direct(), new RecentFiles(null),
            OnnxReader::read, detail, jobs);

    @Test
    void theFactsJobWaitsForTheHistogramStatisticsAndIsCancelledWhenTheUserMovesOn() {
        vm.open(PlanViewModelTest.CNN);
        OnnxModel m = vm.modelProperty().get();
        assertNotNull(m);
        List<WeightLayer> layers = m.graph().weightLayers();
        // Opening selects the first layer: its statistics are queued, the facts job is not.
        assertSame(layers.get(0), vm.inspector().layerProperty().get());
        assertEquals(1, detailWorker.size());
        worker.runAll(); // the plan's totals
        assertEquals(List.of(), factsJobs(), "no facts job before the histogram is shown");
        detailWorker.run(0);
        assertNotNull(detail.statsProperty().get());
        assertEquals(1, factsJobs().size(), "the facts job starts once the statistics are shown");
        RunningJob first = factsJobs().get(0);

        vm.layers().selectedProperty().set(layers.get(1));
        assertTrue(first.cancelRequested(), "the first layer's facts job is cancelled");
        assertEquals(1, detailWorker.size(), "the second layer's statistics are queued");
        assertEquals(List.of(first), factsJobs(), "its facts job is not (the cancelled one has yet to run and stop)");
        detailWorker.runAll();
        assertEquals(2, factsJobs().size(), "now the second layer's facts job is queued too");
        worker.runAll();
        assertSame(layers.get(1), vm.inspector().factsProperty().get().layer());
        assertEquals(1, vm.inspector().cache().peekFacts(layers.get(1).node()).stream().count());
        assertTrue(vm.inspector().cache().peekFacts(layers.get(0).node()).isEmpty(), "the cancelled job cached nothing");

        // Back to the first layer: its statistics are cached, so the facts job starts at once.
        vm.layers().selectedProperty().set(layers.get(0));
        assertNotNull(detail.statsProperty().get());
        assertEquals(1, factsJobs().size());
        worker.runAll();
        assertSame(layers.get(0), vm.inspector().factsProperty().get().layer());
        assertEquals("", vm.inspector().factsMessageProperty().get());
    }

    private List<RunningJob> factsJobs() {
        return vm.jobs().running().stream().filter(j -> j.title().startsWith("Statistics of")).toList();
    }
}
