package dev.whittle.ui;

import dev.whittle.core.job.Job;
import java.util.function.Consumer;

/**
 * The exact tier's "latest request only" (MZmine's FxUpdateTask): each {@link #submit} cancels
 * the job still running for an older request and bumps a generation counter, so a result that
 * arrives after a newer request is dropped. Debouncing is the caller's: it submits when a drag
 * ends (valueChanging false) or after the pause the {@link Debounce} waits.
 */
final class LatestOnly<T> {
    private final JobRunner jobs;
    private final String title;
    private long generation;
    private RunningJob running;

    LatestOnly(JobRunner jobs, String title) {
        this.jobs = jobs;
        this.title = title;
    }

    void submit(Job<T> job, Consumer<T> onResult) {
        long gen = ++generation;
        if (running != null) {
            running.cancel();
        }
        RunningJob[] self = new RunningJob[1];
        self[0] = jobs.start(title, job, r -> {
            if (running == self[0]) {
                running = null;
            }
            if (gen == generation) {
                onResult.accept(r);
            }
        }, e -> {
            if (running == self[0]) {
                running = null;
            }
        });
        if (gen == generation && self[0] != null && jobs.running().contains(self[0])) {
            running = self[0];
        }
    }

    /** Drops whatever is pending: another layer was selected. */
    void invalidate() {
        generation++;
        if (running != null) {
            running.cancel();
            running = null;
        }
    }

    long generation() {
        return generation;
    }
}
