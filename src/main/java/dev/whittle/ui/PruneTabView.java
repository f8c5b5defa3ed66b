package dev.whittle.ui;

import dev.whittle.core.preview.ChannelFigures;
import dev.whittle.core.preview.PruneFigures;
import javafx.beans.binding.Bindings;
import javafx.geometry.Pos;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.Slider;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;

/**
 * The prune tab: the |w| histogram with the threshold line (drag it, or move the sparsity
 * slider: each follows the other), the structure, and the pruned share and count. For channel
 * pruning, the channels' norms with the removed ones marked and the layers that shrink.
 */
public final class PruneTabView extends VBox {
    private final PruneViewModel vm;
    private final ThresholdHistogramView histogram = new ThresholdHistogramView();
    private final NormBarsView norms = new NormBarsView();
    private final Slider sparsity = new Slider(0, 0.99, 0);
    private final Label figures = new Label();
    private final Label shrinking = new Label();

    public PruneTabView(InspectorViewModel inspector) {
        this.vm = inspector.prune();
        getStyleClass().add("inspector-tab");
        setSpacing(6);

        ChoiceBox<String> structure = new ChoiceBox<>();
        structure.getItems().setAll(PruneViewModel.STRUCTURES);
        structure.valueProperty().bindBidirectional(vm.structureProperty());
        structure.setId("pruneStructure");
        structure.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        structure.setTooltip(Tips.of("Which weights may go: any (unstructured), N of every M along the input"
                + " (2:4, 4:8, which sparse hardware runs fast), or whole output channels (the layer gets smaller)."));
        ChoiceBox<String> criterion = new ChoiceBox<>();
        criterion.setId("pruneCriterion");
        criterion.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        criterion.getItems().setAll(PruneViewModel.criteria(vm.structureProperty().get()));
        criterion.setValue(vm.criterionProperty().get());
        // Synced by hand, not bound: replacing the items clears the box's value for a moment, and
        // that null must not reach the view model.
        criterion.valueProperty().addListener((o, a, v) -> {
            if (v != null && !v.equals(vm.criterionProperty().get())) {
                vm.criterionProperty().set(v);
            }
        });
        vm.criterionProperty().addListener((o, a, v) -> {
            if (!criterion.getItems().contains(v)) {
                criterion.getItems().setAll(PruneViewModel.criteria(vm.structureProperty().get()));
            }
            criterion.setValue(v);
        });
        vm.structureProperty().addListener((o, a, s) -> {
            criterion.getItems().setAll(PruneViewModel.criteria(s));
            criterion.setValue(vm.criterionProperty().get());
        });
        criterion.setTooltip(Tips.of("What goes first. Single weights: the smallest |w| (magnitude), or the smallest"
                + " |w| x the norm of the input it multiplies on the calibration data (wanda). Channels: the smallest"
                + " sum of |w| (l1) or root of the sum of w^2 (l2), or the smallest mean output on the calibration data"
                + " (activation). Wanda and activation need calibration data (Edit > Calibration Data...)."));
        Label dataNote = QuantTabView.note("pruneDataNote", vm.dataNoteProperty());

        sparsity.setId("sparsitySlider");
        sparsity.valueProperty().bindBidirectional(vm.sparsityProperty());
        sparsity.setTooltip(Tips.of("Share of the weights (or of the channels) to set to zero, smallest |w| first."
                + " The threshold line on the histogram follows it."));
        sparsity.setPrefWidth(200);
        sparsity.disableProperty().bind(vm.structureProperty().isEqualTo("2:4").or(vm.structureProperty().isEqualTo("4:8")));
        sparsity.valueChangingProperty().addListener((o, a, changing) -> {
            if (!changing) {
                vm.commit();
            }
        });
        sparsity.setOnMouseReleased(e -> vm.commit());
        sparsity.setOnKeyReleased(e -> vm.commit());
        Label sparsityValue = new Label();
        sparsityValue.setMinWidth(52);
        sparsityValue.textProperty().bind(Bindings.createStringBinding(() -> Format.percent(vm.sparsityProperty().get()),
                vm.sparsityProperty()));
        CheckBox logCounts = CheckBoxes.of("Log counts", null, histogram.logCountsProperty(),
                "Scale the bars logarithmically, so sparse tails stay visible.");
        CheckBox refit = CheckBoxes.of("Refit", "pruneReconstruct", vm.reconstructProperty(),
                "After pruning, refit the weights that are left by least squares, so the layer's outputs"
                + " on the calibration data match the original model's (the recipe's reconstruct). For channels, the layers"
                + " that read the removed channels are refit too. Needs calibration data.");
        // Wraps in a narrow inspector rather than pushing Refit and Log counts out of sight.
        HBox amount = new HBox(8, QuantTabView.fixed("Sparsity"), sparsity, sparsityValue);
        amount.setAlignment(Pos.CENTER_LEFT);
        javafx.scene.layout.FlowPane controls = new javafx.scene.layout.FlowPane(8, 4, QuantTabView.fixed("Structure"),
                structure, criterion, amount, refit, logCounts);
        controls.setAlignment(Pos.CENTER_LEFT);
        controls.setMinWidth(0);

        histogram.setId("pruneHistogram");
        histogram.thresholdProperty().bindBidirectional(vm.thresholdProperty());
        // Wanda and SparseGPT have no |w| threshold: each output keeps its own share by its own score
        histogram.showThresholdProperty().bind(vm.structureProperty().isEqualTo("unstructured")
                .and(vm.criterionProperty().isNotEqualTo("wanda")).and(vm.criterionProperty().isNotEqualTo("sparsegpt")));
        histogram.draggingProperty().addListener((o, a, dragging) -> {
            if (!dragging) {
                vm.commit();
            }
        });
        Label hint = new Label("Drag the red line: every weight with |w| at or below it becomes zero (shaded).");
        hint.getStyleClass().add("muted");
        hint.visibleProperty().bind(histogram.showThresholdProperty());
        hint.managedProperty().bind(hint.visibleProperty());
        vm.magnitudesProperty().addListener((o, a, h) -> histogram.setHistogram(h));
        histogram.setHistogram(vm.magnitudesProperty().get());
        VBox.setVgrow(histogram, Priority.ALWAYS);

        figures.setId("pruneFigures");
        figures.setWrapText(true);
        figures.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        figures.getStyleClass().add("figure-line");
        figures.setTooltip(Tips.of("Weights that are zero after pruning (already-zero weights count too)."
                + " 'estimate' comes from the cached |w| table at once; 'exact' from a pass over the weights after you let go."));
        vm.figuresProperty().addListener((o, a, f) -> showFigures(f));
        Label hover = new Label();
        hover.getStyleClass().add("muted");
        hover.textProperty().bind(histogram.hoverTextProperty());
        hover.setMinHeight(18);

        norms.setId("channelNorms");
        shrinking.setWrapText(true);
        shrinking.getStyleClass().add("muted");
        VBox channelBox = new VBox(4, norms, shrinking);
        channelBox.visibleProperty().bind(vm.structureProperty().isEqualTo("channel"));
        channelBox.managedProperty().bind(channelBox.visibleProperty());
        vm.channelsProperty().addListener((o, a, c) -> showChannels(c));

        getChildren().addAll(controls, hint, dataNote, new StackPane(histogram), hover, figures, channelBox);
        VBox.setVgrow(getChildren().get(3), Priority.ALWAYS);
    }

