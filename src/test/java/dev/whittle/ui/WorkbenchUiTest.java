package dev.whittle.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.model.WeightLayer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javafx.scene.Scene;
import javafx.scene.control.ButtonType;
import javafx.scene.control.DialogPane;
import javafx.scene.control.Label;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The main flows through the real window (headless Monocle): open, select, filter, bad file. */
@ExtendWith(ApplicationExtension.class)
class WorkbenchUiTest {
    @TempDir
    Path dir;

    private MainViewModel vm;
    private MainView view;

    @Start
    void start(Stage stage) {
        vm = new MainViewModel(Background.forFx(), new RecentFiles(dir.resolve("recent.json")));
        view = new MainView(vm);
        Scene scene = new Scene(view, 1200, 800);
        Styles.apply(scene);
        stage.setScene(scene);
        stage.show();
    }

    private static void await(Callable<Boolean> condition) throws TimeoutException {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, condition);
        WaitForAsyncUtils.waitForFxEvents();
    }

    private void openTiny(FxRobot robot) throws TimeoutException {
        Path file = WorkbenchModels.save(dir, "tiny.onnx");
        robot.interact(() -> vm.open(file));
        await(() -> vm.graphProperty().get() != null && vm.detail().statsProperty().get() != null);
    }

    @SuppressWarnings("unchecked")
    private static TableView<WeightLayer> table(FxRobot robot) {
        return robot.lookup("#layerTable").queryAs(TableView.class);
    }

    private static List<String> rows(FxRobot robot) {
        return table(robot).getItems().stream().map(WeightLayer::node).toList();
    }

    @Test
    void anOpenedModelFillsSummaryAndTableAndSelectingALayerShowsItsHistogramAndStatistics(FxRobot robot)
            throws TimeoutException {
        assertTrue(robot.lookup("#openModelButton").query().isVisible(), "empty state before a model is open");
        openTiny(robot);
        assertEquals(List.of(WorkbenchModels.CONV, WorkbenchModels.MATMUL, WorkbenchModels.GEMM), rows(robot));
        assertTrue(robot.lookup(".summary-view .summary-value").queryAll().size() > 8);
        Menu file = robot.lookup("#menuBar").queryAs(MenuBar.class).getMenus().get(0);
        Menu recent = (Menu) file.getItems().stream().filter(i -> "Open Recent".equals(i.getText())).findFirst().orElseThrow();
        assertTrue(recent.getItems().get(0).getText().startsWith("tiny.onnx"), recent.getItems().get(0).getText());

        robot.clickOn(WorkbenchModels.MATMUL);
        await(() -> vm.detail().statsProperty().get() != null
                && vm.detail().statsProperty().get().count() == 32);
        HistogramView histogram = view.layerDetail().histogram();
        assertNotNull(histogram.getHistogram());
        assertEquals(32, histogram.getHistogram().total());
        StatsView stats = view.layerDetail().stats();
        assertEquals("32", stats.value("Elements"));
        assertEquals("-1", stats.value("Min")); // (i % 8 - 4) * 0.25
        assertEquals("0.75", stats.value("Max"));
        assertEquals(WorkbenchModels.MATMUL, robot.lookup("#detailLayerName").queryLabeled().getText());

        robot.clickOn("#logCounts");
        robot.clickOn("#histMagnitudes");
        assertTrue(histogram.isLogCounts());
        assertTrue(histogram.getHistogram().log());
        assertEquals(4, histogram.getHistogram().zeros()); // one of every 8 fc weights is 0
    }

    @Test
    void theTableFiltersByNameAndByOpAndSortsParamsAsNumbers(FxRobot robot) throws TimeoutException {
        openTiny(robot);
        robot.clickOn("#layerNameFilter").write("FC1");
        assertEquals(List.of(WorkbenchModels.MATMUL), rows(robot));
        assertEquals("1 of 3 layers", robot.lookup("#layerCount").queryLabeled().getText());
        robot.interact(() -> vm.layers().nameFilterProperty().set(""));

        robot.clickOn("#layerOpFilter");
        robot.clickOn(robot.lookup(".context-menu").lookup((Label l) -> "Gemm".equals(l.getText())).<Label>query());
        assertEquals(List.of(WorkbenchModels.GEMM), rows(robot));
        robot.interact(() -> vm.layers().opFilterProperty().set(LayerTableViewModel.ALL_OPS));
        assertEquals(3, rows(robot).size());

        TableView<WeightLayer> table = table(robot);
        robot.interact(() -> {
            table.getSortOrder().setAll(table.getColumns().get(3)); // Params, ascending
        });
        assertEquals(List.of(WorkbenchModels.GEMM, WorkbenchModels.CONV, WorkbenchModels.MATMUL), rows(robot)); // 12, 18, 32
    }

    @Test
    void aRowsTooltipNamesItsLayerAndFollowsFilteringAndAnEmptiedRowHasNone(FxRobot robot) throws TimeoutException {
        openTiny(robot);
        javafx.scene.control.TableRow<?> first = robot.lookup("#layerTable .table-row-cell")
                .match((javafx.scene.control.TableRow<?> r) -> r.getIndex() == 0).query();
        robot.moveTo(first);
        WaitForAsyncUtils.waitForFxEvents();
        assertNotNull(first.getTooltip(), "a hovered row has a tooltip");
        assertTrue(first.getTooltip().getText().startsWith(WorkbenchModels.CONV), first.getTooltip().getText());

        // A plan cell cut short in its narrow column shows the whole setting on hover.
        robot.interact(() -> vm.plan().setPrune(WorkbenchModels.CONV, dev.whittle.core.prune.PruneSpec.wanda(0.5, null),
                Boolean.TRUE));
        WaitForAsyncUtils.waitForFxEvents();
        javafx.scene.control.TableCell<?, ?> prune = robot.lookup("#layerTable .table-cell")
                .match((javafx.scene.control.TableCell<?, ?> c) -> c.getIndex() == 0 && c.getTableColumn() != null
                        && "pruneColumn".equals(c.getTableColumn().getId())).query();
        robot.moveTo(prune);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("50% wanda +refit", prune.getTooltip().getText());
        robot.interact(() -> vm.plan().undo());

        robot.interact(() -> vm.layers().nameFilterProperty().set("FC1"));
        javafx.scene.control.TableRow<?> only = robot.lookup("#layerTable .table-row-cell")
                .match((javafx.scene.control.TableRow<?> r) -> r.getIndex() == 0).query();
        robot.moveTo(only);
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(only.getTooltip().getText().startsWith(WorkbenchModels.MATMUL), only.getTooltip().getText());
        robot.interact(() -> vm.layers().nameFilterProperty().set("no such layer"));
        assertTrue(robot.lookup("#layerTable .table-row-cell").queryAll().stream()
                .allMatch(r -> ((javafx.scene.control.TableRow<?>) r).getTooltip() == null), "empty rows show no tooltip");
    }

    @Test
    void aBadFileShowsTheErrorDialogAndThePreviousModelStaysOpen(FxRobot robot) throws TimeoutException, IOException {
        openTiny(robot);
        Path empty = WorkbenchModels.emptyFile(dir);
        robot.interact(() -> vm.open(empty));
        await(() -> view.lastError() != null && view.lastError().isShowing());

        DialogPane pane = robot.lookup("#errorDialog").queryAs(DialogPane.class);
        assertEquals("empty.onnx is empty (0 bytes), not an ONNX model.", pane.getContentText());
        TextArea trace = (TextArea) pane.getExpandableContent().lookup(".stack-trace");
        assertTrue(trace.getText().contains("InvalidModelException"));
        robot.interact(() -> ((javafx.scene.control.Button) pane.lookupButton(ButtonType.OK)).fire());
        await(() -> !view.lastError().isShowing());

        assertEquals("tiny.onnx", vm.graphProperty().get().fileName());
        assertEquals(3, rows(robot).size());
        robot.clickOn(WorkbenchModels.GEMM);
        await(() -> vm.detail().statsProperty().get() != null && vm.detail().statsProperty().get().count() == 12);
    }
}
