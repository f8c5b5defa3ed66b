package dev.whittle.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javafx.beans.property.SimpleStringProperty;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The status bar lists jobs that run longer than a moment; clicking one cancels it. */
@ExtendWith(ApplicationExtension.class)
class StatusBarUiTest {
    private final JobRunner jobs = JobRunner.forFx();

    @Start
    void start(Stage stage) {
        StatusBarView bar = new StatusBarView(new SimpleStringProperty("Ready"), jobs, new SimpleStringProperty("m.onnx"));
        // at the bottom of a window, as in the workbench: its own height decides how much it takes
        Scene scene = new Scene(new javafx.scene.layout.BorderPane(new javafx.scene.layout.Pane(), null, null, bar, null), 700, 120);
        Styles.apply(scene);
        stage.setScene(scene);
        stage.show();
    }

    private static int buttons(FxRobot robot) {
        return robot.lookup("#runningJobs .job-button").queryAll().size();
    }

    @Test
    void aShortJobNeverAppearsALongOneDoesAndAClickCancelsIt(FxRobot robot) throws Exception {
        CountDownLatch quickRan = new CountDownLatch(1);
        robot.interact(() -> jobs.start("quick", (p, c) -> "done", r -> quickRan.countDown(), e -> { }));
        assertTrue(quickRan.await(5, TimeUnit.SECONDS));
        Thread.sleep((long) StatusBarView.SHOW_AFTER.toMillis() + 200);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(0, buttons(robot), "a job that ended at once is not listed");

        double idleHeight = robot.lookup("#statusBar").queryAs(StatusBarView.class).getHeight();
        AtomicBoolean stopped = new AtomicBoolean();
        long t0 = System.nanoTime();
        robot.interact(() -> jobs.start("sweep", (p, c) -> {
            while (true) {
                if (c.isCancelled()) {
                    stopped.set(true);
                    c.throwIfCancelled();
                }
                java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
            }
        }, r -> { }, e -> { }));
        int early = buttons(robot);
        if ((System.nanoTime() - t0) / 1e6 < StatusBarView.SHOW_AFTER.toMillis() - 50) { // not on a stalled machine
            assertEquals(0, early, "not listed before it has run a moment");
        }
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> buttons(robot) == 1);
        WaitForAsyncUtils.waitForFxEvents();
        Button b = robot.lookup("#runningJobs .job-button").queryButton();
        assertTrue(b.getText().startsWith("sweep"), b.getText());
        assertTrue(b.getWidth() >= b.prefWidth(-1) - 0.5, "the button is not squeezed: " + b.getWidth());
        assertEquals(idleHeight, robot.lookup("#statusBar").queryAs(StatusBarView.class).getHeight(), 0.01,
                "a job shown does not change the bar's height (which would lay out and repaint the whole window)");

        robot.clickOn(b);
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> jobs.running().isEmpty());
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(stopped.get(), "the click cancelled the job");
        assertEquals(0, buttons(robot), "a job that ended leaves the bar");
    }
}
