package dev.whittle.ui;

import dev.whittle.core.preview.LayerFacts;
import dev.whittle.core.preview.QuantFigures;
import dev.whittle.core.quant.Granularity;
import dev.whittle.core.quant.RangeSpec;
import dev.whittle.core.tensor.WeightStats;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.Slider;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.util.StringConverter;
import org.controlsfx.control.RangeSlider;

/**
 * The quantize tab: bits, symmetry, granularity; the clip range over the w histogram with the
 * grid of the chosen bits (asymmetric: a RangeSlider over [lo, hi]; symmetric: one slider for
 * the clip magnitude, mirrored); snap buttons; clipped share and SQNR; and, per channel or
 * block, every channel's range against the common clip.
 */
public final class QuantTabView extends VBox {
    private final QuantViewModel vm;
    private final ClipHistogramView histogram = new ClipHistogramView();
    private final RangePlotView ranges = new RangePlotView();
    private final RangeSlider range = new RangeSlider(-1, 1, -1, 1);
    private final Slider magnitude = new Slider(0, 1, 1);
    private final Label figures = new Label();
    private boolean syncing;
    // asObject() adapters are only weakly held by the bindings: keep them alive with the view.
    private final java.util.List<Object> adapters = new java.util.ArrayList<>();

    public QuantTabView(InspectorViewModel inspector, ReadOnlyObjectProperty<WeightStats> stats) {
        this.vm = inspector.quant();
        getStyleClass().add("inspector-tab");
        setSpacing(6);

        CheckBox on = new CheckBox("Quantize");
        on.setId("quantEnabled");
        on.selectedProperty().bindBidirectional(vm.enabledProperty());
        on.setTooltip(Tips.of("Store this layer's weights as small integers with a scale (int8 or int4) instead of float32."));
        ChoiceBox<Integer> bits = new ChoiceBox<>();
        bits.setId("quantBits");
        bits.getItems().setAll(8, 4);
        bits.valueProperty().bindBidirectional(keep(vm.bitsProperty().asObject()));
        bits.setTooltip(Tips.of("Bits per weight: 8 gives 255 levels, 4 gives 15 (symmetric); fewer bits, coarser grid."));
        ChoiceBox<Boolean> symmetric = new ChoiceBox<>();
        symmetric.setId("quantSymmetric");
        symmetric.getItems().setAll(true, false);
        symmetric.setConverter(converter(b -> b ? "symmetric" : "asymmetric"));
        symmetric.valueProperty().bindBidirectional(keep(vm.symmetricProperty().asObject()));
        symmetric.setTooltip(Tips.of("Symmetric: the grid is centred on 0 (zero point 0), range [-c, c]. Asymmetric: any"
                + " [lo, hi] with a zero point, which fits one-sided weights better."));
        ChoiceBox<Granularity> granularity = new ChoiceBox<>();
        granularity.setId("quantGranularity");
        granularity.getItems().setAll(Granularity.values());
        granularity.valueProperty().bindBidirectional(vm.granularityProperty());
        granularity.setTooltip(Tips.of("One scale for the whole tensor, one per output channel, or one per block of"
                + " consecutive input weights: more scales follow the weights more closely, at a few bytes each."));
        ChoiceBox<Integer> block = new ChoiceBox<>();
        block.getItems().setAll(16, 32, 64, 128, 256);
        block.valueProperty().bindBidirectional(keep(vm.blockProperty().asObject()));
        block.setTooltip(Tips.of("Weights per block along the input dimension, each block with its own scale."));
        block.visibleProperty().bind(vm.granularityProperty().isEqualTo(Granularity.BLOCK));
        block.managedProperty().bind(block.visibleProperty());
        on.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        HBox controls = new HBox(8, on, fixed("Bits"), bits, symmetric, fixed("Granularity"), granularity, block);
        controls.setAlignment(Pos.CENTER_LEFT);

        range.setId("clipRange");
        range.setTooltip(Tips.of("The clip range [lo, hi]: weights outside it saturate at the end levels; a narrower"
                + " range gives a finer grid inside it."));
        magnitude.setId("clipMagnitude");
        magnitude.setTooltip(Tips.of("The clip magnitude c of the symmetric range [-c, c]: weights beyond it saturate."));
        range.visibleProperty().bind(vm.symmetricProperty().not());
        range.managedProperty().bind(range.visibleProperty());
        magnitude.visibleProperty().bind(vm.symmetricProperty());
        magnitude.managedProperty().bind(magnitude.visibleProperty());
        HBox.setHgrow(range, Priority.ALWAYS);
        HBox.setHgrow(magnitude, Priority.ALWAYS);
        Button minmax = snap("Min-max", "minmaxButton", RangeSpec.MINMAX,
                "Clip at the weights' own min and max: nothing saturates, the grid is as coarse as the outliers make it.");
        Button pct = snap("99.9 %", "percentileButton", new RangeSpec.Percentile(99.9),
                "Clip at the 99.9th percentile of |w|: the rarest outliers saturate, the rest gets a finer grid.");
        Button mse = snap("MSE", "mseButton", RangeSpec.MSE,
                "Clip where the squared error (rounding inside, saturation outside) is least.");
        HBox rangeRow = new HBox(8, fixed("Clip"), range, magnitude, minmax, pct, mse);
        rangeRow.setAlignment(Pos.CENTER_LEFT);

        ChoiceBox<Boolean> rounding = new ChoiceBox<>();
        rounding.setId("quantRounding");
        rounding.getItems().setAll(false, true);
        rounding.setConverter(converter(g -> g ? "GPTQ" : "to nearest"));
        rounding.valueProperty().bindBidirectional(keep(vm.gptqProperty().asObject()));
        rounding.setTooltip(Tips.of("How each weight picks its level on the grid. To nearest: each alone. GPTQ: one input"
                + " at a time, pushing each rounding error onto the inputs not yet rounded, in proportion to how the"
                + " calibration data correlates them, so the layer's output error is smaller (needs calibration data)."));
        CheckBox correct = new CheckBox("Correct bias");
        correct.setId("quantBiasCorrection");
        correct.selectedProperty().bindBidirectional(vm.biasCorrectionProperty());
        correct.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        correct.setTooltip(Tips.of("Rounding shifts each output's mean a little: (W - W_hat) x the mean input. This adds"
                + " that shift, measured on the calibration data, back to the layer's bias (needs calibration data)."));
        HBox dataRow = new HBox(8, fixed("Rounding"), rounding, correct);
        dataRow.setAlignment(Pos.CENTER_LEFT);
        Label dataNote = QuantTabView.note("quantDataNote", vm.dataNoteProperty());

        histogram.setId("clipHistogram");
        histogram.loProperty().bindBidirectional(vm.loProperty());
        histogram.hiProperty().bindBidirectional(vm.hiProperty());
        histogram.bitsProperty().bind(vm.bitsProperty());
        histogram.symmetricProperty().bind(vm.symmetricProperty());
        histogram.draggingProperty().addListener((o, a, d) -> {
            if (!d) {
                vm.commitRange();
            }
        });
        stats.addListener((o, a, s) -> histogram.setHistogram(s == null ? null : s.histogram()));
        histogram.setHistogram(stats.get() == null ? null : stats.get().histogram());
        Label hover = new Label();
        hover.getStyleClass().add("muted");
        hover.textProperty().bind(Bindings.createStringBinding(() -> histogram.hoverTextProperty().get().isEmpty()
                ? "Drag a red line to clip; green ticks are the values the chosen bits can represent."
                : histogram.hoverTextProperty().get(), histogram.hoverTextProperty()));
        hover.setMinHeight(18);

        figures.setId("quantFigures");
        figures.setWrapText(true);
        figures.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        figures.getStyleClass().add("figure-line");
        figures.setTooltip(Tips.of("Clipped: share of weights that saturate. SQNR: signal-to-quantization-noise ratio in dB,"
                + " 10 log10(sum w^2 / sum (w - w_hat)^2); about 6 dB per bit, higher is better."));
        vm.figuresProperty().addListener((o, a, f) -> showFigures(f));

        ranges.setId("rangePlot");
        ranges.visibleProperty().bind(vm.granularityProperty().isNotEqualTo(Granularity.TENSOR));
        ranges.managedProperty().bind(ranges.visibleProperty());
        inspector.factsProperty().addListener((o, a, f) -> showFacts(f));
        showFacts(inspector.factsProperty().get());

        // Sliders <-> the view model's lo/hi, without feedback loops.
        vm.loProperty().addListener((o, a, b) -> syncSliders());
        vm.hiProperty().addListener((o, a, b) -> syncSliders());
        range.lowValueProperty().addListener((o, a, v) -> fromSliders(v.doubleValue(), range.getHighValue()));
        range.highValueProperty().addListener((o, a, v) -> fromSliders(range.getLowValue(), v.doubleValue()));
        magnitude.valueProperty().addListener((o, a, v) -> fromSliders(-v.doubleValue(), v.doubleValue()));
        for (var s : new javafx.scene.Node[] {range, magnitude}) {
            s.setOnMouseReleased(e -> vm.commitRange());
        }
        getChildren().addAll(controls, rangeRow, dataRow, dataNote, new StackPane(histogram), hover, figures, ranges);
        VBox.setVgrow(getChildren().get(4), Priority.ALWAYS);
    }

