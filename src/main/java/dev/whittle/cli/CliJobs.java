package dev.whittle.cli;

import dev.whittle.core.InternalException;
import dev.whittle.core.job.Job;
import dev.whittle.core.job.JobHandle;
import dev.whittle.core.job.Jobs;
import dev.whittle.core.job.ProgressSink;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Runs a core job for a command: on a worker thread with a progress bar on terminals, and with
 * Ctrl-C wired to the job's cancel so sessions are closed before the JVM exits.
 */
final class CliJobs {
    private CliJobs() {
    }

    static <T> T run(Job<T> job) {
        ProgressSink bar = ProgressBar.forTerminal();
        ExecutorService exec = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "whittle-job");
            t.setDaemon(true);
            return t;
        });
        JobHandle<T> h = Jobs.start(job, exec, bar);
        Thread hook = new Thread(() -> {
            h.cancel();
            try {
                h.result().handle((v, e) -> null).get(3, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // Exiting anyway.
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return h.result().get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new InternalException(String.valueOf(c), c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            h.cancel();
            throw new InternalException("Interrupted", e);
        } finally {
            ProgressBar.clear(bar);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // Already shutting down.
            }
            exec.shutdown();
        }
    }
}
