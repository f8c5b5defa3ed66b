package dev.whittle.core.job;

import java.util.concurrent.CompletableFuture;

/**
 * A started {@link Job}: its result as a future, and a way to cancel it. The future completes
 * exceptionally with {@link CancelledException} when the job stopped because of a cancel, and
 * with the job's own exception when it failed. It completes only after the job has returned,
 * so by then the job has released its resources.
 */
public final class JobHandle<T> {
    private final CompletableFuture<T> result;
    private final CancelToken token;

    JobHandle(CompletableFuture<T> result, CancelToken token) {
        this.result = result;
        this.token = token;
    }

    public CompletableFuture<T> result() {
        return result;
    }

    public CancelToken token() {
        return token;
    }

    /** Asks the job to stop; it does so at its next check or by interrupting its current run. */
    public void cancel() {
        token.cancel();
    }
}
