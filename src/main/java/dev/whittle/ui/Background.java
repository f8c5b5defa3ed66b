package dev.whittle.ui;

import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import javafx.application.Platform;

/**
 * Runs work off the FX thread and hands the result (or the failure) back on it. View models
 * take one of these instead of touching threads, so tests can pass same-thread executors.
 */
public final class Background {
    private final Executor worker;
    private final Executor ui;

    public Background(Executor worker, Executor ui) {
        this.worker = worker;
        this.ui = ui;
    }

    /** Two daemon worker threads (a model load and a statistics pass can overlap); results on the FX thread. */
    public static Background forFx() {
        ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "whittle-ui-worker");
            t.setDaemon(true);
            return t;
        });
        return new Background(pool, Platform::runLater);
    }

    /** Everything on the calling thread: for view-model tests. */
    public static Background direct() {
        return new Background(Runnable::run, Runnable::run);
    }

    public <T> void run(Callable<T> work, Consumer<T> onDone, Consumer<Throwable> onError) {
        worker.execute(() -> {
            T result;
            try {
                result = work.call();
            } catch (Exception | Error e) {
                // Errors too: a StackOverflowError from a malformed file must reach the user, not kill the thread.
                ui.execute(() -> onError.accept(e));
                return;
            }
            ui.execute(() -> onDone.accept(result));
        });
    }
}
