package dev.whittle.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.compare.PlanRun;
import dev.whittle.core.compare.DataChoice;
import dev.whittle.core.compare.RunHistory;
import dev.whittle.core.eval.EvalSession;
import dev.whittle.core.eval.SessionSpec;
import dev.whittle.core.plan.Plan;
import dev.whittle.core.prune.PruneSpec;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javafx.geometry.Point2D;
import javafx.scene.Scene;
import javafx.scene.control.ComboBox;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** Evaluate in the real window (headless Monocle): a row appears, restore, a Pareto point, cancel. */
@ExtendWith(ApplicationExtension.class)
class EvaluateUiTest {
    static final Path CNN = Path.of("sample-models", "fashion-cnn.onnx");

    @TempDir
    static Path dir;

    private MainViewModel vm;
    private EvaluateTabs tabs;
    private MainView view;

    @Start
    void start(Stage stage) {
        System.setProperty(RunHistory.DIR_PROPERTY, dir.resolve("models-" + System.nanoTime()).toString());
        vm = new MainViewModel(Background.forFx(), new RecentFiles(dir.resolve("recent.json")));
        view = new MainView(vm);
        tabs = EvaluateTabs.install(view, vm, Debounce.fx(800), null);
        Scene scene = new Scene(view, 1280, 800);
        Styles.apply(scene);
        stage.setScene(scene);
        stage.show();
    }

    @AfterEach
    void clear() {
        System.clearProperty(RunHistory.DIR_PROPERTY);
    }

