package dev.whittle.ui;

import dev.whittle.core.compare.PlanRun;
import dev.whittle.core.compare.TradeOffs;
import java.util.List;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.util.Callback;

/**
 * The Trade-offs tab: the runs on a chart of cost (size, latency at batch 1 or N) against
 * quality (accuracy, cosine, agreement, output SQNR) with the Pareto front; hovering a point
 * tells its plan, clicking it restores that plan (undoable). Exports as PNG and CSV.
 */
public final class TradeOffView extends BorderPane {
    private final EvaluateViewModel vm;
    private final TradeOffChart chart = new TradeOffChart();
    private final ComboBox<TradeOffs.Cost> cost = new ComboBox<>();
    private final ComboBox<TradeOffs.Quality> quality = new ComboBox<>();
    private boolean qualityChosen;
    private final javafx.beans.property.StringProperty hint = new javafx.beans.property.SimpleStringProperty("");

    public TradeOffView(EvaluateViewModel vm) {
        this.vm = vm;
        setId("tradeOffView");
        chart.setId("tradeOffChart");
        cost.getItems().setAll(TradeOffs.Cost.values());
        cost.setValue(TradeOffs.Cost.SIZE);
        cost.setId("tradeOffCost");
        quality.getItems().setAll(TradeOffs.Quality.values());
        quality.setValue(TradeOffs.Quality.ACCURACY);
        quality.setId("tradeOffQuality");
        Callback<javafx.scene.control.ListView<TradeOffs.Cost>, ListCell<TradeOffs.Cost>> costCells = l -> cell(TradeOffs.Cost::title);
        cost.setCellFactory(costCells);
        cost.setButtonCell(cell(TradeOffs.Cost::title));
        quality.setCellFactory(l -> cell(TradeOffs.Quality::title));
        quality.setButtonCell(cell(TradeOffs.Quality::title));
        cost.setOnAction(e -> update());
        quality.setOnAction(e -> {
            qualityChosen = true;
            update();
        });
        Button png = new Button("Export PNG...");
        png.setOnAction(e -> EvaluateTabs.savePng(this, vm, chart));
        Button csv = new Button("Export CSV...");
        csv.setOnAction(e -> EvaluateTabs.saveText(this, vm, "trade-offs.csv", ResultRows.csv(chart.runs())));
        HBox bar = new HBox(6, new Label("Across"), cost, new Label("Up"), quality, png, csv);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setPadding(new Insets(4, 6, 4, 6));
        setTop(bar);
        setCenter(chart);
        Label hover = new Label();
        hover.setId("tradeOffHover");
        hover.setMinWidth(0);
        hover.setMaxWidth(Double.MAX_VALUE);
        HBox.setHgrow(hover, Priority.ALWAYS);
        hover.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(() -> chart.hoverTextProperty().get().isEmpty()
                ? hint.get() : chart.hoverTextProperty().get(), chart.hoverTextProperty(), hint));
        hover.getStyleClass().add("muted");
        HBox foot = new HBox(hover);
        foot.setPadding(new Insets(2, 6, 4, 6));
        setBottom(foot);
        chart.setOnPick(vm::restore);
        vm.runs().addListener((ListChangeListener<PlanRun>) c -> update());
        vm.dataProperty().addListener((o, a, d) -> update());
        update();
    }

    private static <T> ListCell<T> cell(java.util.function.Function<T, String> text) {
        return new ListCell<>() {
            @Override
            protected void updateItem(T item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty || item == null ? null : text.apply(item));
            }
        };
    }

    private void update() {
        List<PlanRun> runs = List.copyOf(vm.runs());
        if (!qualityChosen) {
            TradeOffs.Quality q = TradeOffs.Quality.defaultFor(runs);
            if (quality.getValue() != q) {
                quality.setValue(q);
                qualityChosen = false;
            }
        }
        int batch = vm.dataProperty().get() == null ? 1 : vm.dataProperty().get().batch();
        chart.show(runs, cost.getValue(), quality.getValue(), batch);
        hint.set(chart.runs().isEmpty() ? (runs.isEmpty() ? "Evaluate two or more plans to see their trade-offs here."
                : "No run has both of these figures; choose other axes.")
                : "Point at a run to see its plan; click it to restore that plan (Ctrl+Z goes back).");
    }

    public TradeOffChart chart() {
        return chart;
    }
}
