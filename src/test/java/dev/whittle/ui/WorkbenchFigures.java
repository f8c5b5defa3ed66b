package dev.whittle.ui;

import dev.whittle.core.model.WeightLayer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import javafx.animation.AnimationTimer;
import javafx.application.Platform;
import javafx.geometry.Point2D;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.input.MouseButton;
import javafx.scene.robot.Robot;
import javafx.stage.Stage;

/**
 * What the user sees, measured in a real window (run it under Xvfb, not headless Monocle):
 * <ul>
 *   <li>the frame interval on the FX thread (an AnimationTimer) while a robot drags each
 *       control of the inspector on one big MatMul (4096 x 2560, 10.5 M weights): the threshold
 *       line, the sparsity slider, the clip line, the rank line; beside it, the same while the
 *       mouse only moves over the window (the baseline, same run);</li>
 *   <li>MiniLM: open to table, and selecting a layer to its histogram (first time, and cached).</li>
 * </ul>
 * Not a test (it needs a display and minutes):
 * <pre>
 * java -cp target/test-classes:target/classes:$(cat target/classpath.txt) dev.whittle.testing.BigMatMul /tmp/big.onnx
 * xvfb-run -a -s "-screen 0 1440x900x24" java -cp target/test-classes:target/classes:$(cat target/classpath.txt) \
 *     dev.whittle.ui.WorkbenchFigures /tmp/big.onnx sample-models/minilm/all-minilm-l6-v2.onnx
 * </pre>
 * System properties: {@code -Donly.minilm} skips the big-layer drags; {@code -Dfigures.runs=N}
 * sets how many times MiniLM is opened (one new layer selected per open; default 5);
 * {@code -Dfigures.selects=N} layers selected per open; {@code -Dfigures.many=FILE} measures only
 * that model (e.g. one written by {@code dev.whittle.testing.ManyLayersModel}: open, select
 * median/p90, FX frame gaps while selecting);
 * {@code -Dfigures.profile} samples the FX and worker threads' stacks during the MiniLM part;
 * {@code -Dfigures.settle} lets the window settle (no job running, 400 ms quiet) before each timed
 * selection, as when a user looks at the table before clicking, instead of selecting the moment
 * the table is filled or the previous layer's statistics arrived.
 */
public final class WorkbenchFigures {
    private static MainViewModel vm;
    private static MainView view;
    private static Stage stage;
    private static final List<Long> frames = new ArrayList<>();
    private static final boolean SETTLE = System.getProperty("figures.settle") != null;
    private static boolean recording;
    private static long fxThread;
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    private WorkbenchFigures() {
    }

    public static void main(String[] args) throws Exception {
        Path big = Path.of(args[0]);
        Path minilm = Path.of(args.length > 1 ? args[1] : "sample-models/minilm/all-minilm-l6-v2.onnx");
        CountDownLatch up = new CountDownLatch(1);
        Platform.startup(() -> {
            vm = new MainViewModel(Background.forFx(), new RecentFiles(null), JobRunner.forFx());
            view = new MainView(vm);
            stage = new Stage();
            Scene scene = new Scene(view, 1280, 800);
            Styles.apply(scene);
            stage.setScene(scene);
            stage.show();
            new AnimationTimer() {
                @Override
                public void handle(long now) {
                    if (recording) {
                        frames.add(now);
                    }
                }
            }.start();
            fxThread = Thread.currentThread().getId();
            up.countDown();
        });
        up.await();
        String many = System.getProperty("figures.many");
        if (many != null) {
            opens("many-layer model", Path.of(many), Integer.getInteger("figures.selects", 20));
            Platform.exit();
            return;
        }
        opens("MiniLM", minilm, Integer.getInteger("figures.selects", 1));
        if (System.getProperty("only.minilm") != null) {
            Platform.exit();
            return;
        }
        drags(big);
        Platform.exit();
    }

