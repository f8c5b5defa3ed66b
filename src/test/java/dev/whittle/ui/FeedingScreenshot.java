package dev.whittle.ui;

import dev.whittle.core.compare.DataChoice;
import java.nio.file.Files;
import java.nio.file.Path;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.control.Dialog;
import javax.imageio.ImageIO;

/**
 * Writes a screenshot of the "How the data feeds the model" dialog for a model and a dataset
 * spec: {@code java dev.whittle.ui.FeedingScreenshot MODEL SPEC OUT.png} (test classes on the
 * class path, under Xvfb).
 */
public final class FeedingScreenshot {
    private FeedingScreenshot() {
    }

    public static void main(String[] args) throws Exception {
        FxShots.Window w = FxShots.open(Path.of(args[0]));
        DataChoice spec = DataChoice.spec(Path.of(args[1]));
        @SuppressWarnings("unchecked")
        Dialog<DataChoice>[] d = new Dialog[1];
        FxShots.fx(() -> {
            w.vm().data().choiceProperty().set(spec);
            FeedingDraft draft = FeedingDraft.of(w.vm().modelProperty().get().graph(), spec);
            d[0] = FeedingDialog.create(w.scene().getWindow(), draft, Path.of(args[1]));
            d[0].show();
        });
        Thread.sleep(1500);
        java.awt.image.BufferedImage[] img = new java.awt.image.BufferedImage[1];
        FxShots.fx(() -> img[0] = SwingFXUtils.fromFXImage(d[0].getDialogPane().getScene().snapshot(null), null));
        Path out = Path.of(args[2]);
        Files.createDirectories(out.toAbsolutePath().getParent());
        ImageIO.write(img[0], "png", out.toFile());
        System.out.println("wrote " + out);
        FxShots.fx(() -> d[0].close());
        System.exit(0);
    }
}
