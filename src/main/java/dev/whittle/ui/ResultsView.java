package dev.whittle.ui;

import dev.whittle.core.compare.DataChoice;
import dev.whittle.core.compare.PlanRun;
import dev.whittle.core.eval.LatencyStats;
import java.util.List;
import java.util.function.Function;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.Spinner;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextInputDialog;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

/**
 * The Results tab: what to evaluate on, one row per evaluated plan with its change against the
 * original, and two selected rows compared layer by layer. Restore puts a row's plan back (Ctrl+Z
 * undoes it); the table exports as CSV.
 */
public final class ResultsView extends BorderPane {
    private final EvaluateViewModel vm;
    private final TableView<PlanRun> table = new TableView<>();
    private final TableView<ResultRows.LayerPair> layers = new TableView<>();
    private final Label compareTitle = new Label("Select two runs (Ctrl+click) to compare their layers side by side.");
    private final Spinner<Integer> batch = new Spinner<>(1, 4096, 32);
    private boolean updatingData;
    private final SplitPane split = new SplitPane();
    private VBox compare;

    public ResultsView(EvaluateViewModel vm) {
        this.vm = vm;
        setId("resultsView");
        setTop(dataBar());
        table.setId("resultsTable");
        table.setItems(vm.runs());
        table.getSelectionModel().setSelectionMode(SelectionMode.MULTIPLE);
        table.setPlaceholder(new Label("No runs yet: press Evaluate (Ctrl+E) to measure the current plan."));
        table.getColumns().setAll(List.of(
                col("Run", 190, r -> r.name() + (r.subset() ? " (quick)" : ""), "The plan's name; double-click a row to restore its plan."),
                col("Accuracy (\u0394 pts)", 130, r -> ResultRows.accuracy(r, vm.original()),
                        "Top-1 accuracy on the labelled data; in brackets the change against the original, in percentage points."),
                col("Agreement", 92, ResultRows::agreement, "Share of samples whose top-1 class is the original's (classifiers)."),
                col("Cosine", 80, ResultRows::cosine, "Mean cosine similarity of the outputs (pooled for embeddings) with the original's."),
                col("Output SQNR", 100, ResultRows::sqnr, "10 log10(signal / noise) of the raw outputs against the original's."),
                col("p50 batch 1", 120, r -> ResultRows.latency(r.latency1(), orig(PlanRun::latency1)),
                        "Median time of one run on one sample; in brackets the ratio to the original."),
                col("p50 batch N", 120, r -> ResultRows.latency(r.latencyN(), orig(PlanRun::latencyN))
                        + (r.latencyN() != null && vm.dataProperty().get() != null
                        && r.latencyN().batch() != vm.dataProperty().get().batch() ? " at " + r.latencyN().batch() : ""),
                        "Median time of one run on N samples (the batch chosen above); in brackets the ratio to the original."),
                col("Size (\u0394)", 125, r -> ResultRows.size(r, vm.original()), "Size of the model file; in brackets the change against the original."),
                col("Params", 70, ResultRows::params, "Elements of the constant tensors (quantization scales and zero points not counted)."),
                col("Data", 200, r -> r.eval().samples() + " of " + r.eval().data(), "What the run was measured on."),
                col("Runtime", 90, ResultRows::runtime, "ONNX Runtime's execution provider and intra-op threads;"
                        + " the CSV adds the ONNX Runtime version and the CPU.")));
        table.setRowFactory(t -> {
            var row = new javafx.scene.control.TableRow<PlanRun>();
            row.setOnMouseClicked(e -> {
                if (e.getClickCount() == 2 && row.getItem() != null) {
                    vm.restore(row.getItem());
                }
            });
            return row;
        });
        table.getSelectionModel().getSelectedItems().addListener((ListChangeListener<PlanRun>) c -> updateCompare());
        vm.runs().addListener((ListChangeListener<PlanRun>) c -> {
            showUsedColumns();
            table.refresh();
        });
        showUsedColumns();

        layers.setId("compareTable");
        layers.setPlaceholder(new Label(""));
        layers.getColumns().setAll(List.of(pairCol("Layer", ResultRows.LayerPair::node, 220),
                pairCol("A: settings", ResultRows.LayerPair::settingsA, 110), pairCol("A: weight error", ResultRows.LayerPair::errorA, 115),
                pairCol("B: settings", ResultRows.LayerPair::settingsB, 110), pairCol("B: weight error", ResultRows.LayerPair::errorB, 115)));
        // Layer paths differ at their end ("/encoder/layer.0/attention/self/query/MatMul"): cut at the start.
        layers.getColumns().get(0).setStyle("-fx-text-overrun: leading-ellipsis;");
        compareTitle.getStyleClass().add("muted");
        compareTitle.setWrapText(true);
        VBox compare = new VBox(4, compareTitle, layers);
        VBox.setVgrow(layers, Priority.ALWAYS);
        compare.setPadding(new Insets(4, 0, 0, 6));
        this.compare = compare;
        split.setOrientation(Orientation.HORIZONTAL);
        split.getItems().setAll(table);
        setCenter(split);
        // The batch N header names the batch.
        Label nHeader = (Label) table.getColumns().get(6).getGraphic();
        nHeader.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(() -> vm.dataProperty().get() == null
                ? "p50 batch N" : "p50 batch " + vm.dataProperty().get().batch(), vm.dataProperty()));
        setBottom(actions());
    }

    /** Accuracy and agreement only when some run has them (an embedding model has neither). */
    private void showUsedColumns() {
        boolean any = vm.runs().isEmpty();
        table.getColumns().get(1).setVisible(any || vm.runs().stream().anyMatch(r -> r.eval().accuracy() != null));
        table.getColumns().get(2).setVisible(any || vm.runs().stream().anyMatch(r -> r.eval().agreement() != null));
    }

    private LatencyStats orig(Function<PlanRun, LatencyStats> f) {
        PlanRun o = vm.original();
        return o == null ? null : f.apply(o);
    }

    private HBox dataBar() {
        DataChooser chooser = new DataChooser(vm.main().data(), "dataKind");
        chooser.label().setId("dataLabel");
        HBox.setHgrow(chooser, Priority.ALWAYS);
        batch.setEditable(true);
        batch.setPrefWidth(80);
        batch.setTooltip(Tips.of("Batch N: samples per run of the evaluation and of the second latency figure."));
        batch.valueProperty().addListener((o, a, b) -> {
            DataChoice d = vm.dataProperty().get();
            if (!updatingData && d != null && b != null && b != d.batch()) {
                vm.dataProperty().set(d.withBatch(b));
            }
        });
        CheckBox auto = new CheckBox("Auto-evaluate on");
        auto.setId("autoEvaluate");
        auto.selectedProperty().bindBidirectional(vm.autoEvaluateProperty());
        auto.setTooltip(Tips.of("Re-evaluate a seeded random subset 0.8 s after each change to the plan (newest change only)."
                + " Evaluate still measures all of the data and adds a row."));
        Spinner<Integer> samples = new Spinner<>(16, 100_000, vm.autoSamplesProperty().get(), 64);
        samples.setEditable(true);
        samples.setPrefWidth(90);
        samples.valueProperty().addListener((o, a, b) -> vm.autoSamplesProperty().set(b));
        HBox bar = new HBox(6, chooser, new Label("Batch N"), batch, auto, samples, new Label("samples"));
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setPadding(new Insets(4, 6, 4, 6));
        vm.dataProperty().addListener((o, a, d) -> showBatch(d));
        showBatch(vm.dataProperty().get());
        return bar;
    }

    private void showBatch(DataChoice d) {
        if (d == null) {
            return;
        }
        updatingData = true;
        try {
            batch.getValueFactory().setValue(d.batch());
        } finally {
            updatingData = false;
        }
    }

    private HBox actions() {
        Button restore = new Button("Restore plan");
        restore.setId("restoreRunButton");
        restore.setTooltip(Tips.of("Make the selected run's plan the current plan (Ctrl+Z goes back)."));
        restore.setOnAction(e -> vm.restore(table.getSelectionModel().getSelectedItem()));
        restore.disableProperty().bind(table.getSelectionModel().selectedItemProperty().isNull());
        Button rename = new Button("Rename...");
        rename.setOnAction(e -> {
            PlanRun r = table.getSelectionModel().getSelectedItem();
            if (r != null) {
                TextInputDialog d = new TextInputDialog(r.name());
                d.setTitle("Rename run");
                d.setHeaderText("A name for this run");
                d.showAndWait().ifPresent(n -> vm.rename(r, n));
            }
        });
        rename.disableProperty().bind(restore.disableProperty());
        Button delete = new Button("Delete");
        delete.setOnAction(e -> List.copyOf(table.getSelectionModel().getSelectedItems()).forEach(vm::remove));
        delete.disableProperty().bind(restore.disableProperty());
        Button csv = new Button("Export CSV...");
        csv.setOnAction(e -> EvaluateTabs.saveText(this, vm, "results.csv", ResultRows.csv(vm.runs())));
        Label notes = new Label();
        notes.setId("evaluationNotes");
        notes.getStyleClass().add("muted");
        notes.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(() -> vm.quickTextProperty().get().isEmpty()
                ? vm.notesProperty().get().replace("\n", "  \u00b7  ") : vm.quickTextProperty().get(), vm.notesProperty(), vm.quickTextProperty()));
        notes.setMinWidth(0);
        notes.setMaxWidth(Double.MAX_VALUE);
        HBox.setHgrow(notes, Priority.ALWAYS);
        notes.tooltipProperty().bind(javafx.beans.binding.Bindings.createObjectBinding(() -> Tips.of(vm.notesProperty().get()),
                vm.notesProperty()));
        for (Button b : List.of(restore, rename, delete, csv)) {
            b.setMinWidth(Region.USE_PREF_SIZE);
        }
        Label hint = new Label("Ctrl+click two runs to compare their layers.");
        hint.getStyleClass().add("muted");
        hint.setMinWidth(Region.USE_PREF_SIZE);
        hint.visibleProperty().bind(javafx.beans.binding.Bindings.size(vm.runs()).greaterThan(1));
        hint.managedProperty().bind(hint.visibleProperty());
        HBox bar = new HBox(8, restore, rename, delete, csv, hint, new javafx.scene.control.Separator(Orientation.VERTICAL), notes);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setPadding(new Insets(4, 6, 4, 6));
        return bar;
    }

    private void updateCompare() {
        List<PlanRun> sel = table.getSelectionModel().getSelectedItems();
        if (sel.size() == 2 && sel.get(0) != null && sel.get(1) != null) {
            PlanRun a = sel.get(0);
            PlanRun b = sel.get(1);
            compareTitle.setText("A: " + a.name() + "    B: " + b.name());
            layers.getItems().setAll(ResultRows.compare(a, b));
            layers.setPlaceholder(new Label("Neither run changes a layer."));
            if (split.getItems().size() == 1) {
                split.getItems().add(compare);
                split.setDividerPositions(0.55);
            }
        } else {
            compareTitle.setText("Select two runs (Ctrl+click) to compare their layers side by side.");
            layers.getItems().clear();
            layers.setPlaceholder(new Label(""));
            split.getItems().remove(compare);
        }
    }

    private static TableColumn<PlanRun, String> col(String title, double width, Function<PlanRun, String> text, String tip) {
        TableColumn<PlanRun, String> c = new TableColumn<>();
        Label header = new Label(title);
        header.setTooltip(Tips.of(tip));
        c.setGraphic(header);
        c.setPrefWidth(width);
        c.setCellValueFactory(d -> new ReadOnlyStringWrapper(text.apply(d.getValue())));
        return c;
    }

    private static TableColumn<ResultRows.LayerPair, String> pairCol(String title, Function<ResultRows.LayerPair, String> text,
                                                                    double width) {
        TableColumn<ResultRows.LayerPair, String> c = new TableColumn<>(title);
        c.setPrefWidth(width);
        c.setCellFactory(col -> new javafx.scene.control.TableCell<>() {
            @Override
            protected void updateItem(String item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty ? null : item);
                setTooltip(empty || item == null || item.isEmpty() ? null : Tips.of(item));
            }
        });
        c.setCellValueFactory(d -> new ReadOnlyStringWrapper(text.apply(d.getValue())));
        return c;
    }

    public TableView<PlanRun> table() {
        return table;
    }

    public TableView<ResultRows.LayerPair> compareTable() {
        return layers;
    }
}
