package dev.whittle.ui;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javafx.animation.PauseTransition;
import javafx.application.Platform;
import javafx.beans.InvalidationListener;
import javafx.beans.Observable;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Scene;
import javafx.scene.image.WritableImage;
import javafx.util.Duration;
import javax.imageio.ImageIO;

/**
 * The hidden {@code --screenshot PNG} mode: waits until the model is open and the selected
 * layer's statistics are shown, writes a snapshot of the window's scene and exits. Used to
 * produce docs/screenshots/workbench.png and to look at the window without a display.
 */
final class Screenshot {
    private final Scene scene;
    private final MainViewModel vm;
    private final Path target;
    private boolean done;

    private Screenshot(Scene scene, MainViewModel vm, Path target) {
        this.scene = scene;
        this.vm = vm;
        this.target = target;
    }

    static void whenReady(Scene scene, MainViewModel vm, Path target, boolean expectModel) {
        Screenshot s = new Screenshot(scene, vm, target);
        InvalidationListener check = o -> s.checkReady(expectModel);
        for (Observable o : new Observable[] {vm.graphProperty(), vm.loadingProperty(), vm.detail().statsProperty(),
                vm.detail().computingProperty(), vm.jobs().running()}) {
            o.addListener(check);
        }
        PauseTransition timeout = new PauseTransition(Duration.seconds(60));
        timeout.setOnFinished(e -> s.take(true));
        timeout.play();
        Platform.runLater(() -> s.checkReady(expectModel));
    }

    private boolean ready(boolean expectModel) {
        // Every job done too: facts, spectrum, recipe, totals, exact figures and images are shown.
        return !vm.loadingProperty().get() && !vm.detail().computingProperty().get() && vm.jobs().running().isEmpty()
                && (!expectModel || vm.graphProperty().get() != null);
    }

    private void checkReady(boolean expectModel) {
        if (ready(expectModel)) {
            // Two more pulses so the canvas has been laid out and drawn with the new data.
            // A pause, then two more pulses: a debounced exact-tier job may still start after the last one ends.
            PauseTransition settle = new PauseTransition(Duration.millis(600));
            settle.setOnFinished(e -> Platform.runLater(() -> Platform.runLater(() -> take(ready(expectModel)))));
            settle.play();
        }
    }

    private void take(boolean now) {
        if (done || !now) {
            return;
        }
        done = true;
        WritableImage image = scene.snapshot(null);
        try {
            Path parent = target.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            ImageIO.write(SwingFXUtils.fromFXImage(image, null), "png", target.toFile());
            System.out.println("whittle: wrote screenshot " + target + " (" + (int) image.getWidth() + "x"
                    + (int) image.getHeight() + ")");
        } catch (IOException e) {
            System.err.println("whittle: cannot write screenshot " + target + ": " + e.getMessage());
        }
        Platform.exit();
    }
}
