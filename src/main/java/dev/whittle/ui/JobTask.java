package dev.whittle.ui;

import dev.whittle.core.job.CancelToken;
import dev.whittle.core.job.CancelledException;
import dev.whittle.core.job.Job;
import javafx.concurrent.Task;

/**
 * The one adapter from a core {@link Job} to a JavaFX {@link Task}: the job's progress sink
 * feeds the task's progress and message (Task coalesces the updates onto the FX thread), and
 * cancelling the task cancels the job's token. The task ends only when the job has returned,
 * so a cancelled job has released what it opened before the window hears of it: cancel moves
 * the token, and the job's {@link CancelledException} then ends the task as cancelled.
 */
public final class JobTask<T> extends Task<T> {
    private final Job<T> job;
    private final CancelToken token = new CancelToken();

    public JobTask(String title, Job<T> job) {
        this.job = job;
        updateTitle(title);
    }

    @Override
    protected T call() {
        return job.run((done, total, stage) -> {
            if (total > 0) {
                updateProgress(done, total);
            } else {
                updateProgress(-1, 1);
            }
            updateMessage(stage);
        }, token);
    }

    /** Cancels the job's token; the task is marked cancelled as well, as Task's contract asks. */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        token.cancel();
        return super.cancel(false); // never interrupt: a job stops at its own check, after cleaning up
    }

    public CancelToken token() {
        return token;
    }

    /** Whether {@code e} (a task's exception) means the job stopped because it was cancelled. */
    public static boolean isCancellation(Throwable e) {
        return e instanceof CancelledException;
    }
}
