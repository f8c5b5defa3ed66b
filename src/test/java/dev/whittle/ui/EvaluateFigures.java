package dev.whittle.ui;

import dev.whittle.core.compare.RunHistory;
import dev.whittle.core.eval.SessionSpec;
import dev.whittle.core.lowrank.LowRankSpec;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.plan.Plan;
import dev.whittle.core.prune.PruneSpec;
import dev.whittle.core.quant.Granularity;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.quant.WeightSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javafx.animation.AnimationTimer;
import javafx.application.Platform;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Scene;
import javafx.scene.control.SplitPane;
import javafx.stage.Stage;
import javax.imageio.ImageIO;

/**
 * Evaluate in a real window (run it under Xvfb): evaluates four plans of a model one after the
 * other through the Evaluate button's path, records the FX thread's pulse intervals (an
 * AnimationTimer) while each evaluation runs, and prints p50/p99/max beside the same figures
 * for an idle window of the same length (the baseline, same run). Then writes screenshots of
 * the Results and Trade-offs tabs.
 * <pre>
 * xvfb-run -a -s "-screen 0 1440x900x24" java -cp target/test-classes:target/classes:$(cat target/classpath.txt) \
 *     dev.whittle.ui.EvaluateFigures sample-models/minilm/all-minilm-l6-v2.onnx docs/screenshots/evaluate-minilm
 * </pre>
 */
public final class EvaluateFigures {
    private static MainViewModel vm;
    private static MainView view;
    private static EvaluateTabs tabs;
    private static Scene scene;
    private static final List<Long> frames = new ArrayList<>();
    private static volatile boolean recording;
    private static volatile long lastPulse;
    private static long lastGc;
    private static final List<String> lateGaps = new java.util.concurrent.CopyOnWriteArrayList<>();

    private static long gcMillis() {
        return java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(java.lang.management.GarbageCollectorMXBean::getCollectionTime).sum();
    }
    private static volatile Thread fxThread;
    private static final Map<String, Integer> stalls = new java.util.concurrent.ConcurrentHashMap<>();

