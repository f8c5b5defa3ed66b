package dev.whittle.ui;

import dev.whittle.core.preview.PruneFigures;
import dev.whittle.core.preview.QuantFigures;
import dev.whittle.core.preview.RankFigures;
import java.util.Locale;
import javafx.beans.value.ObservableIntegerValue;
import javafx.scene.control.Label;
import javafx.scene.layout.VBox;

/**
 * The Explain panel: the formula behind the tab in front, with the live numbers put in, so a
 * student sees what each figure is made of while moving the control.
 */
public final class ExplainView extends VBox {
    private final InspectorViewModel vm;
    private final ObservableIntegerValue tab;
    private final Label heading = new Label("Explain");
    private final Label body = new Label();

    /** @param tab index of the inspector tab in front: 0 histogram, 1 prune, 2 quantize, 3 low rank, 4 weights */
    public ExplainView(InspectorViewModel vm, ObservableIntegerValue tab) {
        this.vm = vm;
        this.tab = tab;
        setId("explain");
        getStyleClass().add("explain-view");
        setSpacing(4);
        heading.getStyleClass().add("subsection-title");
        body.setId("explainText");
        body.setWrapText(true);
        body.getStyleClass().add("explain-text");
        Label finalHeading = new Label("This layer under the whole plan");
        finalHeading.getStyleClass().add("subsection-title");
        Label finalError = new Label();
        finalError.setId("finalError");
        finalError.setWrapText(true);
        finalError.textProperty().bind(vm.finalErrorProperty());
        finalError.setTooltip(Tips.of("||W - W_final||_F / ||W||_F and the SQNR of the weight export will write, with every"
                + " setting of the plan on this layer applied in order: the tabs show one method each, this line all of them."));
        getChildren().addAll(heading, body, finalHeading, finalError);
        for (javafx.beans.value.ObservableValue<?> o : new javafx.beans.value.ObservableValue<?>[] {tab,
            vm.prune().figuresProperty(), vm.prune().structureProperty(), vm.prune().criterionProperty(), vm.quant().figuresProperty(), vm.quant().bitsProperty(),
            vm.quant().symmetricProperty(), vm.quant().gptqProperty(), vm.quant().biasCorrectionProperty(),
            vm.prune().reconstructProperty(), vm.rank().figuresProperty(), vm.rank().whitenProperty(),
            vm.rank().reconstructProperty(), vm.layerProperty()}) {
            o.addListener((x, a, b) -> update()); // change listeners: update() does not read every one of them
        }
        update();
    }

    public String text() {
        return body.getText();
    }

    private void update() {
        body.setText(switch (tab.get()) {
            case 1 -> prune(vm.prune().figuresProperty().get(), vm.prune().structureProperty().get(),
                    vm.prune().criterionProperty().get()) + (vm.prune().reconstructProperty().get() ? REFIT : "");
            case 2 -> quant(vm.quant().figuresProperty().get()) + (vm.quant().gptqProperty().get() ? GPTQ : "")
                    + (vm.quant().biasCorrectionProperty().get() ? BIAS : "");
            case 3 -> rank(vm.rank().figuresProperty().get()) + (vm.rank().whitenProperty().get() ? WHITEN : "")
                    + (vm.rank().reconstructProperty().get() ? RANK_REFIT : "");
            case 4 -> "Each pixel is one weight (or one of every k-th row and column of a big layer). Compare the"
                    + " original with the plan's result: pruning leaves grey holes, int4 leaves visible steps,"
                    + " low rank smooths the matrix into a few patterns.";
            default -> "The histogram shows how the layer's weights are spread. Most trained weights sit in a narrow"
                    + " bell around 0; the prune, quantize and low-rank tabs each act on that picture.";
        });
    }

