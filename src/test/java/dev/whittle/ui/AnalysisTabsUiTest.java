package dev.whittle.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.analysis.SensitivityCache;
import dev.whittle.core.analysis.SensitivityTable;
import dev.whittle.core.plan.PlanProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.TabPane;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The Sensitivity and Per-layer latency tabs on the Fashion CNN, through the real window (headless Monocle). */
@ExtendWith(ApplicationExtension.class)
class AnalysisTabsUiTest {
    private static final Path CNN = Path.of("sample-models/fashion-cnn.onnx");
    @TempDir
    static Path cacheDir;

    private MainViewModel vm;
    private MainView view;
    private String oldCache;

    @Start
    void start(Stage stage) {
        oldCache = System.getProperty(SensitivityCache.DIR_PROPERTY);
        System.setProperty(SensitivityCache.DIR_PROPERTY, cacheDir.toString());
        vm = new MainViewModel(Background.forFx(), new RecentFiles(cacheDir.resolve("recent.json")));
        view = new MainView(vm);
        Scene scene = new Scene(view, 1280, 800);
        Styles.apply(scene);
        stage.setScene(scene);
        stage.show();
    }

    @AfterEach
    void restore() {
        if (oldCache == null) {
            System.clearProperty(SensitivityCache.DIR_PROPERTY);
        } else {
            System.setProperty(SensitivityCache.DIR_PROPERTY, oldCache);
        }
    }

    private static void await(int seconds, Callable<Boolean> condition) throws TimeoutException {
        WaitForAsyncUtils.waitFor(seconds, TimeUnit.SECONDS, condition);
        WaitForAsyncUtils.waitForFxEvents();
    }

    private static long cachedSweeps() throws java.io.IOException {
        try (Stream<Path> files = Files.list(cacheDir)) {
            return files.filter(f -> f.getFileName().toString().matches("[0-9a-f]{64}\\.json")).count();
        }
    }

    private void openCnn(FxRobot robot) throws TimeoutException {
        robot.interact(() -> vm.open(CNN));
        await(20, () -> vm.graphProperty().get() != null && !vm.loadingProperty().get());
    }

    @Test
    void aSweepFillsChartAndTableAndACellSetsThePlanUndoably(FxRobot robot) throws Exception {
        openCnn(robot);
        AnalysisTabs tabs = AnalysisTabs.of(view);
        SensitivityViewModel s = tabs.sensitivity();
        robot.interact(() -> robot.lookup("#analysisTabs").queryAs(TabPane.class).getSelectionModel().select(0));
        assertEquals(dev.whittle.core.compare.DataChoice.samplesFor(CNN), s.dataProperty().get(), "the samples' own labelled set");
        assertEquals(DataChooser.SAMPLES, robot.lookup("#sensitivityData").queryComboBox().getValue());
        robot.interact(() -> {
            s.levelsProperty().set("0.5, 0.9");
            s.samplesProperty().set(200);
        });
        long cachedBefore = cachedSweeps();
        robot.clickOn("#runSensitivity");
        await(90, () -> s.tableProperty().get() != null && vm.jobs().running().isEmpty());
        SensitivityTable t = s.tableProperty().get();
        assertEquals("accuracy", t.metric());
        assertEquals(200, t.samples());
        assertEquals(5, t.layers().size());
        assertTrue(tabs.sensitivityView().chart().hasData());
        assertEquals(10, robot.lookup(".heat-cell").queryAll().size());
        // Other tests of this class share the folder: one more sweep file than before this run.
        assertEquals(cachedBefore + 1, cachedSweeps(), "the sweep is cached");

        Node cell = robot.lookup(".heat-cell").match(n -> "fc1@0.9".equals(n.getUserData())).query();
        assertEquals(SensitivityViewModel.value("accuracy", t.value("fc1", 0.9)), ((Label) cell).getText());
        robot.clickOn(cell);
        assertEquals(0.9, vm.plan().planProperty().get().layer("fc1").prune().sparsity());
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("fc1@0.9", robot.lookup(".heat-cell-current").query().getUserData(), "the plan's level is framed");
        robot.clickOn(robot.lookup(".heat-cell").match(n -> "conv1@0.5".equals(n.getUserData())).<Node>query());
        assertEquals(0.5, vm.plan().planProperty().get().layer("conv1").prune().sparsity());
        robot.press(KeyCode.CONTROL, KeyCode.Z).release(KeyCode.Z, KeyCode.CONTROL);
        WaitForAsyncUtils.waitForFxEvents();
        assertNull(vm.plan().planProperty().get().layer("conv1").prune(), "Ctrl+Z reverts the last cell");
        assertEquals(0.9, vm.plan().planProperty().get().layer("fc1").prune().sparsity());

        // The per-layer latency tab profiles the original and the plan (fc1 pruned).
        robot.interact(() -> robot.lookup("#analysisTabs").queryAs(TabPane.class).getSelectionModel().select(1));
        robot.clickOn("#runProfile");
        LatencyViewModel lat = tabs.latency();
        await(60, () -> lat.resultProperty().get() != null && vm.jobs().running().isEmpty());
        PlanProfile.Comparison c = lat.resultProperty().get();
        assertNotNull(c.plan());
        assertEquals(c.original().layers().keySet(), c.plan().layers().keySet());
        assertTrue(tabs.latencyView().bars().hasData());
        assertTrue(robot.lookup("#latencyInfo").queryLabeled().getText().contains("original and current plan"));
        assertTrue(LatencyViewModel.summary(c).startsWith("Original: run "));

        // Reopening shows the cached sweep at once, without running it.
        robot.interact(() -> vm.open(CNN));
        await(20, () -> s.tableProperty().get() != null && vm.jobs().running().isEmpty());
        assertTrue(s.infoProperty().get().contains("from the cache"), s.infoProperty().get());
        assertEquals(t, s.tableProperty().get());
    }