    public ThresholdHistogramView histogram() {
        return histogram;
    }

    public Slider sparsitySlider() {
        return sparsity;
    }

    public Label figuresLabel() {
        return figures;
    }

    private void showFigures(PruneFigures f) {
        boolean byData = vm.dataAware();
        figures.setText(f == null ? "" : "Pruned: " + Format.percent(f.fraction()) + "  (" + Format.count(f.count())
                + " of " + Format.count(f.total()) + " weights)" + (Double.isNaN(f.threshold()) || byData ? ""
                : "  at |w| <= " + Format.number(f.threshold())) + "   " + (f.exact() ? "exact" : "estimate")
                + (byData ? "   (which ones: on the calibration data, when evaluated)" : ""));
    }

    private void showChannels(ChannelFigures c) {
        if (c == null) {
            norms.setNorms(null, null, "L1");
            shrinking.setText("");
            return;
        }
        boolean[] removed = new boolean[c.norms().length];
        for (int i : c.removed()) {
            removed[i] = true;
        }
        String crit = vm.criterionProperty().get();
        norms.setNorms(c.norms(), removed, crit.equals("l2") ? "L2" : "L1");
        shrinking.setText(c.blocked() != null ? "Channels cannot be removed here: " + c.blocked()
                : c.removed().length + " of " + c.norms().length + " channels removed (red)."
                + (c.shrinking().isEmpty() ? "" : " Layers whose inputs shrink with them: " + String.join(", ", c.shrinking()) + "."));
    }
}