    /** A muted, wrapping note bound to {@code text}, shown (and laid out) only when there is something to say. */
    static Label note(String id, javafx.beans.property.ReadOnlyStringProperty text) {
        Label l = new Label();
        l.setId(id);
        l.setWrapText(true);
        l.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        l.getStyleClass().add("muted");
        l.textProperty().bind(text);
        l.visibleProperty().bind(text.isNotEmpty());
        l.managedProperty().bind(l.visibleProperty());
        return l;
    }

    /** A label that never shrinks to an ellipsis. */
    static Label fixed(String text) {
        Label l = new Label(text);
        l.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        return l;
    }

    private <T> T keep(T adapter) {
        adapters.add(adapter);
        return adapter;
    }

    private Button snap(String text, String id, RangeSpec how, String tip) {
        Button b = new Button(text);
        b.setId(id);
        b.setTooltip(Tips.of(tip));
        b.setOnAction(e -> vm.snap(how));
        return b;
    }

    public ClipHistogramView histogram() {
        return histogram;
    }

    public Label figuresLabel() {
        return figures;
    }

    private void showFacts(LayerFacts f) {
        if (f == null) {
            ranges.setRanges(null, null);
            return;
        }
        double a = Math.max(f.absMax(), 1e-12);
        syncing = true;
        range.setMin(Math.min(f.min(), -1e-12));
        range.setMax(Math.max(f.max(), 1e-12));
        magnitude.setMin(a / 1000);
        magnitude.setMax(a);
        syncing = false;
        ranges.setRanges(f.channelMin(), f.channelMax());
        syncSliders();
    }

