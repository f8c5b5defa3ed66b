package dev.whittle.ui;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TabPane;

/**
 * Screenshots of the Sensitivity and Per-layer latency tabs (docs/screenshots): opens a model
 * with a recipe as its plan, runs a sweep and a profile, and writes two PNGs. Not a test:
 * <pre>
 * xvfb-run -a -s "-screen 0 1440x900x24" java -cp target/test-classes:target/classes:$(cat target/classpath.txt) \
 *     dev.whittle.ui.AnalysisScreenshots MODEL RECIPE METHOD LEVELS SAMPLES OUT-PREFIX
 * </pre>
 */
public final class AnalysisScreenshots {
    private static MainViewModel vm;
    private static MainView view;
    private static Scene scene;

    private AnalysisScreenshots() {
    }

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        Path recipe = Path.of(args[1]);
        String method = args[2];
        String levels = args[3];
        int samples = Integer.parseInt(args[4]);
        String out = args[5];
        FxShots.Window w = FxShots.open(model);
        vm = w.vm();
        view = w.view();
        scene = w.scene();
        CountDownLatch planned = new CountDownLatch(1);
        fx(() -> vm.plan().openRecipe(recipe, planned::countDown));
        planned.await(60, TimeUnit.SECONDS);
        AnalysisTabs tabs = AnalysisTabs.of(view);
        fx(() -> {
            ((SplitPane) view.lookup("#centre")).setDividerPositions(0.36);
            tabs.sensitivity().methodProperty().set(method);
            tabs.sensitivity().levelsProperty().set(levels);
            tabs.sensitivity().samplesProperty().set(samples);
            tabs.sensitivity().run();
        });
        waitFor(() -> tabs.sensitivity().tableProperty().get() != null && vm.jobs().running().isEmpty(), 1200);
        fx(() -> ((TabPane) view.lookup("#analysisTabs")).getSelectionModel().select(0));
        shoot(Path.of(out + "-sensitivity.png"));
        fx(() -> {
            ((TabPane) view.lookup("#analysisTabs")).getSelectionModel().select(1);
            tabs.latency().run();
        });
        waitFor(() -> tabs.latency().resultProperty().get() != null && vm.jobs().running().isEmpty(), 600);
        shoot(Path.of(out + "-latency.png"));
        System.out.println(LatencyViewModel.summary(tabs.latency().resultProperty().get()));
        Platform.exit();
        System.exit(0);
    }

    private static void fx(Runnable r) throws InterruptedException {
        FxShots.fx(r);
    }

    private static void waitFor(BooleanSupplier ready, int seconds) throws Exception {
        FxShots.waitFor(ready, seconds);
    }

    private static void shoot(Path file) throws Exception {
        FxShots.shoot(view, scene, file);
    }
}
