package dev.whittle.cli;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Peak heap while a benchmark section runs, three ways: a sampler thread reading heap use every
 * millisecond, the sum of the heap pools' peak usages (an upper bound: pools peak at different
 * times), and the largest heap use seen just before a garbage collection.
 */
final class HeapWatch {
    record Result(long before, long sampledPeak, long poolPeaks, long gcPeak) {
    }

    private final long before;
    private final AtomicLong sampled = new AtomicLong();
    private final AtomicLong gc = new AtomicLong();
    private final List<Runnable> cleanup = new ArrayList<>();
    private volatile boolean running = true;
    private final Thread sampler;

    private HeapWatch() {
        System.gc();
        before = used();
        sampled.set(before);
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                p.resetPeakUsage();
            }
        }
        NotificationListener l = (n, h) -> {
            if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
                var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
                long sum = info.getGcInfo().getMemoryUsageBeforeGc().values().stream().mapToLong(MemoryUsage::getUsed).sum();
                gc.accumulateAndGet(sum, Math::max);
            }
        };
        for (var b : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (b instanceof NotificationEmitter e) {
                e.addNotificationListener(l, null, null);
                cleanup.add(() -> {
                    try {
                        e.removeNotificationListener(l);
                    } catch (javax.management.ListenerNotFoundException ignored) {
                        // Already gone.
                    }
                });
            }
        }
        sampler = new Thread(() -> {
            while (running) {
                sampled.accumulateAndGet(used(), Math::max);
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    static HeapWatch start() {
        return new HeapWatch();
    }

    Result stop() {
        running = false;
        try {
            sampler.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        cleanup.forEach(Runnable::run);
        long pools = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.getPeakUsage() != null) {
                pools += p.getPeakUsage().getUsed();
            }
        }
        return new Result(before, Math.max(sampled.get(), used()), pools, gc.get());
    }

    private static long used() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
