package dev.whittle.ui;

import dev.whittle.core.model.WeightLayer;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.control.TabPane;

/**
 * Screenshots of the data-aware choices (docs/screenshots): opens a model, sets calibration
 * data, shows the prune tab with a data-aware criterion and the low-rank tab with Whiten on at a
 * rank, and the quantize tab with GPTQ and bias correction at int4. Not a test:
 * <pre>
 * xvfb-run -a -s "-screen 0 1440x900x24" java -cp target/test-classes:target/classes:$(cat target/classpath.txt) \
 *     dev.whittle.ui.DataAwareScreenshots MODEL CALIBRATION LAYER CRITERION RANK OUT-PREFIX
 * </pre>
 */
public final class DataAwareScreenshots {
    private static MainViewModel vm;
    private static MainView view;
    private static Scene scene;

    private DataAwareScreenshots() {
    }

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        Path calibration = Path.of(args[1]);
        String layer = args[2];
        String criterion = args[3];
        int rank = Integer.parseInt(args[4]);
        String out = args[5];
        FxShots.Window w = FxShots.open(model);
        vm = w.vm();
        view = w.view();
        scene = w.scene();
        CountDownLatch calibrated = new CountDownLatch(1);
        fx(() -> vm.plan().setCalibration(calibration, calibrated::countDown));
        calibrated.await(60, TimeUnit.SECONDS);
        fx(() -> {
            WeightLayer l = vm.plan().model().graph().layer(layer).orElseThrow();
            vm.inspector().select(l);
        });
        waitFor(() -> vm.inspector().factsProperty().get() != null && vm.jobs().running().isEmpty(), 120);
        fx(() -> {
            ((TabPane) view.lookup("#inspector")).getSelectionModel().select(1);
            PruneViewModel p = vm.inspector().prune();
            p.structureProperty().set(criterion.equals("activation") ? "channel" : "unstructured");
            p.criterionProperty().set(criterion);
            p.sparsityProperty().set(0.5);
            p.commit();
            p.reconstructProperty().set(true);
        });
        waitFor(() -> vm.jobs().running().isEmpty(), 120);
        shoot(Path.of(out + "-prune.png"));
        fx(() -> {
            vm.plan().setPrune(layer, null);
            ((TabPane) view.lookup("#inspector")).getSelectionModel().select(2);
            QuantViewModel q = vm.inspector().quant();
            q.bitsProperty().set(4);
            q.gptqProperty().set(true);
            q.biasCorrectionProperty().set(true);
        });
        waitFor(() -> vm.jobs().running().isEmpty(), 120);
        shoot(Path.of(out + "-quant.png"));
        fx(() -> {
            vm.plan().setQuantize(layer, null);
            ((TabPane) view.lookup("#inspector")).getSelectionModel().select(3);
        });
        waitFor(() -> vm.inspector().spectrumProperty().get() != null && vm.jobs().running().isEmpty(), 300);
        fx(() -> {
            vm.inspector().rank().rankProperty().set(rank);
            vm.inspector().rank().whitenProperty().set(true);
        });
        waitFor(() -> vm.inspector().rank().whitenedProperty().get() != null && vm.jobs().running().isEmpty(), 300);
        shoot(Path.of(out + "-whiten.png"));
        System.out.println(vm.inspector().rank().whitenNoteProperty().get());
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
