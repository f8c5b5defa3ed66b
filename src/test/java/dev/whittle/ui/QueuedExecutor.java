package dev.whittle.ui;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/** An executor that holds tasks until the test runs them, in any order: for stale-result tests. */
final class QueuedExecutor implements Executor {
    private final List<Runnable> tasks = new ArrayList<>();

    @Override
    public void execute(Runnable r) {
        tasks.add(r);
    }

    int size() {
        return tasks.size();
    }

    /** Runs (and removes) the task queued at {@code index}. */
    void run(int index) {
        tasks.remove(index).run();
    }

    void runAll() {
        while (!tasks.isEmpty()) {
            run(0);
        }
    }
}