    private void syncSliders() {
        if (syncing) {
            return;
        }
        syncing = true;
        range.setHighValue(Math.min(range.getMax(), vm.hiProperty().get()));
        range.setLowValue(Math.max(range.getMin(), vm.loProperty().get()));
        magnitude.setValue(Math.max(Math.abs(vm.loProperty().get()), Math.abs(vm.hiProperty().get())));
        ranges.setClip(vm.loProperty().get(), vm.hiProperty().get());
        syncing = false;
    }

    private void fromSliders(double lo, double hi) {
        if (syncing) {
            return;
        }
        syncing = true;
        vm.loProperty().set(lo);
        vm.hiProperty().set(hi);
        ranges.setClip(lo, hi);
        syncing = false;
    }

    private void showFigures(QuantFigures f) {
        if (f == null) {
            figures.setText("");
            return;
        }
        figures.setText("Scale " + Format.number(f.scale()) + (vm.symmetricProperty().get() ? "" : "  zero point " + f.zeroPoint())
                + (f.groups() > 1 ? "  (" + f.groups() + " groups, scales " + Format.number(f.scaleMin()) + " to "
                + Format.number(f.scaleMax()) + ")" : "")
                + "   clipped " + Format.percent(f.clippedFraction())
                + "   SQNR " + (Double.isInfinite(f.sqnrDb()) ? "inf" : String.format(java.util.Locale.ROOT, "%.1f dB", f.sqnrDb()))
                + "   " + (f.exact() ? "exact" : "estimate"));
    }

    private static <T> StringConverter<T> converter(java.util.function.Function<T, String> text) {
        return new StringConverter<>() {
            @Override
            public String toString(T t) {
                return t == null ? "" : text.apply(t);
            }

            @Override
            public T fromString(String s) {
                throw new UnsupportedOperationException("choice boxes do not parse");
            }
        };
    }
}