    private static void await(Callable<Boolean> condition) throws TimeoutException {
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, condition);
        WaitForAsyncUtils.waitForFxEvents();
    }

    private void openCnn(FxRobot robot, long limit) throws TimeoutException {
        robot.interact(() -> vm.open(CNN));
        await(() -> vm.graphProperty().get() != null && tabs.viewModel().dataProperty().get() != null);
        robot.interact(() -> {
            tabs.viewModel().providerProperty().set(SessionSpec.Provider.CPU);
            tabs.viewModel().dataProperty().set(tabs.viewModel().dataProperty().get().withLimit(limit));
        });
    }

    @SuppressWarnings("unchecked")
    private static TableView<PlanRun> table(FxRobot robot) {
        return robot.lookup("#resultsTable").queryAs(TableView.class);
    }

    @Test
    void evaluateAddsRowsThenRestoreAndAParetoPointBringBackTheirPlans(FxRobot robot) throws TimeoutException {
        openCnn(robot, 300);
        robot.interact(() -> vm.plan().setPrune("fc1", PruneSpec.sparsity(0.5)));
        Plan first = vm.plan().planProperty().get();
        robot.clickOn("#evaluateButton");
        await(() -> table(robot).getItems().size() == 2 && !tabs.viewModel().runningProperty().get());
        assertEquals("original", table(robot).getItems().get(0).name());
        assertEquals("fc1 prune 50%", table(robot).getItems().get(1).name());

        robot.interact(() -> vm.plan().setPrune("fc1", PruneSpec.sparsity(0.9)));
        robot.press(javafx.scene.input.KeyCode.CONTROL).type(javafx.scene.input.KeyCode.E).release(javafx.scene.input.KeyCode.CONTROL);
        await(() -> table(robot).getItems().size() == 3 && !tabs.viewModel().runningProperty().get());
        Plan second = vm.plan().planProperty().get();

        robot.interact(() -> table(robot).getSelectionModel().clearAndSelect(1));
        robot.clickOn("#restoreRunButton");
        assertEquals(first.layers(), vm.plan().planProperty().get().layers());
        robot.interact(() -> vm.plan().undo());
        assertEquals(second, vm.plan().planProperty().get());

        robot.interact(() -> {
            table(robot).getSelectionModel().clearSelection();
            table(robot).getSelectionModel().selectIndices(1, 2);
        });
        assertEquals(1, tabs.results().compareTable().getItems().size(), "fc1 in both runs");

        robot.clickOn("#tradeOffsTab");
        TradeOffChart chart = tabs.tradeOffs().chart();
        assertEquals(3, chart.runs().size());
        PlanRun target = table(robot).getItems().get(1);
        double[] p = chart.pointOf(target);
        Point2D screen = chart.canvas().localToScreen(p[0], p[1]);
        robot.moveTo(screen);
        await(() -> chart.hoverTextProperty().get().startsWith("fc1 prune 50%"));
        robot.clickOn(screen);
        assertEquals(first.layers(), vm.plan().planProperty().get().layers());
    }

    @Test
    @SuppressWarnings("unchecked")
    void oneDataChoiceServesEvaluateSensitivityAndLatencyAndIsRememberedPerModel(FxRobot robot) throws TimeoutException {
        openCnn(robot, 0);
        await(() -> vm.jobs().running().isEmpty());
        DataChoice samples = DataChoice.samplesFor(CNN);
        assertEquals(samples, tabs.viewModel().dataProperty().get().withLimit(0));
        ComboBox<String> sensitivity = robot.lookup("#sensitivityData").queryAs(ComboBox.class);
        ComboBox<String> latency = robot.lookup("#latencyData").queryAs(ComboBox.class);
        ComboBox<String> results = robot.lookup("#dataKind").queryAs(ComboBox.class);
        assertEquals(DataChooser.SAMPLES, sensitivity.getValue());
        assertEquals(DataChooser.SAMPLES, latency.getValue());

        // Chosen in the Sensitivity tab: Evaluate and Per-layer latency use it too.
        robot.interact(() -> sensitivity.setValue(DataChooser.SYNTHETIC));
        DataChoice chosen = tabs.viewModel().dataProperty().get();
        assertEquals(DataChoice.Kind.SYNTHETIC, chosen.kind());
        assertSame(chosen, AnalysisTabs.of(view).sensitivity().dataProperty().get());
        assertEquals(DataChooser.SYNTHETIC, results.getValue());
        assertEquals(DataChooser.SYNTHETIC, latency.getValue());
        assertEquals(chosen.label(), robot.lookup("#dataLabel").queryLabeled().getText());

        // Remembered for this model: reopening it brings the synthetic choice back, not the samples' set.
        await(() -> vm.jobs().running().isEmpty());
        robot.interact(() -> vm.open(CNN));
        await(() -> vm.jobs().running().isEmpty() && vm.graphProperty().get() != null
                && tabs.viewModel().dataProperty().get().kind() == DataChoice.Kind.SYNTHETIC);
        assertEquals(chosen, AnalysisTabs.of(view).sensitivity().dataProperty().get());
        assertEquals(DataChooser.SYNTHETIC, sensitivity.getValue());

        // And back to the samples' set from the Per-layer latency tab.
        robot.interact(() -> latency.setValue(DataChooser.SAMPLES));
        assertEquals(samples, tabs.viewModel().dataProperty().get());
        assertEquals(DataChooser.SAMPLES, results.getValue());
    }

    @Test
    void cancelStopsTheEvaluationAddsNoRowAndClosesItsSessions(FxRobot robot) throws TimeoutException {
        openCnn(robot, 0);
        robot.interact(() -> vm.plan().setPrune("fc1", PruneSpec.sparsity(0.5)));
        robot.clickOn("#evaluateButton");
        assertTrue(tabs.viewModel().runningProperty().get());
        long[] clicked = {0};
        String[] stage = {""};
        robot.lookup("#cancelEvaluateButton").query().addEventFilter(javafx.event.ActionEvent.ACTION, e -> {
            clicked[0] = System.nanoTime();
            vm.jobs().running().stream().filter(j -> j.title().startsWith("Evaluate")).findFirst()
                    .ifPresent(j -> stage[0] = j.messageProperty().get());
        });
        robot.clickOn("#cancelEvaluateButton");
        await(() -> vm.jobs().running().stream().noneMatch(j -> j.title().startsWith("Evaluate")));
        double seconds = (System.nanoTime() - clicked[0]) / 1e9;
        // A generous bound: on a loaded 2-core machine a stage can take a second to notice; the
        // measured cancel latency is reported by EvaluateFigures. No row below proves it stopped.
        assertTrue(clicked[0] > 0 && seconds < 5.0, "stopped " + seconds + " s after the click, in stage '" + stage[0] + "'");
        assertFalse(tabs.viewModel().runningProperty().get());
        assertTrue(table(robot).getItems().isEmpty());
        assertEquals(0, EvalSession.openSessions());
    }
}
