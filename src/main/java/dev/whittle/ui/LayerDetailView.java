package dev.whittle.ui;

import dev.whittle.core.model.WeightLayer;
import dev.whittle.ui.LayerDetailViewModel.HistogramKind;
import javafx.geometry.Pos;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import org.controlsfx.control.SegmentedButton;

/** The selected layer: its weight histogram with scale toggles; its statistics ({@link #stats()}) go in the side panel. */
public final class LayerDetailView extends BorderPane {
    private final LayerDetailViewModel vm;
    private final HistogramView histogram = new HistogramView();
    private final StatsView stats = new StatsView();
    private final Label layerName = new Label();
    private final Label layerInfo = new Label();

    public LayerDetailView(LayerDetailViewModel vm) {
        this.vm = vm;
        getStyleClass().add("layer-detail-view");

        Label title = new Label("Layer");
        title.getStyleClass().add("section-title");
        layerName.setId("detailLayerName");
        layerName.getStyleClass().add("layer-name");
        layerName.setMinWidth(Region.USE_PREF_SIZE);
        layerInfo.getStyleClass().add("muted");
        layerInfo.setMinWidth(0);

        ToggleButton values = new ToggleButton("w");
        values.setId("histValues");
        values.setTooltip(Tips.of("Histogram of the weight values w, from min to max. Trained weights usually"
                + " form a bell around 0; long thin tails are outliers."));
        ToggleButton magnitudes = new ToggleButton("log10 |w|");
        magnitudes.setId("histMagnitudes");
        magnitudes.setTooltip(Tips.of("Histogram of the magnitudes |w| on a log axis (one tick per power of ten)."
                + " Shows how many weights are tiny: those are the cheap ones to prune, and the ones low-precision"
                + " formats round to zero."));
        SegmentedButton kind = new SegmentedButton(values, magnitudes);
        ToggleGroup group = kind.getToggleGroup();
        values.setToggleGroup(group);
        magnitudes.setToggleGroup(group);
        group.selectToggle(vm.kindProperty().get() == HistogramKind.VALUES ? values : magnitudes);
        group.selectedToggleProperty().addListener((o, a, b) -> {
            if (b == null) {
                a.setSelected(true); // one of the two is always on
            } else {
                vm.kindProperty().set(b == values ? HistogramKind.VALUES : HistogramKind.LOG_MAGNITUDE);
            }
        });
        CheckBox logCounts = new CheckBox("Log counts");
        logCounts.setId("logCounts");
        logCounts.selectedProperty().bindBidirectional(vm.logCountsProperty());
        logCounts.setTooltip(Tips.of("Scale the bar heights logarithmically, so bins holding a handful of weights"
                + " (outliers in the tails) stay visible next to bins holding thousands."));

        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox header = new HBox(10, title, layerName, layerInfo, spacer, kind, logCounts);
        header.setAlignment(Pos.CENTER_LEFT);
        header.getStyleClass().add("panel-header");
        setTop(header);

        histogram.setId("histogram");
        Label message = new Label();
        message.getStyleClass().add("placeholder");
        message.textProperty().bind(vm.messageProperty());
        message.visibleProperty().bind(vm.statsProperty().isNull());
        ProgressIndicator busy = new ProgressIndicator();
        busy.setMaxSize(36, 36);
        busy.visibleProperty().bind(vm.computingProperty());
        VBox overlay = new VBox(10, busy, message);
        overlay.setAlignment(Pos.CENTER);
        overlay.setMouseTransparent(true);
        Label hover = new Label();
        hover.getStyleClass().add("muted");
        hover.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(() ->
                !histogram.hoverTextProperty().get().isEmpty() ? histogram.hoverTextProperty().get()
                        : vm.statsProperty().get() == null ? "" : "Point at a bar to see its range and count.",
                histogram.hoverTextProperty(), vm.statsProperty()));
        hover.setMinHeight(18);
        VBox plot = new VBox(4, new StackPane(histogram, overlay), hover);
        VBox.setVgrow(plot.getChildren().get(0), Priority.ALWAYS);
        plot.getStyleClass().add("plot");
        setCenter(plot);

        stats.setId("stats"); // shown in the window's right-hand panel, next to Explain

        vm.layerProperty().addListener((o, a, l) -> showLayer(l));
        vm.statsProperty().addListener((o, a, s) -> stats.show(s));
        vm.histogramProperty().addListener((o, a, h) -> redraw());
        vm.logCountsProperty().addListener((o, a, b) -> redraw());
        showLayer(vm.layerProperty().get());
        stats.show(vm.statsProperty().get());
        redraw();
    }

    public HistogramView histogram() {
        return histogram;
    }

    public StatsView stats() {
        return stats;
    }

    private void redraw() {
        histogram.setData(vm.histogramProperty().get(), vm.logCountsProperty().get());
    }

    private void showLayer(WeightLayer l) {
        layerName.setText(l == null ? "none selected" : l.node());
        layerInfo.setText(l == null ? "" : l.op() + "  " + l.shapeText() + "  " + l.dtype().displayName()
                + "  " + Format.count(l.params()) + " params");
    }
}
