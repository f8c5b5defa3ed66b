package dev.whittle.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.model.WeightLayer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.image.Image;
import javafx.scene.image.ImageView;
import javafx.scene.paint.Color;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The Weights tab on the CNN's fc3 under the example recipe's 2:4: each group of four shows two grey. */
@ExtendWith(ApplicationExtension.class)
class WeightsTabUiTest {
    private static final Path CNN = Path.of("sample-models", "fashion-cnn.onnx");
    private static final Path RECIPE = Path.of("sample-models", "recipes", "fashion-cnn-mixed.yaml");
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
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, condition);
        WaitForAsyncUtils.waitForFxEvents();
    }

    private static boolean near(Color a, Color b) {
        return Math.abs(a.getRed() - b.getRed()) < 0.01 && Math.abs(a.getGreen() - b.getGreen()) < 0.01
                && Math.abs(a.getBlue() - b.getBlue()) < 0.01;
    }

    @Test
    void twoOfFourShowGreyAtWholePixelsPerWeight(FxRobot robot) throws TimeoutException {
        robot.interact(() -> vm.open(CNN));
        await(() -> vm.graphProperty().get() != null && !vm.loadingProperty().get());
        robot.interact(() -> vm.plan().openRecipe(RECIPE, () -> { }));
        await(() -> vm.plan().resolvedProperty().get() != null && vm.jobs().running().isEmpty());
        WeightLayer fc3 = vm.graphProperty().get().weightLayers().stream().filter(l -> l.node().equals("fc3")).findFirst().orElseThrow();
        robot.interact(() -> vm.layers().selectedProperty().set(fc3));
        robot.interact(() -> view.inspector().getSelectionModel().select(4));
        ImageView after = robot.lookup("#heatmap1").queryAs(ImageView.class);
        await(() -> after.getImage() != null && vm.jobs().running().isEmpty());

        Image img = after.getImage();
        long[] d = fc3.shape(); // Gemm [10, 84] with transB: rows are the 10 outputs, columns the 84 inputs
        int cols = (int) Math.max(d[0], d[1]);
        int rows = (int) Math.min(d[0], d[1]);
        int scale = (int) img.getWidth() / cols;
        assertTrue(scale >= 1 && img.getWidth() == cols * scale && img.getHeight() == rows * scale,
                "a whole number of pixels per weight: " + img.getWidth() + " x " + img.getHeight());
        for (int r = 0; r < rows; r++) {
            for (int g = 0; g < cols; g += 4) {
                int grey = 0;
                for (int k = g; k < g + 4; k++) {
                    Color c = img.getPixelReader().getColor(k * scale + scale / 2, r * scale + scale / 2);
                    grey += near(c, WeightsTabView.ZEROED) ? 1 : 0;
                }
                assertEquals(2, grey, "row " + r + ", inputs " + g + ".." + (g + 3));
            }
        }
        String info = robot.lookup(".inspector-tab .muted").match((Label l) -> l.getText().startsWith("Colour scale"))
                .queryAs(Label.class).getText();
        assertTrue(info.contains("Grey: weights the plan sets to zero"), info);
    }
}