    static final String REFIT = "\n\nRefit: with X the layer's inputs on the calibration data and Y = X W its original"
            + " outputs, the weights left are refit to min ||X W' - Y||^2 + lambda ||W' - W_pruned||^2 over the kept"
            + " positions (damped least squares), so the layer's outputs come back close to the original's while the"
            + " zeros stay zeros. After channel pruning the layers reading the removed channels are refit too.";
    static final String WHITEN = "\n\nWhiten: with H = X^T X + lambda I = R^T R of the layer's inputs on the calibration"
            + " data, ||X (W - W')|| = ||R (W - W')||, so the best rank-r W' for the layer's output is R^-1 (R W)_r: the SVD"
            + " of R W, truncated. The figures above are W's own; the dashed curve is R W's.";
    static final String RANK_REFIT = "\n\nRefit: layer after layer, with X' the inputs the already factored layers give"
            + " and Y the original model's output of this layer, the least squares W = (X'^T X' + lambda I)^-1"
            + " (X'^T Y + lambda W_now) is truncated to rank r in the metric of X' (reduced-rank regression): the best"
            + " rank-r weights for the original output, which also make up for errors of the layers before.";
    static final String GPTQ = "\n\nGPTQ: the same grid, other codes. It rounds one input row of W at a time and"
            + " spreads that row's rounding error over the rows not yet rounded, in proportion to H^-1 with"
            + " H = X^T X + lambda I of the layer's inputs on the calibration data: the error that reaches the layer's"
            + " output ||X (W - W_hat)|| is what it keeps small, not ||W - W_hat||. The SQNR above is round to nearest's.";
    static final String BIAS = "\n\nBias correction: rounding moves each output's mean by (W - W_hat)^T mean(x);"
            + " adding that shift, measured on the calibration data, to the bias puts the mean back.";

    private static String prune(PruneFigures f, String structure, String criterion) {
        if (criterion.equals("wanda")) {
            return "Wanda scores each weight by |w_ij| x ||x_j||, its size times the norm of the input feature it"
                    + " multiplies on the calibration data, and removes the lowest scores within each output, so a small"
                    + " weight on a busy input can stay and a large one on a quiet input can go. The histogram shows |w|"
                    + " alone; an evaluation applies the real ranking."
                    + (f == null ? "" : "\n\nremoved weights = " + Format.count(f.count()) + " / " + Format.count(f.total())
                    + " = " + Format.percent(f.fraction()));
        }
        if (criterion.equals("sparsegpt")) {
            return "SparseGPT removes weights one input at a time. With H = X^T X of the layer's input on the calibration"
                    + " data, a weight's cost is w^2 / [H^-1]_jj: what removing it does to the output once the weights after"
                    + " it make up for it. The lowest costs go (within each output, 128 inputs at a time), and each removal's"
                    + " error is moved onto the inputs not yet processed by H^-1, so the kept weights change too. The"
                    + " histogram shows |w| alone; an evaluation applies the real pruning."
                    + (f == null ? "" : "\n\nremoved weights = " + Format.count(f.count()) + " / " + Format.count(f.total())
                    + " = " + Format.percent(f.fraction()));
        }
        if (criterion.equals("activation")) {
            return "Activation pruning removes the output channels whose mean output on the calibration data is"
                    + " smallest (after a Relu, the mean of what it passes on): channels that rarely fire carry little"
                    + " to the next layer. The bars show the L1 norm; an evaluation applies the real ranking."
                    + (f == null ? "" : "\n\nremoved weights = " + Format.count(f.count()) + " / " + Format.count(f.total())
                    + " = " + Format.percent(f.fraction()));
        }
        if (f != null && structure.equals("channel")) {
            return "Channel pruning removes whole output channels: the floor(s x C) channels with the smallest "
                    + criterion.toUpperCase(Locale.ROOT) + " norm (" + (criterion.equals("l2") ? "sqrt(sum w^2)" : "sum |w|")
                    + " over the channel's weights). The layer gets smaller, and so do the inputs of the layers that"
                    + " read it.\n\nremoved weights = " + Format.count(f.count()) + " / " + Format.count(f.total())
                    + " = " + Format.percent(f.fraction());
        }
        if (f != null && structure.contains(":")) {
            String[] nm = structure.split(":");
            return "N:M pruning keeps the " + nm[0] + " largest |w| of every " + nm[1] + " consecutive weights along the"
                    + " input, a pattern sparse tensor cores run at up to twice the speed.\n\npruned fraction = (M - N) / M = "
                    + Format.percent(f.fraction());
        }
        String base = "Magnitude pruning sets every weight with |w| <= t to zero: the smallest weights matter least.";
        if (f == null) {
            return base;
        }
        String t = Double.isNaN(f.threshold()) ? "" : "\n\nt = " + Format.number(f.threshold());
        return base + t + "\npruned fraction = #{|w| <= t} / n\n  = " + Format.count(f.count()) + " / "
                + Format.count(f.total()) + " = " + Format.percent(f.fraction())
                + (f.exact() ? "  (exact)" : "  (estimate from the cached |w| table; the exact count follows)");
    }

