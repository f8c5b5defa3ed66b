package dev.whittle.ui;

import dev.whittle.core.analysis.SensitivityTable;
import java.util.List;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Spinner;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TextField;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

/**
 * The Sensitivity tab: the form on top (method, levels, layers, data, samples, Run), then the
 * metric-against-level chart beside the layers x levels heat table, whose cells set the plan.
 */
final class SensitivityView extends BorderPane {
    private final SensitivityViewModel vm;
    private final SensitivityChart chart = new SensitivityChart();
    private final SensitivityHeatTable heat;
    private final Label heatTitle = new Label();
    private final MainViewModel main;

    SensitivityView(SensitivityViewModel vm, MainViewModel main) {
        this.vm = vm;
        this.main = main;
        getStyleClass().add("sensitivity-view");
        heat = new SensitivityHeatTable(vm::apply);
        ComboBox<String> method = new ComboBox<>();
        method.getItems().setAll("prune", "quantize", SensitivityViewModel.W8A8, "lowrank-params");
        method.valueProperty().bindBidirectional(vm.methodProperty());
        method.setId("sensitivityMethod");
        method.setPrefWidth(150); // "quantize W8A8" whole
        method.setMinWidth(Region.USE_PREF_SIZE);
        Tips.install(method, "prune: sparsity levels; quantize: weight bits (8, 4), activations float; quantize W8A8: weight"
                + " bits with the layer's input in 8 bits too, its range calibrated on the plan's calibration data (what"
                + " quantize --layers LAYER --activations C scores); lowrank-params: share of each layer's weight parameters"
                + " kept by an SVD factoring.");
        ComboBox<String> calibrator = new ComboBox<>();
        calibrator.getItems().setAll(SensitivityViewModel.CALIBRATORS);
        calibrator.setEditable(true);
        calibrator.setPrefWidth(140);
        calibrator.valueProperty().bindBidirectional(vm.calibratorProperty());
        calibrator.setId("sensitivityCalibrator");
        Tips.install(calibrator, "How each layer's input range is chosen from the calibration data: minmax (every value"
                + " fits; one outlier widens the steps for all), percentile:P (clips the rarest values), entropy (keeps the"
                + " histogram's information, as TensorRT), mse (least squared error of the 8-bit values).");
        Label calibratorLabel = new Label("Calibrator");
        for (javafx.scene.Node n : List.of(calibrator, calibratorLabel)) {
            n.visibleProperty().bind(vm.methodProperty().isEqualTo(SensitivityViewModel.W8A8));
            n.managedProperty().bind(n.visibleProperty());
        }
        TextField levels = new TextField();
        levels.textProperty().bindBidirectional(vm.levelsProperty());
        levels.setPrefColumnCount(10);
        levels.setId("sensitivityLevels");
        Tips.install(levels, "The levels to try on each layer, separated by commas.");
        TextField layers = new TextField();
        layers.textProperty().bindBidirectional(vm.layersProperty());
        layers.setPromptText("all layers");
        layers.setPrefColumnCount(8);
        Tips.install(layers, "A regular expression matching the node or weight names of the layers to sweep (empty: all).");
        DataChooser data = new DataChooser(main.data(), "sensitivityData");
        data.label().setMaxWidth(260);
        data.label().setPrefWidth(120);
        HBox.setHgrow(data, Priority.SOMETIMES);
        Spinner<Integer> samples = new Spinner<>(1, 100_000, vm.samplesProperty().get(), 100);
        samples.setEditable(true);
        samples.setPrefWidth(90);
        samples.valueProperty().addListener((o, a, v) -> vm.samplesProperty().set(v));
        vm.samplesProperty().addListener((o, a, v) -> samples.getValueFactory().setValue(v.intValue()));
        Tips.install(samples, "How many samples each cell is evaluated on (the first ones of the data).");
        Button run = new Button("Run");
        run.setId("runSensitivity");
        run.setDefaultButton(false);
        run.setOnAction(e -> vm.run());
        run.disableProperty().bind(vm.runningProperty().or(main.graphProperty().isNull()));
        Tips.install(run, "Compress each layer alone at each level and evaluate it, in the background (Esc cancels)."
                + " A sweep already run on this model and data shows from the cache at once.");
        HBox form = new HBox(6, new Label("Method"), method, calibratorLabel, calibrator, new Label("Levels"), levels,
                new Label("Layers"), layers, data, new Label("Samples"), samples, run);
        form.setAlignment(Pos.CENTER_LEFT);
        // Only the data's description shrinks when the tab is narrow.
        form.getChildren().stream().filter(n -> n instanceof Label || n instanceof Button)
                .forEach(n -> ((Region) n).setMinWidth(Region.USE_PREF_SIZE));
        form.setPadding(new Insets(4, 6, 4, 6));

        Label info = new Label();
        info.textProperty().bind(vm.infoProperty());
        info.getStyleClass().add("muted");
        Label hover = new Label();
        hover.textProperty().bind(chart.hoverTextProperty());
        Region grow = new Region();
        HBox.setHgrow(grow, Priority.ALWAYS);
        Button[] export = Exports.buttons("sensitivity", chart, vm::shownCsv, main::setStatus, main.plan()::report);
        HBox bottom = new HBox(8, hover, grow, export[0], export[1]);
        bottom.setAlignment(Pos.CENTER_LEFT);
        bottom.setPadding(new Insets(2, 6, 2, 6));

        ScrollPane heatScroll = new ScrollPane(heat);
        heatScroll.setFitToWidth(true);
        heatScroll.setId("sensitivityHeat");
        heatTitle.setText("Click a cell to set that level on that layer in the plan");
        heatTitle.getStyleClass().add("muted");
        heatTitle.setWrapText(true);
        heatTitle.setMinHeight(Region.USE_PREF_SIZE);
        heatTitle.setMaxWidth(Double.MAX_VALUE);
        VBox right = new VBox(2, heatTitle, heatScroll);
        right.setMinWidth(0);
        heatTitle.prefWidthProperty().bind(right.widthProperty().subtract(8));
        VBox.setVgrow(heatScroll, Priority.ALWAYS);
        chart.setId("sensitivityChart");
        SplitPane split = new SplitPane(chart, right);
        split.setOrientation(Orientation.HORIZONTAL);
        split.setDividerPositions(0.55);
        VBox top = new VBox(0, form, info);
        VBox.setMargin(info, new Insets(0, 6, 2, 6));
        setTop(top);
        setCenter(split);
        setBottom(bottom);
        vm.tableProperty().addListener((o, a, t) -> show(t));
        main.plan().resolvedProperty().addListener((o, a, r) -> show(vm.tableProperty().get()));
        show(vm.tableProperty().get());
    }

