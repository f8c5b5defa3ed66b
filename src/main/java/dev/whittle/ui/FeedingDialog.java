package dev.whittle.ui;

import dev.whittle.core.compare.DataChoice;
import java.io.File;
import java.nio.file.Path;
import java.util.Optional;
import javafx.event.ActionEvent;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import javafx.stage.Window;

/**
 * Data > How Inputs Are Fed: for array data, each input's sample axis (found from the model's
 * dims, or set: a number, or none to pass the array whole to every run) and, for models with
 * state inputs, a stream: samples run in order as chunks of a recording, an output carried into
 * an input on the next chunk. Every change is checked by loading the data as evaluation will,
 * and the grid says how each input is then fed. Save writes a dataset spec (the CLI's --data
 * reads it too) and makes it the window's data.
 */
final class FeedingDialog {
    static final ButtonType SAVE = new ButtonType("Save as Spec and Use...", ButtonBar.ButtonData.OK_DONE);
    private static final String NONE = "(none)";

    private FeedingDialog() {
    }

    /** The dialog for {@code draft}; its result is the saved data choice, or null when cancelled. */
    static Dialog<DataChoice> create(Window owner, FeedingDraft draft, Path suggested) {
        Dialog<DataChoice> d = new Dialog<>();
        if (owner != null) {
            d.initOwner(owner);
        }
        d.setTitle("How inputs are fed");
        d.setHeaderText("How the data feeds the model");
        d.getDialogPane().setId("feedingDialog");
        d.getDialogPane().getButtonTypes().addAll(SAVE, ButtonType.CANCEL);
        Label intro = new Label("Evaluation runs the model on batches of samples, cut from each input array along its"
                + " sample axis. Whittle finds that axis from the dimension the model's inputs share (its batch); an input"
                + " without it (a scalar sample rate, a fixed-size state) is passed whole to every run. Set an axis where"
                + " the model's dims do not tell. A model that carries state from one call to the next (voice activity,"
                + " wake words) is run as a stream: samples in order, as chunks of one recording, each chosen output fed"
                + " back into its input on the next chunk, and fidelity compares the two models' outputs along the"
                + " recording.");
        intro.setWrapText(true);
        intro.setMaxWidth(720);
        GridPane grid = new GridPane();
        grid.setId("feedingGrid");
        grid.setHgap(10);
        grid.setVgap(6);
        String[] headers = {"Input", "Model shape", "Data shape", "Sample axis", "Fed as", "Carried from output"};
        for (int c = 0; c < headers.length; c++) {
            Label h = new Label(headers[c]);
            h.getStyleClass().add("subsection-title");
            grid.add(h, c, 0);
        }
        Label notes = new Label();
        notes.setId("feedingNotes");
        notes.setWrapText(true);
        notes.setMaxWidth(720);
        TextField reset = new TextField(draft.reset() == null ? "" : Long.toString(draft.reset()));
        reset.setId("feedingReset");
        reset.setPromptText("one recording");
        reset.setPrefColumnCount(8);
        reset.setTooltip(Tips.of("Chunks per recording: the carried state starts again from zeros every N chunks."
                + " Empty: all samples are one recording."));
        TextField threshold = new TextField(Double.toString(draft.threshold()));
        threshold.setId("feedingThreshold");
        threshold.setPrefColumnCount(5);
        threshold.setTooltip(Tips.of("Decision threshold of a streamed model's first output: agreement and accuracy"
                + " count a chunk as positive when its output is above it."));
        HBox streamRow = new HBox(8, new Label("Chunks per recording"), reset, new Label("Decision threshold"), threshold);
        streamRow.setId("feedingStreamRow");
        boolean[] ok = {false};
        Runnable[] refresh = new Runnable[1];
        refresh[0] = () -> {
            grid.getChildren().removeIf(n -> GridPane.getRowIndex(n) != null && GridPane.getRowIndex(n) > 0);
            FeedingDraft.Check check = null;
            String problem = null;
            try {
                draft.setReset(reset.getText().isBlank() ? null : Long.parseLong(reset.getText().trim()));
                draft.setThreshold(Double.parseDouble(threshold.getText().trim()));
                check = draft.check();
            } catch (NumberFormatException e) {
                problem = "Chunks per recording must be a whole number and the threshold a number.";
            } catch (RuntimeException e) {
                problem = ErrorReport.of("", e).message();
            }
            ok[0] = problem == null;
            streamRow.setDisable(!draft.streaming());
            int r = 1;
            for (String input : draft.inputNames()) {
                FeedingDraft.Row row = check == null ? null : check.rows().stream().filter(x -> x.input().equals(input))
                        .findFirst().orElse(null);
                grid.add(new Label(input), 0, r);
                grid.add(muted(row == null ? "" : row.declared()), 1, r);
                grid.add(muted(row == null ? "" : row.data()), 2, r);
                ComboBox<String> axis = new ComboBox<>();
                axis.setId("feedingAxis-" + input);
                int rank = row == null || row.data().startsWith("(") ? 4 : row.data().split(",").length;
                axis.getItems().setAll(draft.axisChoices(rank));
                axis.setValue(draft.axis(input));
                axis.setTooltip(Tips.of("auto: from the model's dims; a number: the array's sample axis; none: the whole"
                        + " array goes to every run."));
                axis.setDisable(draft.carried(input) != null); // a carried input comes from the model, not the data
                axis.setOnAction(e -> {
                    draft.setAxis(input, axis.getValue());
                    refresh[0].run();
                });
                grid.add(axis, 3, r);
                grid.add(new Label(row == null ? "" : row.usedText()), 4, r);
                ComboBox<String> carried = new ComboBox<>();
                carried.setId("feedingCarry-" + input);
                carried.getItems().add(NONE);
                carried.getItems().addAll(draft.outputNames());
                carried.setValue(draft.carried(input) == null ? NONE : draft.carried(input));
                carried.setTooltip(Tips.of("Stream: this input takes the chosen output of the previous chunk (zeros at the"
                        + " start of each recording). (none): the input comes from the data."));
                carried.setOnAction(e -> {
                    draft.setCarried(input, NONE.equals(carried.getValue()) ? null : carried.getValue());
                    refresh[0].run();
                });
                grid.add(carried, 5, r);
                r++;
            }
            if (problem != null) {
                notes.setText(problem);
                notes.getStyleClass().setAll("label", "warning");
            } else {
                notes.setText(String.format("%,d samples%s.", check.samples(), draft.streaming() ? ", run in order as a stream" : "")
                        + (check.notes().isEmpty() ? "" : "\n" + String.join("\n", check.notes())));
                notes.getStyleClass().setAll("label", "muted");
            }
        };
        reset.setOnAction(e -> refresh[0].run());
        threshold.setOnAction(e -> refresh[0].run());
        reset.focusedProperty().addListener((o, a, f) -> {
            if (!f) {
                refresh[0].run();
            }
        });
        threshold.focusedProperty().addListener((o, a, f) -> {
            if (!f) {
                refresh[0].run();
            }
        });
        refresh[0].run();
        VBox box = new VBox(10, intro, grid, streamRow, notes);
        box.setPadding(new Insets(6));
        d.getDialogPane().setContent(box);
        Node save = d.getDialogPane().lookupButton(SAVE);
        DataChoice[] saved = {null};
        save.addEventFilter(ActionEvent.ACTION, e -> {
            refresh[0].run();
            if (!ok[0]) {
                e.consume(); // the problem is shown; the dialog stays open
                return;
            }
            FileChooser c = new FileChooser();
            c.setTitle("Save the dataset spec");
            c.getExtensionFilters().add(new FileChooser.ExtensionFilter("Dataset spec (.yaml)", "*.yaml", "*.yml"));
            if (suggested != null) {
                c.setInitialDirectory(suggested.getParent().toFile());
                c.setInitialFileName(String.valueOf(suggested.getFileName()));
            }
            File f = c.showSaveDialog(d.getDialogPane().getScene().getWindow());
            if (f == null) {
                e.consume();
                return;
            }
            try {
                saved[0] = draft.save(f.toPath());
            } catch (RuntimeException ex) {
                notes.setText(ErrorReport.of("", ex).message());
                notes.getStyleClass().setAll("label", "warning");
                e.consume();
            }
        });
        d.setResultConverter(b -> b == SAVE ? saved[0] : null);
        return d;
    }

    /** Shows the dialog and returns the saved choice. */
    static Optional<DataChoice> show(Window owner, FeedingDraft draft, Path suggested) {
        return create(owner, draft, suggested).showAndWait();
    }

    private static Label muted(String text) {
        Label l = new Label(text);
        l.getStyleClass().add("muted");
        return l;
    }
}
