package dev.whittle.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.plan.Plan;
import dev.whittle.core.quant.RangeSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javafx.geometry.Point2D;
import javafx.scene.Scene;
import javafx.scene.input.KeyCode;
import javafx.scene.input.MouseButton;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The tuning path through the real window (headless Monocle) on the Fashion-MNIST CNN: drag
 * the threshold and see the numbers and the plan column change, snap a range, set a rank, undo,
 * export the recipe and open it again.
 */
@ExtendWith(ApplicationExtension.class)
class WorkbenchTuneUiTest {
    static final Path CNN = Path.of("sample-models", "fashion-cnn.onnx");

    @TempDir
    Path dir;

    private MainViewModel vm;
    private MainView view;

    @Start
    void start(Stage stage) {
        vm = new MainViewModel(Background.forFx(), new RecentFiles(dir.resolve("recent.json")), JobRunner.forFx());
        view = new MainView(vm);
        Scene scene = new Scene(view, 1280, 800);
        Styles.apply(scene);
        stage.setScene(scene);
        stage.show();
    }

    private static void await(Callable<Boolean> condition) throws TimeoutException {
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, condition);
        WaitForAsyncUtils.waitForFxEvents();
    }

    private void openAndSelect(FxRobot robot, String node) throws TimeoutException {
        robot.interact(() -> vm.open(CNN));
        await(() -> vm.graphProperty().get() != null && !vm.loadingProperty().get());
        WeightLayer l = vm.graphProperty().get().weightLayers().stream().filter(x -> x.node().equals(node)).findFirst().orElseThrow();
        robot.interact(() -> vm.layers().selectedProperty().set(l));
        await(() -> vm.inspector().factsProperty().get() != null && vm.detail().statsProperty().get() != null);
    }

    /** Brings an inspector tab to the front (by index: the column headers share the tabs' names). */
    private void tab(FxRobot robot, int index) {
        robot.interact(() -> view.inspector().getSelectionModel().select(index));
    }

    private String cell(FxRobot robot, String columnId, String node) {
        return vm.plan().resolvedProperty().get() == null ? "" : PlanCells.prune(vm.plan().resolvedProperty().get().layer(node));
    }

    @Test
    void draggingTheThresholdPrunesAndFillsThePlanThenQuantizeRankUndoAndRecipeRoundTrip(FxRobot robot) throws Exception {
        openAndSelect(robot, "fc1");
        tab(robot, 1);
        ThresholdHistogramView hist = view.pruneTab().histogram();
        await(() -> hist.histogram() != null);
        String before = view.pruneTab().figuresLabel().getText();
        assertTrue(before.startsWith("Pruned: 0.00 %"), before);

        Point2D origin = hist.canvas().localToScreen(hist.thresholdX(), hist.canvas().getHeight() / 2);
        robot.drag(origin, MouseButton.PRIMARY).moveBy(60, 0).moveBy(60, 0).release(MouseButton.PRIMARY);
        await(() -> vm.plan().planProperty().get().layer("fc1").prune() != null);
        String after = view.pruneTab().figuresLabel().getText();
        assertFalse(after.startsWith("Pruned: 0.00 %"), after);
        double sparsity = vm.inspector().prune().sparsityProperty().get();
        assertTrue(sparsity > 0.1 && sparsity < 0.99, "the slider followed the line: " + sparsity);
        assertEquals(sparsity, view.pruneTab().sparsitySlider().getValue(), 1e-9);
        assertFalse(cell(robot, "pruneColumn", "fc1").isEmpty(), "the Prune column shows the setting");
        assertTrue(view.explain().text().contains("pruned fraction"), view.explain().text());

        tab(robot, 2);
        robot.clickOn("#mseButton");
        await(() -> vm.plan().planProperty().get().layer("fc1").quantize() != null);
        assertEquals(RangeSpec.MSE, vm.plan().planProperty().get().layer("fc1").quantize().weights().range());
        await(() -> view.quantTab().figuresLabel().getText().contains("SQNR"));
        assertTrue(view.explain().text().contains("scale"), view.explain().text());

        tab(robot, 3);
        await(() -> vm.inspector().spectrumProperty().get() != null);
        robot.interact(() -> {
            view.lowRankTab().rankSlider().setValue(10);
            vm.inspector().rank().commitRank();
        });
        await(() -> vm.plan().planProperty().get().layer("fc1").lowrank() != null);
        assertEquals(10, vm.plan().planProperty().get().layer("fc1").lowrank().rank());
        assertTrue(view.lowRankTab().figuresLabel().getText().contains("Energy kept"));

        robot.press(KeyCode.CONTROL, KeyCode.Z).release(KeyCode.Z, KeyCode.CONTROL);
        await(() -> vm.plan().planProperty().get().layer("fc1").lowrank() == null);
        assertNotNull(vm.plan().planProperty().get().layer("fc1").quantize(), "undo took back one step only");
        assertFalse(vm.inspector().rank().enabledProperty().get(), "the tab shows the plan after undo");

        Path recipe = dir.resolve("tuned.yaml");
        Plan tuned = vm.plan().planProperty().get();
        robot.interact(() -> vm.plan().exportRecipe(recipe));
        assertTrue(Files.readString(recipe).contains("provenance"), Files.readString(recipe));
        robot.interact(() -> vm.plan().resetLayers(java.util.List.of("fc1")));
        assertNull(vm.plan().planProperty().get().layer("fc1").prune());
        robot.interact(() -> vm.plan().openRecipe(recipe, () -> { }));
        await(() -> vm.plan().planProperty().get().layer("fc1").prune() != null);
        assertEquals(tuned.layers(), vm.plan().planProperty().get().layers());
    }

    @Test
    void aRecipeThatDoesNotFitTheModelShowsTheValidatorsMessageWithLineAndColumn(FxRobot robot) throws Exception {
        openAndSelect(robot, "fc1");
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "whittle: 1\nsteps:\n  - select: {names: [fc3]}\n    lowrank: {rank: 500}\n");
        robot.interact(() -> vm.plan().openRecipe(bad, () -> { }));
        await(() -> view.lastError() != null && view.lastError().isShowing());
        String text = view.lastError().getDialogPane().getContentText();
        assertTrue(text.startsWith("bad.yaml:3:"), text);
        assertTrue(vm.plan().planProperty().get().isEmpty(), "the plan stays as it was");
    }
}