    private String quant(QuantFigures f) {
        int b = vm.quant().bitsProperty().get();
        boolean sym = vm.quant().symmetricProperty().get();
        if (f == null) {
            return "Quantization maps each weight to one of 2^b levels: w_hat = (clamp(round(w / scale) + zp) - zp) x scale.";
        }
        String scale = sym
                ? String.format(Locale.ROOT, "symmetric scale = max(|lo|, |hi|) / (2^(b-1) - 1)\n  = %s / %d = %s",
                Format.number(Math.max(Math.abs(f.lo()), Math.abs(f.hi()))), (1 << (b - 1)) - 1, Format.number(f.scale()))
                : String.format(Locale.ROOT, "asymmetric scale = (hi - lo) / (2^b - 1)\n  = (%s - %s) / %d = %s\n"
                + "zero point = round(-lo / scale) = %d", Format.number(f.hi()), Format.number(f.lo()), (1 << b) - 1,
                Format.number(f.scale()), f.zeroPoint());
        String sqnr = Double.isInfinite(f.sqnrDb()) ? "inf (no error)" : String.format(Locale.ROOT, "%.2f dB", f.sqnrDb());
        return "Range [lo, hi] = [" + Format.number(f.lo()) + ", " + Format.number(f.hi()) + "], b = " + b + " bits\n"
                + scale + (f.groups() > 1 ? "\n(" + f.groups() + " groups: each group's range is its own min/max"
                + " intersected with [lo, hi]; scales " + Format.number(f.scaleMin()) + " to " + Format.number(f.scaleMax()) + ")" : "")
                + "\n\nw_hat = (clamp(round(w / scale) + zp) - zp) x scale\nclipped = share of w outside [lo, hi] = "
                + Format.percent(f.clippedFraction())
                + "\nSQNR = 10 log10(sum w^2 / sum (w - w_hat)^2) = " + sqnr
                + (f.exact() ? "  (exact)" : "  (estimate from a sample; the exact figure follows)")
                + "\nRule of thumb: each bit adds about 6 dB.";
    }

    private static String rank(RankFigures f) {
        String base = "The SVD writes W = U diag(sigma) V^T. Keeping the r largest sigma_i gives the best rank-r"
                + " approximation W_r = A B with A m x r and B r x n.";
        if (f == null) {
            return base;
        }
        return base + "\n\nenergy kept = sum_{i<=r} sigma_i^2 / sum_i sigma_i^2 = " + Format.percent(f.energyKept())
                + String.format(Locale.ROOT, "\nrelative error = ||W - W_r||_F / ||W||_F = sqrt(1 - energy) = %.4f",
                f.relativeError())
                + "\nparameters = r (m + n) = " + Format.count(f.paramsAfter()) + " vs m n = " + Format.count(f.paramsBefore())
                + (f.savesNothing() ? "\nAt this rank the factors are no smaller than W: nothing is saved." : "");
    }
}
