package dev.whittle.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javafx.scene.Scene;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** A model's panel layout, left in one window, comes back in the next window (the next session) from the same store. */
@ExtendWith(ApplicationExtension.class)
class WorkbenchPanelsUiTest {
    @TempDir
    Path dir;

    private Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
    }

    private MainViewModel window(FxRobot robot, Path store) {
        MainViewModel vm = new MainViewModel(Background.forFx(), new RecentFiles(null), JobRunner.forFx());
        robot.interact(() -> {
            MainView view = new MainView(vm, new PanelStore(store));
            stage.setScene(new Scene(view, 1280, 800));
            stage.setUserData(view);
            stage.show();
        });
        return vm;
    }

    private void open(FxRobot robot, MainViewModel vm) throws Exception {
        robot.interact(() -> vm.open(WorkbenchTuneUiTest.CNN));
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> vm.graphProperty().get() != null && !vm.loadingProperty().get());
        WaitForAsyncUtils.waitForFxEvents();
    }

    @Test
    void splitsTabAndColumnWidthsComeBackForTheSameModel(FxRobot robot) throws Exception {
        Path store = dir.resolve("panels.json");
        MainViewModel vm = window(robot, store);
        open(robot, vm);
        SplitPane left = robot.lookup("#leftPane").queryAs(SplitPane.class);
        double defaultLeft = left.getDividerPositions()[0];
        robot.interact(() -> {
            left.setDividerPositions(0.55);
            robot.lookup("#inspector").queryAs(TabPane.class).getSelectionModel().select(2);
            ((TableView<?>) robot.lookup("#layerTable").queryAs(TableView.class)).getColumns().get(0).setPrefWidth(205);
        });
        WaitForAsyncUtils.waitForFxEvents();
        robot.interact(() -> ((MainView) stage.getUserData()).rememberPanels()); // the window closes

        MainViewModel next = window(robot, store);
        assertEquals(0, robot.lookup("#inspector").queryAs(TabPane.class).getSelectionModel().getSelectedIndex());
        open(robot, next);
        assertEquals(0.55, robot.lookup("#leftPane").queryAs(SplitPane.class).getDividerPositions()[0], 0.01);
        assertNotEquals(defaultLeft, 0.55, 0.01);
        assertEquals(2, robot.lookup("#inspector").queryAs(TabPane.class).getSelectionModel().getSelectedIndex());
        assertEquals(205, ((TableView<?>) robot.lookup("#layerTable").queryAs(TableView.class)).getColumns().get(0).getWidth(), 25);
    }
}
