package dev.whittle.ui;

import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Spinner;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;

/** The Per-layer latency tab: batch and runs, Profile, the summary lines, and the bars. */
final class LatencyView extends BorderPane {
    private final LatencyBarsView bars = new LatencyBarsView();

    LatencyView(LatencyViewModel vm, MainViewModel main) {
        Spinner<Integer> batch = new Spinner<>(1, 1024, vm.batchProperty().get());
        batch.setEditable(true);
        batch.setPrefWidth(80);
        batch.valueProperty().addListener((o, a, v) -> vm.batchProperty().set(v));
        Tips.install(batch, "Samples per run.");
        Spinner<Integer> runs = new Spinner<>(1, 10_000, vm.runsProperty().get(), 10);
        runs.setEditable(true);
        runs.setPrefWidth(90);
        runs.valueProperty().addListener((o, a, v) -> vm.runsProperty().set(v));
        Tips.install(runs, "Profiled runs, averaged (a quarter as many unprofiled warm-up runs come first).");
        Button profile = new Button("Profile original and plan");
        profile.setId("runProfile");
        profile.setOnAction(e -> vm.run());
        profile.disableProperty().bind(vm.runningProperty().or(main.graphProperty().isNull()));
        Tips.install(profile, "Runs ONNX Runtime's profiler on the original model and on the current plan applied in"
                + " memory, in the background (Esc cancels).");
        Label info = new Label();
        info.setId("latencyInfo");
        info.textProperty().bind(vm.infoProperty());
        info.getStyleClass().add("muted");
        DataChooser data = new DataChooser(main.data(), "latencyData");
        data.label().setMaxWidth(260);
        HBox.setHgrow(data, Priority.SOMETIMES);
        HBox form = new HBox(6, data, new Label("Batch"), batch, new Label("Runs"), runs, profile);
        form.setAlignment(Pos.CENTER_LEFT);
        form.setPadding(new Insets(4, 6, 2, 6));
        javafx.scene.layout.VBox top = new javafx.scene.layout.VBox(0, form, info);
        javafx.scene.layout.VBox.setMargin(info, new Insets(0, 6, 2, 6));
        setTop(top);
        bars.setId("latencyBars");
        ScrollPane scroll = new ScrollPane(bars);
        scroll.setFitToWidth(true);
        LatencySummary summary = new LatencySummary();
        ScrollPane side = new ScrollPane(summary);
        side.setFitToWidth(true);
        side.setMinWidth(260);
        javafx.scene.control.SplitPane split = new javafx.scene.control.SplitPane(scroll, side);
        split.setDividerPositions(0.7);
        javafx.scene.control.SplitPane.setResizableWithParent(side, false);
        setCenter(split);
        Label hover = new Label();
        hover.textProperty().bind(bars.hoverTextProperty());
        Region grow = new Region();
        HBox.setHgrow(grow, Priority.ALWAYS);
        Button[] export = Exports.buttons("per-layer-latency", bars, () -> vm.resultProperty().get() == null ? null
                : LatencyViewModel.csv(vm.resultProperty().get(), main.graphProperty().get().weightLayers()),
                main::setStatus, main.plan()::report);
        HBox bottom = new HBox(8, hover, grow, export[0], export[1]);
        bottom.setAlignment(Pos.CENTER_LEFT);
        bottom.setPadding(new Insets(2, 6, 2, 6));
        setBottom(bottom);
        vm.resultProperty().addListener((o, a, c) -> {
            bars.setResult(c, main.graphProperty().get() == null ? java.util.List.of() : main.graphProperty().get().weightLayers());
            summary.show(c);
        });
    }

    LatencyBarsView bars() {
        return bars;
    }
}
