package dev.whittle.ui;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A poor man's sampling profiler for the figures program: every millisecond it takes the stack
 * of the watched threads and counts, per thread name, the innermost frame and, inclusively,
 * each Whittle frame on the stack. Printed by {@link #report}, heaviest first.
 */
final class StackSampler implements AutoCloseable {
    private final Map<String, Map<String, Integer>> self = new HashMap<>();
    private final Map<String, Map<String, Integer>> ours = new HashMap<>();
    private final Map<String, Integer> samples = new HashMap<>();
    private final Thread sampler;
    private volatile boolean running = true;

    StackSampler(java.util.function.Predicate<Thread> watch) {
        sampler = new Thread(() -> {
            while (running) {
                for (var e : Thread.getAllStackTraces().entrySet()) {
                    Thread t = e.getKey();
                    StackTraceElement[] st = e.getValue();
                    if (t == Thread.currentThread() || !watch.test(t) || st.length == 0 || idle(t, st)) {
                        continue;
                    }
                    String name = t.getName().replaceAll("-?\\d+$", "");
                    synchronized (this) {
                        samples.merge(name, 1, Integer::sum);
                        self.computeIfAbsent(name, k -> new HashMap<>()).merge(frame(st[0]), 1, Integer::sum);
                        java.util.Set<String> seen = new java.util.HashSet<>();
                        for (StackTraceElement f : st) {
                            if (f.getClassName().startsWith("dev.whittle") && !f.getClassName().contains("Figures")
                                    && seen.add(frame(f))) {
                                ours.computeIfAbsent(name, k -> new HashMap<>()).merge(frame(f), 1, Integer::sum);
                            }
                        }
                    }
                }
                try {
                    Thread.sleep(1);
                } catch (InterruptedException ex) {
                    return;
                }
            }
        }, "stack-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    private static boolean idle(Thread t, StackTraceElement[] st) {
        String top = st[0].getClassName() + "." + st[0].getMethodName();
        return t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING
                || top.contains("_runLoop") || top.contains("epollWait") || top.contains("Unsafe.park");
    }

    private static String frame(StackTraceElement f) {
        return f.getClassName().replaceAll("^.*\\.", "") + "." + f.getMethodName() + ":" + f.getLineNumber();
    }

    synchronized void report() {
        samples.forEach((thread, n) -> {
            System.out.printf(Locale.ROOT, "-- %s: %d busy samples%n", thread, n);
            for (var m : List.of(Map.entry("innermost", self.get(thread)), Map.entry("whittle frames, inclusive", ours.getOrDefault(thread, Map.of())))) {
                System.out.println("   " + m.getKey() + ": " + m.getValue().entrySet().stream()
                        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(25)
                        .map(x -> x.getKey() + "=" + x.getValue()).collect(Collectors.joining(", ")));
            }
        });
    }

    @Override
    public void close() {
        running = false;
    }
}
