package dev.whittle.ui;

import dev.whittle.core.job.CancelToken;
import dev.whittle.core.job.CancelledException;
import dev.whittle.core.job.Job;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import javafx.application.Platform;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * Starts the core's jobs for the window and keeps the list of those still running, for the
 * status bar (as JabRef's UiTaskExecutor keeps one task list). In the window each job runs as a
 * {@link JobTask}; view-model tests use {@link #direct()} or {@link #on}, which run the same
 * jobs with a plain cancel token and need no FX toolkit. Callbacks always arrive on the UI
 * executor, after the job has returned: {@code onDone} with the result, {@code onError} with a
 * failure; a cancelled job calls neither.
 */
public final class JobRunner {
    private final Executor worker;
    private final Executor ui;
    private final boolean fxTasks;
    private final ObservableList<RunningJob> running = FXCollections.observableArrayList();
    private final ObservableList<RunningJob> runningView = FXCollections.unmodifiableObservableList(running);

    private JobRunner(Executor worker, Executor ui, boolean fxTasks) {
        this.worker = worker;
        this.ui = ui;
        this.fxTasks = fxTasks;
    }

    /** Two daemon worker threads; each job runs as a JavaFX Task; callbacks on the FX thread. */
    public static JobRunner forFx() {
        ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "whittle-job");
            t.setDaemon(true);
            t.setPriority(Thread.NORM_PRIORITY - 1); // the FX thread comes first: it draws what the user drags
            return t;
        });
        return new JobRunner(pool, Platform::runLater, true);
    }

    /** Everything on the calling thread: for view-model tests. */
    public static JobRunner direct() {
        return new JobRunner(Runnable::run, Runnable::run, false);
    }

    /** Jobs on {@code worker}, callbacks on {@code ui}, without JavaFX tasks: for tests that step executors. */
    public static JobRunner on(Executor worker, Executor ui) {
        return new JobRunner(worker, ui, false);
    }

    public <T> RunningJob start(String title, Job<T> job, Consumer<? super T> onDone, Consumer<Throwable> onError) {
        return fxTasks ? startTask(title, job, onDone, onError) : startPlain(title, job, onDone, onError);
    }

    private <T> RunningJob startTask(String title, Job<T> job, Consumer<? super T> onDone, Consumer<Throwable> onError) {
        JobTask<T> task = new JobTask<>(title, job);
        RunningJob entry = new RunningJob(title, () -> task.cancel(false));
        entry.progress.bind(task.progressProperty());
        entry.message.bind(task.messageProperty());
        running.add(entry);
        worker.execute(() -> {
            try {
                task.run();
            } finally {
                // Task posts its own state first, so by the time this runs the state is final.
                ui.execute(() -> {
                    running.remove(entry);
                    entry.progress.unbind();
                    entry.message.unbind();
                    switch (task.getState()) {
                        case SUCCEEDED -> onDone.accept(task.getValue());
                        case FAILED -> {
                            if (!JobTask.isCancellation(task.getException()) && !entry.cancelRequested()) {
                                onError.accept(task.getException());
                            }
                        }
                        default -> { } // cancelled
                    }
                });
            }
        });
        return entry;
    }

    private <T> RunningJob startPlain(String title, Job<T> job, Consumer<? super T> onDone, Consumer<Throwable> onError) {
        CancelToken token = new CancelToken();
        RunningJob entry = new RunningJob(title, token::cancel);
        running.add(entry);
        worker.execute(() -> {
            T result;
            try {
                result = job.run((done, total, stage) -> ui.execute(() -> {
                    entry.progress.set(total > 0 ? (double) done / total : -1);
                    entry.message.set(stage);
                }), token);
            } catch (Throwable e) {
                ui.execute(() -> {
                    running.remove(entry);
                    if (!(e instanceof CancelledException) && !token.isCancelled()) {
                        onError.accept(e);
                    }
                });
                return;
            }
            ui.execute(() -> {
                running.remove(entry);
                if (token.isCancelled()) {
                    return; // finished anyway, but the user asked to drop it
                }
                onDone.accept(result);
            });
        });
        return entry;
    }

    /** How the exact tier waits for a pause: 250 ms on the FX thread, at once for plain runners (tests). */
    Debounce debounce() {
        return fxTasks ? Debounce.fx(250) : Debounce.immediate();
    }

    /** How instant previews are paced: once per pulse in the window, at once for plain runners (tests). */
    Coalesce coalesce() {
        return fxTasks ? Coalesce.perPulse() : Coalesce.immediate();
    }

    /** The jobs started and not yet returned, oldest first. */
    public ObservableList<RunningJob> running() {
        return runningView;
    }

    /** Cancels the most recently started job still running (what Esc does); false when none. */
    public boolean cancelLatest() {
        for (int i = running.size() - 1; i >= 0; i--) {
            if (!running.get(i).cancelRequested()) {
                running.get(i).cancel();
                return true;
            }
        }
        return false;
    }

    /** Cancels every running job: at shutdown, or when another model is opened. */
    public void cancelAll() {
        List.copyOf(running).forEach(RunningJob::cancel);
    }
}