    private void show(SensitivityTable t) {
        chart.setTable(t);
        double worst = heat.show(t, this::currentLevel);
        heatTitle.setText(t == null ? "" : "Click a cell to set that level on that layer in the plan (framed: the plan's)."
                + " Colour: the loss against the unmodified model, white none to red " + (worst > 0
                ? SensitivityViewModel.value(t.metric(), worst).replace("%", " points") : "none"));
    }

    /** The level of the shown table's method that the plan gives {@code layer}, or null. */
    private Double currentLevel(String layer) {
        SensitivityTable t = vm.tableProperty().get();
        var r = main.plan().resolvedProperty().get();
        var e = r == null || t == null ? null : r.layers().get(layer);
        if (e == null) {
            return null;
        }
        return switch (t.method()) {
            case "prune" -> e.prune() == null || e.prune().isChannel() || e.prune().isNofM() ? null : e.prune().sparsity();
            case "quantize" -> e.quantize() == null || e.quantize().weights() == null
                    || vm.shownW8A8() != (e.quantize().activations() != null) ? null : (double) e.quantize().weights().bits();
            case "lowrank-params" -> e.lowrank() == null ? null : e.lowrank().params();
            case "lowrank" -> e.lowrank() == null || e.lowrank().rank() == null ? null : e.lowrank().rank().doubleValue();
            default -> null;
        };
    }

    SensitivityChart chart() {
        return chart;
    }

    SensitivityHeatTable heat() {
        return heat;
    }
}
