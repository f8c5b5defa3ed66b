package dev.whittle.core.tensor;

import dev.whittle.core.InternalException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.IntFunction;

/**
 * Splits work over the cores, within one process-wide budget of compute threads. The CLI uses
 * every core; the workbench lowers the budget to one core less ({@link #limit}) so that its FX
 * and render threads always find a free core while a compression runs: on a 2-core machine,
 * Java's parallel streams (the common pool's thread plus the caller) and a multi-threaded
 * OpenBLAS took both cores and the window missed frames. Every data-parallel loop of the core
 * goes through here instead of {@code parallel()} streams, which cannot be bounded per call.
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
    private static volatile int budget = CORES;
    private static volatile boolean limited;

    private Parallel() {
    }

    public static int cores() {
        return CORES;
    }

    /** The compute threads one loop may use (and ONNX Runtime's intra-op threads in the window). */
    public static int threads() {
        return budget;
    }

    /** Back to every core and no set budget (the CLI's state). */
    public static void reset() {
        limit(CORES);
        limited = false;
    }

    /** Whether {@link #limit} has set a budget (the window does). */
    public static boolean limited() {
        return limited;
    }

    /**
     * Sets the budget to {@code threads} (clamped to 1..cores) and returns it. OpenBLAS's own
     * thread count follows on a thread of its own, since the first call loads the library
     * (seconds), and this is called when the window opens.
     */
    public static int limit(int threads) {
        int t = Math.max(1, Math.min(CORES, threads));
        budget = t;
        limited = true;
        Thread blas = new Thread(() -> org.bytedeco.openblas.global.openblas.blas_set_num_threads(t),
                "whittle-blas-threads");
        blas.setDaemon(true);
        blas.start();
        return t;
    }

    /**
     * Runs {@code work(start, end)} over parts of [0, n) and returns the partial results in order.
     * {@code threads <= 0} means the budget; more than the budget is never used.
     */
    public static <R> List<R> map(long n, int threads, BiFunction<Long, Long, R> work) {
        int t = threads <= 0 ? budget : Math.min(threads, budget);
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
        for (Future<R> f : futures) {
            out.add(join(f, futures));
        }
        return out;
    }

    /**
     * {@code work(i)} for every i in [0, n), results in order. Items of uneven cost (layers,
     * output rows) are handed out one at a time to at most {@link #threads()} threads, the
     * calling thread among them; with a budget of one everything runs on the caller.
     */
    public static <R> List<R> each(int n, IntFunction<R> work) {
        Object[] out = new Object[n];
        int workers = Math.min(budget, n);
        if (workers <= 1) {
            for (int i = 0; i < n; i++) {
                out[i] = work.apply(i);
            }
            return listOf(out);
        }
        AtomicInteger next = new AtomicInteger();
        Runnable drain = () -> {
            try {
                for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                    out[i] = work.apply(i);
                }
            } catch (RuntimeException | Error e) {
                next.set(n); // the others stop at their next item
                throw e;
            }
        };
        List<Future<?>> helpers = new ArrayList<>(workers - 1);
        List<AtomicBoolean> claimed = new ArrayList<>(workers - 1);
        for (int w = 1; w < workers; w++) {
            AtomicBoolean mine = new AtomicBoolean();
            claimed.add(mine);
            helpers.add(POOL.submit(() -> {
                if (mine.compareAndSet(false, true)) {
                    drain.run();
                }
            }));
        }
        Throwable failure = null;
        try {
            drain.run();
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        for (int h = 0; h < helpers.size(); h++) {
            // A helper that has not started yet (the pool busy, e.g. when called from inside map)
            // is not waited for: the caller has taken every item, and waiting could deadlock.
            if (claimed.get(h).compareAndSet(false, true)) {
                continue;
            }
            try {
                join(helpers.get(h), helpers);
            } catch (RuntimeException | Error e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure instanceof RuntimeException r) {
            throw r;
        }
        if (failure instanceof Error err) {
            throw err;
        }
        return listOf(out);
    }

    @SuppressWarnings("unchecked")
    private static <R> List<R> listOf(Object[] out) {
        return (List<R>) Arrays.asList(out);
    }

    private static <R> R join(Future<R> f, List<? extends Future<?>> all) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            all.forEach(x -> x.cancel(true));
            Thread.currentThread().interrupt();
            throw new InternalException("interrupted while computing", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new InternalException("computation failed: " + e.getCause(), e.getCause());
        }
    }
}
