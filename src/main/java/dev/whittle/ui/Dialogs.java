package dev.whittle.ui;

import dev.whittle.core.WhittleVersion;
import javafx.scene.control.Alert;
import javafx.scene.control.Label;
import javafx.scene.control.TextArea;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

/** The workbench's message dialogs. They are shown without blocking, so tests can inspect them. */
final class Dialogs {
    private Dialogs() {
    }

    /** One sentence, with the stack trace behind "Show Details". */
    static Alert error(Window owner, ErrorReport report) {
        Alert alert = new Alert(Alert.AlertType.ERROR);
        alert.initOwner(owner);
        alert.setTitle("Whittle");
        alert.setHeaderText(report.title());
        alert.setContentText(report.message());
        alert.getDialogPane().setId("errorDialog");
        TextArea trace = new TextArea(report.details());
        trace.setEditable(false);
        trace.setWrapText(false);
        trace.getStyleClass().add("stack-trace");
        trace.setPrefRowCount(14);
        VBox.setVgrow(trace, Priority.ALWAYS);
        alert.getDialogPane().setExpandableContent(new VBox(6, new Label("Details (include them when reporting a bug):"), trace));
        Styles.apply(alert.getDialogPane());
        alert.show();
        return alert;
    }

    /** Help > Shortcuts: every shortcut the menus define, with what it does. */
    static Alert shortcuts(Window owner, java.util.Map<String, String> shortcuts) {
        Alert alert = new Alert(Alert.AlertType.INFORMATION);
        alert.initOwner(owner);
        alert.setTitle("Keyboard shortcuts");
        alert.setHeaderText("Keyboard shortcuts");
        javafx.scene.layout.GridPane grid = new javafx.scene.layout.GridPane();
        grid.setHgap(18);
        grid.setVgap(4);
        int row = 0;
        for (var e : shortcuts.entrySet()) {
            Label key = new Label(e.getKey());
            key.setStyle("-fx-font-weight: bold");
            grid.addRow(row++, key, new Label(e.getValue()));
        }
        alert.getDialogPane().setContent(grid);
        alert.getDialogPane().setId("shortcutsDialog");
        Styles.apply(alert.getDialogPane());
        alert.show();
        return alert;
    }

    static Alert about(Window owner) {
        Alert alert = new Alert(Alert.AlertType.INFORMATION);
        alert.initOwner(owner);
        alert.setTitle("About Whittle");
        alert.setHeaderText("Whittle " + WhittleVersion.get());
        alert.setContentText("A workbench for compressing ONNX neural networks: inspect a model's weight layers,"
                + " then prune, quantize or factorize them and measure the effect with ONNX Runtime.\n\n"
                + "Java " + System.getProperty("java.version") + ", JavaFX " + System.getProperty("javafx.version", "?")
                + ".\nLicensed under the Apache License 2.0.");
        Styles.apply(alert.getDialogPane());
        alert.show();
        return alert;
    }
}
