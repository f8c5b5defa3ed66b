package dev.whittle.core.tensor;

import dev.whittle.core.InternalException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiFunction;

/**
 * Splits a range of elements over the cores. A dedicated daemon pool is used because the common
 * ForkJoin pool has only cores - 1 threads (one, on a 2-core machine).
 */
public final class Parallel {
    private static final int CORES = Runtime.getRuntime().availableProcessors();
    private static final ExecutorService POOL = Executors.newFixedThreadPool(CORES, r -> {
        Thread t = new Thread(r, "whittle-compute");
        t.setDaemon(true);
        return t;
    });
    /** Below this many elements per part, splitting costs more than it saves. */
    private static final long MIN_PART = 1 << 20;

    private Parallel() {
    }

    public static int cores() {
        return CORES;
    }

    /**
     * Runs {@code work(start, end)} over parts of [0, n) and returns the partial results in order.
     * {@code threads <= 0} means all cores.
     */
    public static <R> List<R> map(long n, int threads, BiFunction<Long, Long, R> work) {
        int t = threads <= 0 ? CORES : threads;
        int parts = (int) Math.max(1, Math.min(t, n / MIN_PART));
        if (parts == 1) {
            return List.of(work.apply(0L, n));
        }
        List<Future<R>> futures = new ArrayList<>(parts);
        for (int p = 0; p < parts; p++) {
            long s = n * p / parts;
            long e = n * (p + 1) / parts;
            futures.add(POOL.submit(() -> work.apply(s, e)));
        }
        List<R> out = new ArrayList<>(parts);
        try {
            for (Future<R> f : futures) {
                out.add(f.get());
            }
        } catch (InterruptedException e) {
            futures.forEach(f -> f.cancel(true));
            Thread.currentThread().interrupt();
            throw new InternalException("interrupted while computing", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new InternalException("computation failed: " + e.getCause(), e.getCause());
        }
        return out;
    }
}
