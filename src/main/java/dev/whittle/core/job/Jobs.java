package dev.whittle.core.job;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/** Starts jobs on a caller's executor (a same-thread one in tests, a pool in the UI). */
public final class Jobs {
    private Jobs() {
    }

    public static <T> JobHandle<T> start(Job<T> job, Executor executor, ProgressSink progress) {
        CancelToken token = new CancelToken();
        CompletableFuture<T> result = new CompletableFuture<>();
        // Cancelling the future itself would complete it before the job has cleaned up;
        // callers cancel through the handle instead.
        JobHandle<T> handle = new JobHandle<>(result, token);
        try {
            executor.execute(() -> {
                try {
                    result.complete(job.run(progress, token));
                } catch (Throwable t) {
                    result.completeExceptionally(token.isCancelled() && !(t instanceof CancelledException)
                            && !(t instanceof Error) ? new CancelledException() : t);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(e);
        }
        return handle;
    }
}
