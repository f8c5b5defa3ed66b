package dev.whittle.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.job.CancelledException;
import dev.whittle.core.job.JobHandle;
import dev.whittle.core.job.Jobs;
import dev.whittle.core.onnx.OnnxModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class CancellationTest {
    // Daemon threads: if terminate ever failed, the endless run must not keep the JVM alive.
    static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "eval-test");
        t.setDaemon(true);
        return t;
    });

    @AfterAll
    static void shutdown() {
        POOL.shutdownNow();
    }

    static Dataset input(int n, int width) {
        return new Dataset(Map.of("input", HostTensor.ofFloats(new long[] {n, width}, new float[n * width])), null, "zeros");
    }

    @Test
    void cancellingDuringARunThatNeverEndsStopsItWithinASecond() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        int before = EvalSession.openSessions();
        JobHandle<EvalResult> h = Jobs.start(new Evaluator().job(EvalRequest.of(TinyModels.endless(), input(2, 4), 2)), POOL,
                (done, total, stage) -> started.countDown());
        assertTrue(started.await(30, TimeUnit.SECONDS), "the job reports before its first run");
        long t0 = System.nanoTime();
        h.cancel();
        ExecutionException e = assertThrows(ExecutionException.class, () -> h.result().get(5, TimeUnit.SECONDS));
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertInstanceOf(CancelledException.class, e.getCause());
        assertTrue(seconds < 1.0, "stopped after " + seconds + " s");
        assertEquals(before, EvalSession.openSessions(), "the session was closed");
    }

    @Test
    @Tag("isolated") // measures this process's memory: run in a fresh JVM (see the pom)
        void twoHundredStartCancelCyclesLeaveNoSessionOpenAndNoNativeMemoryGrowth() throws Exception {
        // A 4 MiB weight makes each leaked session cost at least that much resident memory.
        int in = 1024;
        int out = 1024;
        OnnxModel m = TinyModels.linear(TinyModels.randomWeights(in * out, 9), new float[out], in, out);
        Dataset d = input(64, in);
        int before = EvalSession.openSessions();
        // One worker thread, as the workbench uses: new threads would each grow malloc's arenas.
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "eval-cycles");
            t.setDaemon(true);
            return t;
        });
        long rssWarm = 0;
        long nativeWarm = 0;
        long threadsWarm = 0;
        long rssMid = 0;
        long nativeMid = 0;
        // 100 cycles warm the allocators up (resident memory steps up once, then stays flat),
        // then 200 measured cycles.
        for (int i = 0; i < 300; i++) {
            CountDownLatch firstBatch = new CountDownLatch(1);
            CountDownLatch cancelled = new CountDownLatch(1);
            // The job waits after its first batch until the cancel is in: mid-run, every time.
            JobHandle<EvalResult> h = Jobs.start(new Evaluator().job(EvalRequest.of(m, d, 1)), worker,
                    (done, total, stage) -> {
                        if (done == 1) {
                            firstBatch.countDown();
                            await(cancelled);
                        }
                    });
            assertTrue(firstBatch.await(30, TimeUnit.SECONDS));
            h.cancel();
            cancelled.countDown();
            ExecutionException e = assertThrows(ExecutionException.class, () -> h.result().get(5, TimeUnit.SECONDS));
            assertInstanceOf(CancelledException.class, e.getCause());
            if (i == 99) {
                System.gc();
                rssWarm = status("VmRSS:");
                nativeWarm = nativeResidentKb();
                threadsWarm = status("Threads:");
            }
            if (i == 199) {
                System.gc();
                rssMid = status("VmRSS:");
                nativeMid = nativeResidentKb();
            }
        }
        worker.shutdown();
        assertEquals(before, EvalSession.openSessions(), "sessions still open");
        System.gc();
        long rss = status("VmRSS:");
        long nat = nativeResidentKb();
        long threads = status("Threads:");
        if (rssWarm > 0) {
            // Heap resizing moves resident memory one way and committed heap the other; a leak of
            // sessions (>= 800 MiB of weights here) raises both measures, noise at most one.
            long growthKb = Math.min(rss - rssWarm, nat - nativeWarm);
            // A leaked session holds this model's 4 MiB of weights: 400 MiB per 100 cycles. The
            // allocators' own growth levels off, so the last 100 cycles must add far less.
            long lastWindowKb = Math.min(rss - rssMid, nat - nativeMid);
            System.out.println("200 start/cancel cycles: resident " + rssWarm + " -> " + rss
                    + " KiB, outside the JVM heap, code and metadata " + nativeWarm + " -> " + nat + " KiB; threads " + threadsWarm + " -> " + threads);
            assertTrue(growthKb < 192 * 1024, "resident memory grew by " + growthKb + " KiB over 200 cycles");
            assertTrue(lastWindowKb < 96 * 1024, "resident memory grew by " + lastWindowKb + " KiB over the last 100 cycles");
            assertTrue(threads <= threadsWarm + 2, "native threads grew from " + threadsWarm + " to " + threads);
        }
    }

    static void await(CountDownLatch l) {
        try {
            l.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Resident memory minus what the JVM has committed for the heap, JIT code and class metadata,
     * so the GC resizing the heap or the JIT compiling more code does not count.
     */
    static long nativeResidentKb() throws Exception {
        long rss = status("VmRSS:");
        var mem = java.lang.management.ManagementFactory.getMemoryMXBean();
        long jvm = mem.getHeapMemoryUsage().getCommitted() + mem.getNonHeapMemoryUsage().getCommitted();
        return rss == 0 ? 0 : rss - (jvm >> 10);
    }

    /** A field of /proc/self/status in kB (or a count), 0 where /proc does not exist. */
    static long status(String key) throws Exception {
        Path p = Path.of("/proc/self/status");
        if (!Files.exists(p)) {
            return 0;
        }
        for (String line : Files.readAllLines(p)) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
            }
        }
        return 0;
    }
}
