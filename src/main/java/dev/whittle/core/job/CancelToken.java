package dev.whittle.core.job;

import java.util.ArrayList;
import java.util.List;

/**
 * Cooperative cancellation. A job checks {@link #throwIfCancelled()} once per unit of work
 * (a batch) and registers {@link #onCancel} callbacks to interrupt work it cannot check from
 * inside, such as an ONNX Runtime run. Thread-safe; cancelling is idempotent and permanent.
 */
public final class CancelToken {
    private final List<Runnable> callbacks = new ArrayList<>();
    private volatile boolean cancelled;

    /** A token that is never cancelled by anyone but its holder; handy for direct calls. */
    public static CancelToken none() {
        return new CancelToken();
    }

    /** Cancels, then runs each registered callback once (on the calling thread). */
    public void cancel() {
        List<Runnable> toRun;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            toRun = new ArrayList<>(callbacks);
            callbacks.clear();
        }
        for (Runnable r : toRun) {
            r.run();
        }
    }

    public boolean isCancelled() {
        return cancelled;
    }

    /** @throws CancelledException when the token was cancelled */
    public void throwIfCancelled() {
        if (cancelled) {
            throw new CancelledException();
        }
    }

    /**
     * Runs {@code callback} when the token is cancelled, at once if it already is. Close the
     * returned registration when the guarded work ends, so the callback cannot fire after it.
     */
    public Registration onCancel(Runnable callback) {
        synchronized (this) {
            if (!cancelled) {
                callbacks.add(callback);
                return () -> {
                    synchronized (CancelToken.this) {
                        callbacks.remove(callback);
                    }
                };
            }
        }
        callback.run();
        return () -> { };
    }

    /** Removes a callback registered with {@link #onCancel}. */
    @FunctionalInterface
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }
}
