package dev.whittle.ui;

import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

/**
 * Edit > Plan Defaults (Ctrl+D): the plan's rules as a grid of rows, one per rule (which layers:
 * op types and name regexes, empty for all; what: prune, rank, bits, granularity, range), with
 * the number of layers each selects, live. OK writes them all as one undo step.
 */
final class DefaultsDialog {
    private static final String[] HEADERS = {"#", "Ops", "Names (regex)", "Prune", "Rank", "Bits", "Granularity", "Range",
        "Activations", "Smooth", "Layers", ""};
    private static final String[] TIPS = {"", "Op types the rule selects, comma separated (MatMul, Gemm, Conv, Gather); empty: every kind.",
        "Layer name regexes (full match), comma separated; empty: every name.",
        "50% or 0.5 (unstructured sparsity), t0.01 (threshold), 2:4 (N:M), ch 30% (channels); empty: none.",
        "64 (rank), E 90% (energy kept), P 50% (parameters kept); empty: no low rank.",
        "int8, int4, add asym for an asymmetric range; empty: no weight quantization.",
        "tensor, channel, block32 (16 to 256).", "minmax, mse, p99.9 (percentile) or lo..hi.",
        "Static int8 activations (W8A8), calibrated on the plan's calibration data: minmax, entropy, mse or p99.99;"
            + " add graph (\"minmax graph\") to keep the tensors between layers in int8 too, or speed to also leave out"
            + " the conversions no int8 kernel uses on this CPU, or measured (measured:32 for batch 32) to also keep in float"
            + " the layers whose int8 kernel is timed slower than float here. Empty: weights only.",
        "SmoothQuant's alpha (0 to 1, 0.5 usual) with activations: moves activation outliers into the weights before"
            + " calibrating. Empty: none.",
        "Weight layers of the open model the rule selects now.", ""};

    private DefaultsDialog() {
    }

    static Dialog<ButtonType> show(Window owner, PlanViewModel plan) {
        DefaultsViewModel vm = new DefaultsViewModel(plan);
        Dialog<ButtonType> d = new Dialog<>();
        d.initOwner(owner);
        d.setTitle("Plan defaults");
        d.setHeaderText("Defaults for all layers or a selection, applied in order (a later rule wins;"
                + " settings tuned on a layer win over all of them).");
        d.getDialogPane().setId("defaultsDialog");
        d.getDialogPane().getButtonTypes().addAll(ButtonType.OK, ButtonType.CANCEL);
        GridPane grid = new GridPane();
        grid.setId("defaultsGrid");
        grid.setHgap(6);
        grid.setVgap(4);
        ReadOnlyStringWrapper problem = new ReadOnlyStringWrapper("");
        Runnable check = () -> {
            String p = vm.problem();
            problem.set(p == null ? "" : p);
        };
        Runnable[] rebuild = new Runnable[1];
        rebuild[0] = () -> {
            grid.getChildren().clear();
            for (int c = 0; c < HEADERS.length; c++) {
                Label h = new Label(HEADERS[c]);
                h.getStyleClass().add("subsection-title");
                if (!TIPS[c].isEmpty()) {
                    h.setTooltip(Tips.of(TIPS[c]));
                }
                grid.add(h, c, 0);
            }
            int r = 1;
            for (DefaultsViewModel.Row row : vm.rows()) {
                Label count = new Label();
                Runnable recount = () -> {
                    int n = vm.matches(row);
                    count.setText(n < 0 ? "invalid" : Integer.toString(n));
                    check.run();
                };
                TextField[] fields = {field(row.ops, 110, recount), field(row.names, 150, recount), field(row.prune, 70, check),
                    field(row.rank, 60, check), field(row.bits, 80, check), field(row.granularity, 90, check),
                    field(row.range, 90, check), field(row.activations, 110, check), field(row.smooth, 55, check)};
                recount.run();
                Button up = new Button("Up");
                up.setDisable(r == 1);
                up.setOnAction(e -> {
                    vm.moveUp(row);
                    rebuild[0].run();
                });
                Button remove = new Button("Remove");
                remove.setOnAction(e -> {
                    vm.remove(row);
                    rebuild[0].run();
                });
                grid.add(new Label(Integer.toString(r)), 0, r);
                for (int c = 0; c < fields.length; c++) {
                    fields[c].setId("rule" + r + "_" + HEADERS[c + 1].replaceAll("[^A-Za-z]", "").toLowerCase(java.util.Locale.ROOT));
                    if (!TIPS[c + 1].isEmpty()) {
                        fields[c].setTooltip(Tips.of(TIPS[c + 1]));
                    }
                    grid.add(fields[c], c + 1, r);
                }
                grid.add(count, 10, r);
                HBox buttons = new HBox(4, up, remove);
                grid.add(buttons, 11, r);
                if (!row.kept().isEmpty()) {
                    Label kept = new Label("also keeps: " + row.kept());
                    kept.getStyleClass().add("muted");
                    grid.add(kept, 1, ++r, 10, 1);
                }
                r++;
            }
            if (vm.rows().isEmpty()) {
                Label none = new Label("No defaults yet: every layer is left as it is unless tuned. Add a rule.");
                none.getStyleClass().add("muted");
                grid.add(none, 0, 1, HEADERS.length, 1);
            }
            check.run();
        };
        rebuild[0].run();
        Button add = new Button("Add Rule");
        add.setId("addRule");
        add.setOnAction(e -> {
            vm.add();
            rebuild[0].run();
        });
        Label error = new Label();
        error.setId("defaultsProblem");
        error.getStyleClass().add("error-text");
        error.setStyle("-fx-text-fill: #b3261e");
        error.setWrapText(true);
        error.textProperty().bind(problem);
        ScrollPane scroll = new ScrollPane(grid);
        scroll.setFitToWidth(true);
        scroll.setPrefViewportHeight(220);
        VBox content = new VBox(8, scroll, new HBox(8, add), error);
        content.setPadding(new Insets(4));
        content.setPrefWidth(1160);
        d.getDialogPane().setContent(content);
        Node ok = d.getDialogPane().lookupButton(ButtonType.OK);
        ok.disableProperty().bind(Bindings.createBooleanBinding(() -> !problem.get().isEmpty(), problem));
        d.setResultConverter(b -> {
            if (b == ButtonType.OK) {
                vm.apply();
            }
            return b;
        });
        Styles.apply(d.getDialogPane());
        d.show();
        return d;
    }

    private static TextField field(javafx.beans.property.StringProperty p, double width, Runnable changed) {
        TextField f = new TextField();
        f.textProperty().bindBidirectional(p);
        f.setPrefWidth(width);
        f.textProperty().addListener((o, a, b) -> changed.run());
        return f;
    }
}
