package dev.whittle.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.job.Job;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import javafx.application.Platform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.util.WaitForAsyncUtils;

/** The Job -> Task adapter and the running-job list: results, errors and cancel, with latches. */
@ExtendWith(ApplicationExtension.class)
class JobRunnerTest {
    @Test
    void aFinishedJobDeliversItsResultOnTheFxThreadAndLeavesTheList() throws Exception {
        JobRunner runner = JobRunner.forFx();
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<String> result = new AtomicReference<>();
        AtomicBoolean onFx = new AtomicBoolean();
        CountDownLatch release = new CountDownLatch(1);
        Platform.runLater(() -> runner.start("answer", (p, c) -> {
            p.update(1, 2, "half");
            await(release);
            return "42";
        }, r -> {
            onFx.set(Platform.isFxApplicationThread());
            result.set(r);
            done.countDown();
        }, e -> { }));
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> runner.running().size() == 1);
        assertEquals("answer", runner.running().get(0).title());
        release.countDown();
        assertTrue(done.await(5, TimeUnit.SECONDS));
        assertEquals("42", result.get());
        assertTrue(onFx.get());
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(runner.running().isEmpty());
    }

    @Test
    void cancelStopsTheJobAtItsNextCheckAndCallsNeitherCallback() throws Exception {
        JobRunner runner = JobRunner.forFx();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        List<String> calls = new ArrayList<>();
        Job<String> loop = (p, c) -> {
            started.countDown();
            try {
                while (true) {
                    c.throwIfCancelled();
                    Thread.onSpinWait();
                }
            } finally {
                stopped.countDown(); // cleanup runs before the window hears of the end
            }
        };
        Platform.runLater(() -> runner.start("loop", loop, r -> calls.add("done"), e -> calls.add("error")));
        assertTrue(started.await(5, TimeUnit.SECONDS));
        WaitForAsyncUtils.waitForFxEvents();
        WaitForAsyncUtils.asyncFx(runner::cancelLatest).get(5, TimeUnit.SECONDS);
        assertTrue(stopped.await(5, TimeUnit.SECONDS));
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> runner.running().isEmpty());
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(List.of(), calls);
        assertFalse(WaitForAsyncUtils.asyncFx(runner::cancelLatest).get(5, TimeUnit.SECONDS), "nothing left to cancel");
    }

    @Test
    void aFailingJobReportsItsExceptionWithoutTheToolkitToo() {
        JobRunner runner = JobRunner.direct();
        List<Throwable> errors = new ArrayList<>();
        runner.start("bad", (p, c) -> {
            throw new IllegalStateException("broken");
        }, r -> { }, errors::add);
        assertEquals("broken", errors.get(0).getMessage());
        assertTrue(runner.running().isEmpty());
    }

    @Test
    void aPlainRunnerListsTheJobUntilItsCallbackRuns() {
        QueuedExecutor worker = new QueuedExecutor();
        QueuedExecutor ui = new QueuedExecutor();
        JobRunner runner = JobRunner.on(worker, ui);
        List<Integer> results = new ArrayList<>();
        RunningJob job = runner.start("count", (p, c) -> {
            p.update(3, 4, "counting");
            return 7;
        }, results::add, e -> { });
        assertEquals(List.of(job), runner.running());
        worker.runAll();
        ui.runAll();
        assertEquals(List.of(7), results);
        assertEquals(0.75, job.progressProperty().get(), 1e-12);
        assertEquals("counting", job.messageProperty().get());
        assertTrue(runner.running().isEmpty());
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
