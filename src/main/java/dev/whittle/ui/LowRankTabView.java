package dev.whittle.ui;

import dev.whittle.core.preview.RankFigures;
import dev.whittle.core.preview.Spectrum;
import java.util.Locale;
import javafx.geometry.Pos;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.Slider;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;

/**
 * The low-rank tab: the singular-value spectrum (log scale) with the cumulative energy, a rank
 * slider linked to the line on the chart, and the energy kept, the relative error and the
 * parameters; a layer where the factors would be no smaller says so plainly.
 */
public final class LowRankTabView extends VBox {
    private final RankViewModel vm;
    private final SpectrumView spectrum = new SpectrumView();
    private final Slider rank = new Slider(1, 2, 1);
    private final Label figures = new Label();
    private final Label verdict = new Label();

    public LowRankTabView(InspectorViewModel inspector) {
        this.vm = inspector.rank();
        getStyleClass().add("inspector-tab");
        setSpacing(6);
        CheckBox on = new CheckBox("Factor");
        on.setId("rankEnabled");
        on.selectedProperty().bindBidirectional(vm.enabledProperty());
        on.setTooltip(Tips.of("Replace the weight W (m x n) by two smaller matrices A (m x r) and B (r x n), the best"
                + " rank-r approximation from the SVD."));
        rank.setId("rankSlider");
        rank.setTooltip(Tips.of("The rank r: how many singular values (directions) are kept."));
        rank.setMajorTickUnit(1);
        rank.setSnapToTicks(false);
        HBox.setHgrow(rank, Priority.ALWAYS);
        rank.valueProperty().addListener((o, a, v) -> vm.rankProperty().set((int) Math.round(v.doubleValue())));
        vm.rankProperty().addListener((o, a, r) -> {
            if (Math.round(rank.getValue()) != r.intValue()) {
                rank.setValue(r.intValue());
            }
        });
        rank.valueChangingProperty().addListener((o, a, changing) -> {
            if (!changing) {
                vm.commitRank();
            }
        });
        rank.setOnMouseReleased(e -> vm.commitRank());
        Label rankValue = new Label();
        rankValue.setMinWidth(60);
        rankValue.textProperty().bind(vm.rankProperty().asString("rank %d"));
        on.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        CheckBox whiten = CheckBoxes.of("Whiten", "rankWhiten", vm.whitenProperty(),
                "Keep the directions that matter for the layer's output on the calibration data, not"
                + " those of W alone: truncate the SVD of R W, where R'R = X'X of the layer's input (SVD-LLM)."
                + " Needs calibration data (Edit > Calibration Data...).");
        CheckBox refit = CheckBoxes.of("Refit", "rankReconstruct", vm.reconstructProperty(),
                "After factoring, fit both factors and the bias again by least squares, so that the layer's"
                + " output on the calibration data matches the original model's, fed by the already compressed layers"
                + " before it (the recipe's reconstruct; one setting with this layer's pruning refit)."
                + " Needs calibration data.");
        HBox controls = new HBox(8, on, QuantTabView.fixed("Rank"), rank, rankValue, whiten, refit);
        controls.setAlignment(Pos.CENTER_LEFT);

        spectrum.setId("spectrum");
        spectrum.rankProperty().bindBidirectional(vm.rankProperty());
        spectrum.draggingProperty().addListener((o, a, d) -> {
            if (!d) {
                vm.commitRank();
            }
        });
        Label message = new Label();
        message.getStyleClass().add("placeholder");
        message.textProperty().bind(inspector.spectrumMessageProperty());
        message.visibleProperty().bind(inspector.spectrumProperty().isNull());
        message.setWrapText(true);
        ProgressIndicator busy = new ProgressIndicator();
        busy.setMaxSize(32, 32);
        busy.visibleProperty().bind(javafx.beans.binding.Bindings.createBooleanBinding(() ->
                inspector.spectrumProperty().get() == null && inspector.spectrumMessageProperty().get().startsWith("Computing"),
                inspector.spectrumProperty(), inspector.spectrumMessageProperty()));
        VBox overlay = new VBox(8, busy, message);
        overlay.setAlignment(Pos.CENTER);
        overlay.setMouseTransparent(true);
        StackPane chart = new StackPane(spectrum, overlay);
        Label hover = new Label();
        hover.getStyleClass().add("muted");
        hover.textProperty().bind(spectrum.hoverTextProperty());
        hover.setMinHeight(18);
        figures.setId("rankFigures");
        figures.setWrapText(true);
        figures.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        figures.getStyleClass().add("figure-line");
        figures.setTooltip(Tips.of("Energy kept: sum of the kept sigma^2 over all sigma^2. Error: ||W - W_r||_F / ||W||_F"
                + " = sqrt(1 - energy kept). Parameters: r (m + n) for the two factors against m n."));
        verdict.setId("rankVerdict");
        verdict.setWrapText(true);
        Label whitenNote = shortNote("rankWhitenNote", vm.whitenNoteProperty());
        vm.whitenedProperty().addListener((o, a, w) -> spectrum.setWhitened(w));
        Label refitNote = shortNote("rankRefitNote", vm.refitNoteProperty());
        javafx.scene.control.Tooltip refitTip = new javafx.scene.control.Tooltip();
        refitTip.textProperty().bind(vm.refitNoteProperty());
        refitTip.setWrapText(true);
        refitTip.setMaxWidth(420);
        refitNote.setTooltip(refitTip); // the line is cut when the tab is short
        inspector.spectrumProperty().addListener((o, a, s) -> showSpectrum(s));
        vm.figuresProperty().addListener((o, a, f) -> showFigures(f));
        getChildren().addAll(controls, chart, hover, figures, whitenNote, refitNote, verdict);
        VBox.setVgrow(chart, Priority.ALWAYS);
    }

    /** A muted note that may be cut to its first lines, so the spectrum keeps its room. */
    private static Label shortNote(String id, javafx.beans.property.ReadOnlyStringProperty text) {
        Label l = QuantTabView.note(id, text);
        l.setMinHeight(javafx.scene.layout.Region.USE_COMPUTED_SIZE);
        return l;
    }

    public SpectrumView spectrum() {
        return spectrum;
    }

    public Slider rankSlider() {
        return rank;
    }

    public Label figuresLabel() {
        return figures;
    }

    private void showSpectrum(Spectrum s) {
        spectrum.setSpectrum(s == null ? null : s.values());
        if (s != null) {
            rank.setMax(Math.max(2, s.maxRank()));
            rank.setValue(vm.rankProperty().get());
        }
    }

    private void showFigures(RankFigures f) {
        if (f == null) {
            figures.setText("");
            verdict.setText("");
            return;
        }
        figures.setText(String.format(Locale.ROOT, "Energy kept %s   relative error %.4f   parameters %s -> %s (%s)",
                Format.percent(f.energyKept()), f.relativeError(), Format.count(f.paramsBefore()),
                Format.count(f.paramsAfter()), Format.percent(f.paramRatio())));
        verdict.getStyleClass().remove("warning");
        if (f.savesNothing()) {
            verdict.setText("At rank " + f.rank() + " the two factors hold at least as many parameters as the weight:"
                    + " factoring saves nothing here, and export leaves this layer as it is.");
            verdict.getStyleClass().add("warning");
        } else {
            verdict.setText("Factoring at rank " + f.rank() + " saves " + Format.count(f.paramsBefore() - f.paramsAfter())
                    + " parameters.");
        }
    }
}