    /** Opens {@code file} a few times; after each open selects {@code selects} layers, each first time and cached. */
    private static void opens(String what, Path file, int selects) throws Exception {
        if (!Files.isRegularFile(file)) {
            System.out.println(what + " not found at " + file + "; skipped");
            return;
        }
        List<Double> open = new ArrayList<>();
        List<Double> first = new ArrayList<>();
        List<Double> cached = new ArrayList<>();
        List<Double> gaps = new ArrayList<>();
        List<Double> fxCpuFirst = new ArrayList<>();
        List<Double> fxCpuCached = new ArrayList<>();
        List<Double> cpuFirst = new ArrayList<>();
        List<Double> cpuCached = new ArrayList<>();
        List<Double> statsFirst = new ArrayList<>();
        int runs = Integer.getInteger("figures.runs", 5);
        StackSampler profile = System.getProperty("figures.profile") == null ? null
                : new StackSampler(t -> t.getName().startsWith("JavaFX Application") || t.getName().startsWith("whittle") || t.getName().startsWith("QuantumRenderer"));
        for (int run = 0; run < runs; run++) {
            long t0 = System.nanoTime();
            fx(() -> vm.open(file));
            waitFor(() -> onFx(() -> vm.graphProperty().get() != null && !vm.loadingProperty().get()
                    && !view.layerTable().table().getItems().isEmpty()));
            open.add((System.nanoTime() - t0) / 1e6);
            List<WeightLayer> layers = onFx(() -> vm.layers().allLayers().stream().toList());
            fx(() -> {
                frames.clear();
                recording = true;
            });
            for (int sel = 0; sel < selects; sel++) {
                WeightLayer l = layers.get((7 + run + sel * 9) % layers.size());
                for (List<Double> into : List.of(first, cached)) {
                    if (into == cached) {
                        fx(() -> vm.layers().selectedProperty().set(layers.get(0)));
                        waitFor(() -> onFx(() -> vm.detail().statsProperty().get() != null));
                    }
                    if (SETTLE) {
                        settle();
                    }
                    long t1 = System.nanoTime();
                    long fx0 = THREADS.getThreadCpuTime(fxThread);
                    long cpu0 = OS.getProcessCpuTime();
                    fx(() -> vm.layers().selectedProperty().set(l));
                    waitFor(() -> onFx(() -> vm.detail().statsProperty().get() != null
                            && vm.detail().statsProperty().get().count() == l.params()));
                    if (into == first) {
                        statsFirst.add((System.nanoTime() - t1) / 1e6);
                    }
                    waitFor(() -> onFx(() -> view.layerDetail().histogram().getHistogram() != null
                            && vm.detail().statsProperty().get() != null && vm.detail().statsProperty().get().count() == l.params()));
                    into.add((System.nanoTime() - t1) / 1e6);
                    (into == first ? fxCpuFirst : fxCpuCached).add((THREADS.getThreadCpuTime(fxThread) - fx0) / 1e6);
                    (into == first ? cpuFirst : cpuCached).add((OS.getProcessCpuTime() - cpu0) / 1e6);
                }
            }
            List<Long> f = onFx(() -> {
                recording = false;
                return List.copyOf(frames);
            });
            for (int i = 1; i < f.size(); i++) {
                gaps.add((f.get(i) - f.get(i - 1)) / 1e6);
            }
            fx(() -> vm.close());
        }
        if (profile != null) {
            profile.close();
            profile.report();
        }
        List<Double> read = new ArrayList<>();
        for (int run = 0; run < 5; run++) {
            long t0 = System.nanoTime();
            dev.whittle.core.onnx.OnnxReader.read(file);
            read.add((System.nanoTime() - t0) / 1e6);
        }
        System.out.printf(Locale.ROOT, "%s open to table: median %.0f ms; baseline, OnnxReader.read alone: median %.0f ms"
                + " (load average %.1f)%n", what, median(open), median(read),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.printf(Locale.ROOT, "%s select a layer to its histogram" + (SETTLE ? " (window settled first)" : " (back to back)") + ", first time: median %.0f ms, p90 %.0f ms;"
                + " cached: median %.1f ms, p90 %.1f ms (%d selects)%n", what, median(first), p90(first), median(cached),
                p90(cached), first.size());
        System.out.printf(Locale.ROOT, "%s select, first time, until the statistics are in the view model: median %.0f ms%n",
                what, median(statsFirst));
        // CPU time hardly depends on how many other processes share the cores; wall time does.
        System.out.printf(Locale.ROOT, "%s select, CPU time: FX thread median %.1f ms first / %.1f ms cached;"
                + " whole process median %.1f ms first / %.1f ms cached%n", what, median(fxCpuFirst), median(fxCpuCached),
                median(cpuFirst), median(cpuCached));
        report(what + ": FX frame gaps while selecting", gaps.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static double p90(List<Double> v) {
        return pct(v.stream().mapToDouble(Double::doubleValue).sorted().toArray(), 90);
    }

    private static void drags(Path big) throws Exception {
        fx(() -> vm.open(big));
        waitFor(() -> onFx(() -> vm.graphProperty().get() != null && !vm.loadingProperty().get()));
        long t0 = System.nanoTime();
        waitFor(() -> onFx(() -> vm.inspector().factsProperty().get() != null && vm.plan().totalsProperty().get() != null));
        System.out.printf(Locale.ROOT, "big MatMul: layer facts ready %.0f ms after the open%n", (System.nanoTime() - t0) / 1e6);
        fx(() -> view.inspector().getSelectionModel().select(1));
        settle();
        report("baseline (mouse moves over the chart, nothing dragged)", measure(() -> view.pruneTab().histogram(), false,
                () -> view.pruneTab().histogram().thresholdX()));
        report("prune: threshold line", measure(() -> view.pruneTab().histogram(), true,
                () -> view.pruneTab().histogram().thresholdX()));
        report("prune: sparsity slider", measure(() -> view.pruneTab().sparsitySlider().lookup(".thumb"), true, () -> 0.0));
        fx(() -> view.inspector().getSelectionModel().select(2));
        settle();
        report("quantize: clip line", measure(() -> view.quantTab().histogram(), true,
                () -> view.quantTab().histogram().toX(vm.inspector().quant().hiProperty().get())));
        fx(() -> view.inspector().getSelectionModel().select(3));
        t0 = System.nanoTime();
        waitFor(() -> onFx(() -> vm.inspector().spectrumProperty().get() != null));
        System.out.printf(Locale.ROOT, "big MatMul: first spectrum (top %d by randomized SVD) %.0f ms%n",
                onFx(() -> vm.inspector().spectrumProperty().get().values().length), (System.nanoTime() - t0) / 1e6);
        settle();
        report("low rank: rank line", measure(() -> view.lowRankTab().spectrum(), true,
                () -> view.lowRankTab().spectrum().xOf(vm.inspector().rank().rankProperty().get() - 1)));
    }

    /** Frame intervals (ms) while the mouse drags (or only moves) from the handle 300 px right and back. */
    private static double[] measure(Supplier<Node> target, boolean press, Supplier<Double> handleX) throws Exception {
        Point2D start = onFx(() -> {
            Node n = target.get();
            double x = n instanceof PlotView p ? handleX.get() : n.getLayoutBounds().getWidth() / 2;
            double y = n.getLayoutBounds().getHeight() / 2;
            Node ref = n instanceof PlotView p ? p.canvas() : n;
            return ref.localToScreen(n instanceof PlotView ? x : ref.getLayoutBounds().getWidth() / 2, y);
        });
        Robot[] robot = new Robot[1];
        fx(() -> {
            robot[0] = new Robot();
            robot[0].mouseMove(start);
            if (press) {
                robot[0].mousePress(MouseButton.PRIMARY);
            }
        });
        settle();
        fx(() -> {
            frames.clear();
            recording = true;
        });
        int steps = 240;
        for (int i = 1; i <= steps; i++) {
            double dx = 300 * Math.sin(Math.PI * i / steps);
            double x = start.getX() + dx;
            fx(() -> robot[0].mouseMove(x, start.getY()));
            Thread.sleep(8);
        }
        fx(() -> {
            recording = false;
            if (press) {
                robot[0].mouseRelease(MouseButton.PRIMARY);
            }
        });
        List<Long> f = onFx(() -> List.copyOf(frames));
        double[] intervals = new double[Math.max(0, f.size() - 1)];
        for (int i = 1; i < f.size(); i++) {
            intervals[i - 1] = (f.get(i) - f.get(i - 1)) / 1e6;
        }
        settle();
        return intervals;
    }

    private static void report(String what, double[] ms) {
        double[] s = ms.clone();
        Arrays.sort(s);
        System.out.printf(Locale.ROOT, "%-55s frames %4d  p50 %5.1f ms  p99 %5.1f ms  max %5.1f ms%n", what, s.length,
                pct(s, 50), pct(s, 99), s.length == 0 ? Double.NaN : s[s.length - 1]);
    }

    private static double pct(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private static double median(List<Double> v) {
        double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return s[s.length / 2];
    }

    private static void settle() throws Exception {
        Thread.sleep(400);
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
        return f.get(60, TimeUnit.SECONDS);
    }

    private static void waitFor(java.util.concurrent.Callable<Boolean> c) throws Exception {
        long end = System.nanoTime() + 120_000_000_000L;
        while (!c.call()) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException("timed out");
            }
            Thread.sleep(2);
        }
    }
}
