package dev.whittle.ui;

import java.util.Locale;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.beans.binding.Bindings;
import javafx.beans.value.ObservableStringValue;
import javafx.collections.ListChangeListener;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.Tooltip;
import javafx.scene.control.Separator;
import javafx.geometry.Orientation;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.util.Duration;

/**
 * The bottom line of the window: the status message, one button per running job (click to
 * cancel; Esc cancels the newest), the JVM heap in use, and the open model's file.
 *
 * <p>A job appears once it has run {@link #SHOW_AFTER}: most jobs (a layer's statistics, its
 * preview facts) end sooner, and listing them made the bar flicker and cost a layout and a
 * redraw of the bar (an animated progress bar, too) twice per job, on every layer selection.
 */
public final class StatusBarView extends HBox {
    /** How long a job runs before the bar lists it. */
    public static final Duration SHOW_AFTER = Duration.millis(300);
    private static final java.util.concurrent.ScheduledExecutorService TIMER =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "whittle-status-timer");
                t.setDaemon(true);
                return t;
            });
    private final JobRunner jobs;
    private final java.util.Set<RunningJob> shown = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    private final HBox jobBox = new HBox(6);
    private final Label memory = new Label();

    public StatusBarView(ObservableStringValue status, JobRunner jobs, ObservableStringValue modelFile) {
        this.jobs = jobs;
        setId("statusBar");
        getStyleClass().add("status-bar");
        setAlignment(Pos.CENTER_LEFT);
        setSpacing(10);
        Label text = new Label();
        text.setId("statusText");
        text.textProperty().bind(status);
        Tooltip whole = Tips.of("");
        whole.textProperty().bind(status); // the whole message where the bar cuts it short
        text.setTooltip(whole);
        text.setMinWidth(0);
        HBox.setHgrow(text, Priority.ALWAYS);
        text.setMaxWidth(Double.MAX_VALUE);
        jobBox.setId("runningJobs");
        jobBox.setAlignment(Pos.CENTER_LEFT);
        jobBox.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        memory.setId("memoryInUse");
        memory.setTooltip(Tips.of("Java heap in use / the most the JVM may take (-Xmx). Cached layer statistics"
                + " count here; they are dropped least-recently-used first when the budget is reached."));
        memory.getStyleClass().add("muted");
        memory.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE); // short; the status text gives way first
        Label file = new Label();
        file.setId("statusModelFile");
        file.textProperty().bind(modelFile);
        file.getStyleClass().add("muted");
        file.setTooltip(Tips.of("The model file that is open. Whittle never writes it; exports go to a new file."));
        file.setMinWidth(0);
        jobBox.getChildren().add(heightKeeper);
        getChildren().addAll(text, jobBox, sep(), memory, sep(), file);
        jobs.running().addListener((ListChangeListener<RunningJob>) c -> {
            boolean removed = false;
            while (c.next()) {
                for (RunningJob j : c.getAddedSubList()) {
                    // A timer thread rather than an animation: a running animation keeps pulses coming.
                    TIMER.schedule(() -> javafx.application.Platform.runLater(() -> show(j)),
                            (long) SHOW_AFTER.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                }
                removed |= shown.removeAll(c.getRemoved());
            }
            if (removed) {
                rebuild();
            }
        });
        updateMemory();
        Timeline tick = new Timeline(new KeyFrame(Duration.seconds(2), e -> updateMemory()));
        tick.setCycleCount(Timeline.INDEFINITE);
        tick.play();
    }

    private static Separator sep() {
        return new Separator(Orientation.VERTICAL);
    }

    private void show(RunningJob j) {
        if (jobs.running().contains(j) && shown.add(j)) {
            rebuild();
        }
    }

    /**
     * A job's button (its progress bar as the graphic) is taller than the labels. This one is
     * hidden and has no width, but keeps the bar at that height while no job shows: otherwise
     * showing a job grows the bar, the whole window above it is laid out and repainted again, and
     * in software rendering (no GPU, a remote display) that pauses the window for over 100 ms.
     */
    private final Button heightKeeper = heightKeeper();

    private static Button heightKeeper() {
        ProgressBar bar = new ProgressBar(0);
        bar.setMinWidth(0);
        bar.setPrefWidth(0);
        Button b = new Button(" ", bar);
        b.setId("jobHeightKeeper");
        b.setMinWidth(0);
        b.setPrefWidth(0);
        b.setMaxWidth(0);
        b.setVisible(false);
        b.setFocusTraversable(false);
        return b;
    }

    private void rebuild() {
        jobBox.getChildren().setAll(heightKeeper);
        for (RunningJob j : jobs.running()) {
            if (!shown.contains(j)) {
                continue;
            }
            ProgressBar bar = new ProgressBar();
            bar.setPrefWidth(70);
            bar.setMouseTransparent(true); // a click on the bar cancels the job too (a ProgressBar swallows presses)
            bar.progressProperty().bind(j.progressProperty());
            Button b = new Button();
            b.getStyleClass().add("job-button");
            b.textProperty().bind(Bindings.createStringBinding(() -> j.title()
                    + (j.messageProperty().get().isEmpty() ? "" : ": " + j.messageProperty().get()) + "  \u2715",
                    j.messageProperty()));
            b.setGraphic(bar);
            b.setTooltip(Tips.of("Running in the background. Click to cancel it (Esc cancels the newest job)."));
            b.setOnAction(e -> j.cancel());
            b.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE); // the message and file name give way first
            jobBox.getChildren().add(b);
        }
    }

    private void updateMemory() {
        Runtime rt = Runtime.getRuntime();
        long used = rt.totalMemory() - rt.freeMemory();
        memory.setText(String.format(Locale.ROOT, "Memory %s / %s", Format.bytes(used), Format.bytes(rt.maxMemory())));
    }
}