    private EvaluateFigures() {
    }

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        String shots = args.length > 1 ? args[1] : null;
        System.setProperty(RunHistory.DIR_PROPERTY, Files.createTempDirectory("whittle-models-").toString());
        // As WhittleApp does: background work gets one core fewer than the machine (or -Dfigures.threads).
        int threads = dev.whittle.core.tensor.Parallel.limit(Integer.getInteger("figures.threads",
                AppOptions.parse(List.of()).computeThreads(dev.whittle.core.tensor.Parallel.cores())));
        System.out.println("compute threads: " + threads + " of " + dev.whittle.core.tensor.Parallel.cores() + " cores");
        CountDownLatch up = new CountDownLatch(1);
        Platform.startup(() -> {
            vm = new MainViewModel(Background.forFx(), new RecentFiles(null), JobRunner.forFx());
            view = new MainView(vm);
            tabs = EvaluateTabs.install(view, vm);
            Stage stage = new Stage();
            scene = new Scene(view, 1280, 800);
            Styles.apply(scene);
            stage.setScene(scene);
            stage.show();
            new AnimationTimer() {
                @Override
                public void handle(long now) {
                    long gc = gcMillis();
                    if (recording && !frames.isEmpty() && now - frames.get(frames.size() - 1) > 50_000_000L) {
                        // A late pulse: which stage the evaluation was in, and how much of the gap G1 paused.
                        String stage = vm.jobs().running().stream().map(j -> j.messageProperty().get())
                                .filter(m -> !m.isEmpty()).findFirst().orElse("-");
                        lateGaps.add(String.format(Locale.ROOT, "%.0f ms in stage %s, GC %d ms",
                                (now - frames.get(frames.size() - 1)) / 1e6, stage, gc - lastGc));
                    }
                    lastGc = gc;
                    lastPulse = System.nanoTime();
                    if (recording) {
                        frames.add(now);
                    }
                }
            }.start();
            fxThread = Thread.currentThread();
            up.countDown();
        });
        up.await();
        // Where the FX thread is when a pulse is 50 ms late: what a pause is made of.
        Thread watch = new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
                if (recording && System.nanoTime() - lastPulse > 50_000_000L) {
                    StackTraceElement[] st = fxThread.getStackTrace();
                    // The top frames, and the first of the window's own code (or JavaFX's pulse) below them.
                    String own = Arrays.stream(st).skip(3).filter(e -> e.getClassName().startsWith("dev.whittle")
                            || e.getMethodName().equals("pulse") || e.getClassName().endsWith("PaintCollector"))
                            .findFirst().map(e -> " ... " + e.getClassName().replaceAll(".*\\.", "") + "." + e.getMethodName())
                            .orElse("");
                    String top = fxThread.getState() + " " + String.join(" < ", Arrays.stream(st).limit(3)
                            .map(e -> e.getClassName().replaceAll(".*\\.", "") + "." + e.getMethodName()).toList()) + own;
                    stalls.merge(top, 1, Integer::sum);
                }
            }
        }, "stall-watch");
        watch.setDaemon(true);
        watch.start();
        fx(() -> vm.open(model));
        waitFor(() -> onFx(() -> vm.graphProperty().get() != null && !vm.loadingProperty().get()
                && tabs.viewModel().dataProperty().get() != null && vm.plan().totalsProperty().get() != null));
        fx(() -> tabs.viewModel().providerProperty().set(SessionSpec.Provider.AUTO));
        settle();
        List<double[]> during = new ArrayList<>();
        List<Double> seconds = new ArrayList<>();
        for (Map.Entry<String, Plan> p : plans(onFx(() -> vm.graphProperty().get().weightLayers())).entrySet()) {
            fx(() -> vm.plan().edit(p.getValue(), p.getKey()));
            settle();
            long t0 = System.nanoTime();
            fx(() -> {
                frames.clear();
                recording = true;
                tabs.viewModel().evaluate();
            });
            waitFor(() -> onFx(() -> !tabs.viewModel().runningProperty().get()));
            recording = false;
            double s = (System.nanoTime() - t0) / 1e9;
            seconds.add(s);
            double[] gaps = gaps();
            during.add(gaps);
            report(String.format(Locale.ROOT, "evaluate %-28s (%4.1f s)", p.getKey(), s), gaps);
            settle();
        }
        // The baseline: the same window, idle, for as long as the longest evaluation.
        fx(() -> {
            frames.clear();
            recording = true;
        });
        Thread.sleep((long) (1000 * seconds.stream().mapToDouble(Double::doubleValue).max().orElse(3)));
        recording = false;
        double[] idle = gaps();
        report("baseline: idle window, same length", idle);
        report("all evaluations together", during.stream().flatMapToDouble(Arrays::stream).toArray());
        onFx(() -> {
            System.out.println("runs: " + tabs.viewModel().runs().size() + "; notes of the last: " + tabs.viewModel().notesProperty().get());
            return null;
        });
        lateGaps.forEach(g -> System.out.println("late pulse: " + g));
        stalls.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(10)
                .forEach(e -> System.out.println("FX thread during a late pulse (" + e.getValue() + " samples): " + e.getKey()));
        if (shots != null) {
            screenshots(shots);
        }
        cancels();
        Platform.exit();
    }

    /** Four plans: prune, int8, int4 blocks and low rank (plus int8) on the model's MatMul/Gemm/Conv layers. */
    static Map<String, Plan> plans(List<WeightLayer> layers) {
        List<String> dense = layers.stream().filter(l -> !l.op().equals("Gather")).map(WeightLayer::node).toList();
        List<String> big = layers.stream().filter(l -> !l.op().equals("Gather") && !l.op().equals("Conv"))
                .sorted((a, b) -> Long.compare(b.params(), a.params())).limit(Math.max(1, dense.size() / 3))
                .map(WeightLayer::node).toList();
        QuantizeSpec int8 = QuantizeSpec.weights(WeightSpec.of(8, Granularity.CHANNEL));
        QuantizeSpec int4 = QuantizeSpec.weights(WeightSpec.blocks(4, 32));
        Map<String, Plan> m = new LinkedHashMap<>();
        m.put("prune 50%", Plan.empty().withLayers(dense, s -> s.withPrune(PruneSpec.sparsity(0.5))));
        m.put("int8", Plan.empty().withLayers(dense, s -> s.withQuantize(int8)));
        m.put("int4 blocks", Plan.empty().withLayers(big, s -> s.withQuantize(int4)));
        m.put("low rank + int8", Plan.empty().withLayers(dense, s -> s.withQuantize(int8))
                .withLayers(big, s -> s.withLowrank(LowRankSpec.energy(0.9))));
        return m;
    }

    /** Cancel at several moments of an evaluation: the time from Cancel until the job has returned. */
    private static void cancels() throws Exception {
        fx(() -> vm.plan().edit(plans(vm.graphProperty().get().weightLayers()).get("int8").withLayers(
                List.of(vm.graphProperty().get().weightLayers().get(0).node()), s -> s), "int8 again"));
        for (long after : new long[] {300, 1500, 4000}) {
            settle();
            fx(() -> tabs.viewModel().evaluate());
            Thread.sleep(after);
            String stage = onFx(() -> vm.jobs().running().stream().filter(j -> j.title().startsWith("Evaluate"))
                    .map(j -> j.messageProperty().get()).findFirst().orElse("(already done)"));
            long t0 = System.nanoTime();
            fx(() -> tabs.viewModel().cancel());
            waitFor(() -> onFx(() -> vm.jobs().running().stream().noneMatch(j -> j.title().startsWith("Evaluate"))));
            System.out.printf(Locale.ROOT, "cancel %5d ms into an evaluation, in stage %-14s: the job returned %4.0f ms later%n",
                    after, stage, (System.nanoTime() - t0) / 1e6);
        }
    }

    private static void screenshots(String prefix) throws Exception {
        fx(() -> {
            ((SplitPane) view.lookup("#centre")).setDividerPositions(0.4);
            view.analysis().getSelectionModel().select(0);
            var t = tabs.results().table();
            t.getSelectionModel().clearSelection();
            t.getSelectionModel().selectIndices(2, t.getItems().size() - 1);
        });
        Thread.sleep(800);
        shot(prefix + "-results.png");
        fx(() -> view.analysis().getSelectionModel().select(1));
        Thread.sleep(800);
        shot(prefix + "-tradeoffs.png");
        fx(() -> {
            try {
                EvaluateTabs.writePng(tabs.tradeOffs().chart(), Path.of(prefix + "-chart.png"));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    private static void shot(String file) throws Exception {
        fx(() -> {
            try {
                ImageIO.write(SwingFXUtils.fromFXImage(scene.snapshot(null), null), "png", Path.of(file).toFile());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        System.out.println("wrote " + file);
    }

    private static double[] gaps() throws Exception {
        List<Long> f = onFx(() -> List.copyOf(frames));
        double[] g = new double[Math.max(0, f.size() - 1)];
        for (int i = 1; i < f.size(); i++) {
            g[i - 1] = (f.get(i) - f.get(i - 1)) / 1e6;
        }
        return g;
    }

    private static void report(String what, double[] ms) {
        double[] s = ms.clone();
        Arrays.sort(s);
        long over = Arrays.stream(s).filter(v -> v > 50).count();
        System.out.printf(Locale.ROOT, "%-50s frames %5d  p50 %5.1f ms  p99 %6.1f ms  max %6.1f ms  gaps over 50 ms: %d%n", what,
                s.length, pct(s, 50), pct(s, 99), s.length == 0 ? Double.NaN : s[s.length - 1], over);
    }

    private static double pct(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private static void settle() throws Exception {
        Thread.sleep(500);
        waitFor(() -> onFx(() -> vm.jobs().running().isEmpty()));
    }

    private static void fx(Runnable r) throws Exception {
        onFx(() -> {
            r.run();
            return null;
        });
    }

    private static <T> T onFx(Supplier<T> s) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        Platform.runLater(() -> {
            try {
                f.complete(s.get());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f.get(120, TimeUnit.SECONDS);
    }

    private static void waitFor(java.util.concurrent.Callable<Boolean> c) throws Exception {
        long end = System.nanoTime() + 600_000_000_000L;
        while (!c.call()) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException("timed out");
            }
            Thread.sleep(5);
        }
    }
}
