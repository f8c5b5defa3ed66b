package dev.whittle.ui;

import dev.whittle.core.plan.PlanRecipes;
import dev.whittle.core.recipe.RecipeFile;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;
import javafx.embed.swing.SwingFXUtils;
import javafx.geometry.Rectangle2D;
import javafx.scene.Scene;
import javafx.scene.image.WritableImage;
import javafx.scene.robot.Robot;
import javafx.stage.Stage;
import javax.imageio.ImageIO;

/**
 * The window with Edit > Plan Defaults open over it, captured from the screen (the dialog is its
 * own window, so a scene snapshot would miss it). Run under Xvfb:
 * <pre>
 * xvfb-run -a -s "-screen 0 1440x900x24" java -cp target/test-classes:target/classes:$(cat target/classpath.txt) \
 *     dev.whittle.ui.DefaultsScreenshot sample-models/fashion-cnn.onnx sample-models/recipes/fashion-cnn-mixed.yaml \
 *     docs/screenshots/workbench-plan-defaults.png
 * </pre>
 */
public final class DefaultsScreenshot {
    private DefaultsScreenshot() {
    }

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        Path recipe = Path.of(args[1]);
        Path out = Path.of(args[2]);
        MainViewModel[] vm = new MainViewModel[1];
        Stage[] stage = new Stage[1];
        CompletableFuture<Void> up = new CompletableFuture<>();
        Platform.startup(() -> {
            vm[0] = new MainViewModel(Background.forFx(), new RecentFiles(null), JobRunner.forFx());
            MainView view = new MainView(vm[0]);
            stage[0] = new Stage();
            stage[0].setScene(new Scene(view, 1280, 800));
            Styles.apply(stage[0].getScene());
            stage[0].setX(0);
            stage[0].setY(0);
            stage[0].show();
            vm[0].open(model);
            up.complete(null);
        });
        up.get(30, TimeUnit.SECONDS);
        long end = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < end && !call(() -> vm[0].graphProperty().get() != null && !vm[0].loadingProperty().get())) {
            Thread.sleep(50);
        }
        call(() -> {
            var p = PlanRecipes.fromRecipe(RecipeFile.read(recipe).recipe(), vm[0].graphProperty().get());
            vm[0].plan().edit(p, "open recipe");
            DefaultsDialog.show(stage[0], vm[0].plan());
            return true;
        });
        Thread.sleep(2500);
        call(() -> {
            WritableImage img = new Robot().getScreenCapture(null, new Rectangle2D(0, 0, 1280, 830));
            try {
                ImageIO.write(SwingFXUtils.fromFXImage(img, null), "png", out.toFile());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return true;
        });
        System.out.println("wrote " + out);
        Platform.exit();
    }

    private static boolean call(java.util.function.Supplier<Boolean> s) throws Exception {
        CompletableFuture<Boolean> f = new CompletableFuture<>();
        Platform.runLater(() -> {
            try {
                f.complete(s.get());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f.get(30, TimeUnit.SECONDS);
    }
}
