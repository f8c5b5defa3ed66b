package dev.whittle.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.DialogPane;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** Edit > Plan Defaults through the window (headless Monocle): Ctrl+D, add a rule, OK, totals move, Ctrl+Z. */
@ExtendWith(ApplicationExtension.class)
class WorkbenchDefaultsUiTest {
    @TempDir
    Path dir;

    private MainViewModel vm;

    @Start
    void start(Stage stage) {
        vm = new MainViewModel(Background.forFx(), new RecentFiles(dir.resolve("recent.json")), JobRunner.forFx());
        MainView view = new MainView(vm);
        Scene scene = new Scene(view, 1280, 800);
        Styles.apply(scene);
        stage.setScene(scene);
        stage.show();
    }

    @Test
    void ctrlDOpensTheDefaultsAndOkAppliesTheRuleAsOneUndoStep(FxRobot robot) throws Exception {
        robot.interact(() -> vm.open(WorkbenchTuneUiTest.CNN));
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> vm.graphProperty().get() != null
                && !vm.loadingProperty().get() && vm.plan().totalsProperty().get() != null);
        long bytesBefore = vm.plan().totalsProperty().get().after().bytes();

        robot.press(KeyCode.CONTROL, KeyCode.D).release(KeyCode.D, KeyCode.CONTROL);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#defaultsDialog").tryQuery().isPresent());
        robot.clickOn("#addRule");
        WaitForAsyncUtils.waitForFxEvents();
        TextField bits = robot.lookup("#rule1_bits").queryAs(TextField.class);
        assertEquals("int8", bits.getText());
        robot.interact(() -> bits.setText("int4"));
        TextField names = robot.lookup("#rule1_namesregex").queryAs(TextField.class);
        robot.interact(() -> names.setText("fc[12"));
        assertTrue(robot.lookup("#defaultsProblem").queryLabeled().getText().startsWith("Rule 1"), "a broken regex is named");
        DialogPane pane = robot.lookup("#defaultsDialog").queryAs(DialogPane.class);
        Button ok = (Button) pane.lookupButton(javafx.scene.control.ButtonType.OK);
        assertTrue(ok.isDisabled(), "OK waits for valid rules");
        robot.interact(() -> names.setText("fc[12]"));
        assertEquals("", robot.lookup("#defaultsProblem").queryLabeled().getText());
        robot.clickOn(ok);
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> vm.plan().planProperty().get().rules().size() == 1
                && vm.plan().totalsProperty().get() != null && vm.plan().totalsProperty().get().after().bytes() != bytesBefore);
        assertEquals(4, vm.plan().resolvedProperty().get().layer("fc1").quantize().weights().bits());
        assertEquals(null, vm.plan().resolvedProperty().get().layer("fc3").quantize());
        assertNotEquals(bytesBefore, vm.plan().totalsProperty().get().after().bytes());

        robot.press(KeyCode.CONTROL, KeyCode.Z).release(KeyCode.Z, KeyCode.CONTROL);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> vm.plan().planProperty().get().rules().isEmpty());
    }
}