    @Test
    void w8a8CalibratesOnThePlansDataAndACellSetsWeightsAndActivations(FxRobot robot) throws Exception {
        openCnn(robot);
        SensitivityViewModel s = AnalysisTabs.of(view).sensitivity();
        robot.interact(() -> robot.lookup("#analysisTabs").queryAs(TabPane.class).getSelectionModel().select(0));
        assertTrue(!robot.lookup("#sensitivityCalibrator").query().isVisible(), "the calibrator is W8A8's alone");
        robot.interact(() -> {
            s.methodProperty().set(SensitivityViewModel.W8A8);
            s.samplesProperty().set(200);
        });
        assertEquals("8", s.levelsProperty().get());
        assertTrue(robot.lookup("#sensitivityCalibrator").query().isVisible());
        robot.interact(s::run);
        WaitForAsyncUtils.waitForFxEvents();
        assertNotNull(view.lastError(), "no calibration data yet");
        assertTrue(view.lastError().getContentText().contains("Edit > Calibration Data"), view.lastError().getContentText());
        assertTrue(vm.jobs().running().isEmpty());
        robot.interact(() -> view.lastError().close());

        robot.interact(() -> vm.plan().setCalibration(Path.of("sample-models/fashion-calib-x.npy"), () -> { }));
        await(20, () -> vm.plan().calibrated() && vm.jobs().running().isEmpty());
        robot.interact(() -> s.calibratorProperty().set("percentile:99.9"));
        robot.clickOn("#runSensitivity");
        await(90, () -> s.tableProperty().get() != null && vm.jobs().running().isEmpty());
        SensitivityTable t = s.tableProperty().get();
        assertEquals(5, t.layers().size());
        assertTrue(s.infoProperty().get().startsWith("quantize W8A8 (percentile:99.9) sensitivity"), s.infoProperty().get());
        assertTrue(s.infoProperty().get().contains("activation ranges by percentile:99.9 on fashion-calib-x.npy"),
                s.infoProperty().get());
        for (String l : t.layers()) {
            assertTrue(t.value(l, 8) > 0.5, l + " stays a classifier at W8A8: " + t.value(l, 8));
        }
        Node cell = robot.lookup(".heat-cell").match(n -> String.valueOf(n.getUserData()).startsWith("conv2@")).query();
        robot.clickOn(cell);
        var q = vm.plan().planProperty().get().layer("conv2").quantize();
        assertEquals(8, q.weights().bits());
        assertNotNull(q.activations(), "a W8A8 cell sets the activations too");
        assertEquals("percentile:99.9", q.activations().calibration().toString());
        assertTrue(s.shownCsv().startsWith("layer,quantize W8A8 (percentile:99.9) 8\n"), s.shownCsv());
    }

    @Test
    void escapeCancelsASweepAndRunComesBack(FxRobot robot) throws Exception {
        openCnn(robot);
        SensitivityViewModel s = AnalysisTabs.of(view).sensitivity();
        robot.interact(() -> {
            // 45 trials over the 2,000 test images: seconds of work, so the key lands while it runs
            s.methodProperty().set("prune");
            s.levelsProperty().set("0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9");
            s.samplesProperty().set(10_000);
            s.run();
        });
        assertTrue(s.runningProperty().get());
        assertTrue(robot.lookup("#runSensitivity").query().isDisabled());
        // The key at once, without moving the pointer first: the window's filter cancels the newest job.
        robot.press(KeyCode.ESCAPE).release(KeyCode.ESCAPE);
        await(20, () -> !s.runningProperty().get() && vm.jobs().running().isEmpty());
        assertNull(s.tableProperty().get());
        assertEquals("Cancelled.", s.infoProperty().get());
        assertTrue(!robot.lookup("#runSensitivity").query().isDisabled());
    }

    @Test
    void badLevelsAreRefusedBeforeAnyWork(FxRobot robot) throws Exception {
        openCnn(robot);
        SensitivityViewModel s = AnalysisTabs.of(view).sensitivity();
        robot.interact(() -> {
            s.levelsProperty().set("0.5, 70");
            s.run();
        });
        WaitForAsyncUtils.waitForFxEvents();
        assertNotNull(view.lastError());
        assertTrue(view.lastError().getContentText().contains("between 0 and 1"), view.lastError().getContentText());
        assertTrue(vm.jobs().running().isEmpty());
        robot.interact(() -> view.lastError().close());
    }
}
