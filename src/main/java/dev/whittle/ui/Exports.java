package dev.whittle.ui;

import dev.whittle.core.io.AtomicWrite;
import java.io.File;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.image.WritableImage;
import javafx.stage.FileChooser;
import javax.imageio.ImageIO;

/** Export PNG / Export CSV for the analysis tabs' charts and tables (written atomically). */
final class Exports {
    private Exports() {
    }

    /** Writes a snapshot of {@code node} as a PNG. */
    static void png(Node node, Path file) {
        WritableImage image = node.snapshot(null, null);
        AtomicWrite.write(file, out -> ImageIO.write(SwingFXUtils.fromFXImage(image, null), "png", out));
    }

    static void csv(String text, Path file) {
        AtomicWrite.text(file, text);
    }

    /** "Export PNG..." and "Export CSV..." buttons; {@code csv} gives null when there is nothing to export. */
    static Button[] buttons(String name, Node chart, Supplier<String> csv, Consumer<String> status, Consumer<ErrorReport> errors) {
        Button png = new Button("Export PNG...");
        png.setOnAction(e -> choose(chart, name + ".png", "PNG image", "*.png").ifPresent(f -> {
            try {
                png(chart, f);
                status.accept("Wrote " + f + ".");
            } catch (RuntimeException ex) {
                errors.accept(ErrorReport.of("Cannot export the PNG", ex));
            }
        }));
        Button c = new Button("Export CSV...");
        c.setOnAction(e -> {
            String text = csv.get();
            if (text == null) {
                status.accept("Nothing to export yet.");
                return;
            }
            choose(chart, name + ".csv", "CSV table", "*.csv").ifPresent(f -> {
                try {
                    csv(text, f);
                    status.accept("Wrote " + f + ".");
                } catch (RuntimeException ex) {
                    errors.accept(ErrorReport.of("Cannot export the CSV", ex));
                }
            });
        });
        Tips.install(png, "Save the chart as a PNG image.");
        Tips.install(c, "Save the numbers as a CSV table.");
        return new Button[] {png, c};
    }

    private static java.util.Optional<Path> choose(Node owner, String name, String what, String pattern) {
        FileChooser chooser = new FileChooser();
        chooser.setInitialFileName(name);
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter(what, pattern));
        File f = chooser.showSaveDialog(owner.getScene() == null ? null : owner.getScene().getWindow());
        return java.util.Optional.ofNullable(f).map(File::toPath);
    }
}
