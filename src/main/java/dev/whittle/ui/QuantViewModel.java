package dev.whittle.ui;

import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.plan.ResolvedPlan;
import dev.whittle.core.preview.ExactPreview;
import dev.whittle.core.preview.LayerFacts;
import dev.whittle.core.preview.QuantFigures;
import dev.whittle.core.preview.QuantPreview;
import dev.whittle.core.quant.Granularity;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.quant.RangeSpec;
import dev.whittle.core.quant.WeightSpec;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;

/**
 * The quantize tab: on/off, bits, symmetry, granularity (block size), and the common clip range
 * [lo, hi]; the figures (scale, zero point, clipped share, SQNR) are the core's estimate from the
 * layer's cached sample on every change, then the exact quantization after the gesture ends.
 * The range is always explicit in the plan once the user has dragged or snapped it.
 */
public final class QuantViewModel {
    private final InspectorViewModel inspector;
    private final PlanViewModel plan;
    private final Debounce debounce;
    private final LatestOnly<QuantFigures> exact;
    private final Coalesce pace;
    private final BooleanProperty enabled = new SimpleBooleanProperty(this, "enabled", false);
    private final IntegerProperty bits = new SimpleIntegerProperty(this, "bits", 8);
    private final BooleanProperty symmetric = new SimpleBooleanProperty(this, "symmetric", true);
    private final ObjectProperty<Granularity> granularity = new SimpleObjectProperty<>(this, "granularity", Granularity.CHANNEL);
    private final IntegerProperty block = new SimpleIntegerProperty(this, "block", 32);
    private final BooleanProperty gptq = new SimpleBooleanProperty(this, "gptq", false);
    private final BooleanProperty biasCorrection = new SimpleBooleanProperty(this, "biasCorrection", false);
    private final javafx.beans.property.ReadOnlyStringWrapper dataNote = new javafx.beans.property.ReadOnlyStringWrapper(this,
            "dataNote", "");
    private final DoubleProperty lo = new SimpleDoubleProperty(this, "lo", -1);
    private final DoubleProperty hi = new SimpleDoubleProperty(this, "hi", 1);
    private final ReadOnlyObjectWrapper<QuantFigures> figures = new ReadOnlyObjectWrapper<>(this, "figures");
    private RangeSpec range = RangeSpec.MINMAX;
    private boolean loading;

    QuantViewModel(InspectorViewModel inspector, PlanViewModel plan, JobRunner jobs, Debounce debounce) {
        this.inspector = inspector;
        this.plan = plan;
        this.debounce = debounce;
        this.exact = new LatestOnly<>(jobs, "Exact quantization error");
        this.pace = jobs.coalesce();
        // Change listeners, not invalidation ones: a value set while loading is never read there,
        // and an invalidation listener would then stay silent for the user's next move.
        for (javafx.beans.value.ObservableValue<?> o : new javafx.beans.value.ObservableValue<?>[] {lo, hi}) {
            o.addListener((x, a, b) -> {
                if (!loading) {
                    range = new RangeSpec.Explicit(Math.min(lo.get(), hi.get()), Math.max(lo.get(), hi.get()));
                    pace.request(this::preview);
                }
            });
        }
        for (javafx.beans.value.ObservableValue<?> o : new javafx.beans.value.ObservableValue<?>[] {gptq, biasCorrection,
            enabled, plan.planProperty()}) {
            o.addListener((x, a, b) -> updateNote());
        }
        for (javafx.beans.value.ObservableValue<?> o : new javafx.beans.value.ObservableValue<?>[] {enabled, bits,
            symmetric, granularity, block, gptq, biasCorrection}) {
            o.addListener((x, a, b) -> {
                if (!loading) {
                    if (o == symmetric && symmetric.get()) {
                        mirror();
                    }
                    if (o != enabled && !enabled.get()) {
                        // Picking int4 means "quantize this layer at 4 bits", not "change a setting that is off".
                        loading = true;
                        enabled.set(true);
                        loading = false;
                    }
                    preview();
                    commit();
                }
            });
        }
    }

    void invalidate() {
        exact.invalidate();
        figures.set(null);
    }

    /** A symmetric range is [-c, c] with c = max(|lo|, |hi|). */
    private void mirror() {
        double c = Math.max(Math.abs(lo.get()), Math.abs(hi.get()));
        loading = true;
        lo.set(-c);
        hi.set(c);
        loading = false;
        if (range instanceof RangeSpec.Explicit) {
            range = new RangeSpec.Explicit(-c, c);
        }
    }

    void load() {
        LayerFacts f = inspector.factsProperty().get();
        if (f == null) {
            return;
        }
        ResolvedPlan.Effective e = inspector.effective();
        WeightSpec w = e == null || e.quantize() == null ? null : e.quantize().weights();
        loading = true;
        try {
            enabled.set(w != null);
            WeightSpec shown = w != null ? w : WeightSpec.of(bits.get(), granularity.get() == Granularity.BLOCK
                    ? Granularity.BLOCK : granularity.get());
            bits.set(shown.bits());
            symmetric.set(shown.symmetric());
            granularity.set(shown.granularity());
            if (shown.block() > 0) {
                block.set(shown.block());
            }
            gptq.set(w != null && w.gptq());
            biasCorrection.set(w != null && w.biasCorrection());
            range = w == null ? RangeSpec.MINMAX : w.range();
            RangeSpec.Explicit r = QuantPreview.snap(f, spec(), range instanceof RangeSpec.Explicit ? RangeSpec.MINMAX : range);
            if (range instanceof RangeSpec.Explicit x) {
                r = x;
            }
            lo.set(r.lo());
            hi.set(r.hi());
        } finally {
            loading = false;
        }
        preview();
    }

    /** The setting the controls show. */
    public WeightSpec spec() {
        Granularity g = granularity.get();
        return new WeightSpec(bits.get(), symmetric.get(), g, g == Granularity.BLOCK ? block.get() : 0, range, null,
                gptq.get(), biasCorrection.get());
    }

    private void updateNote() {
        if (!enabled.get() || !gptq.get() && !biasCorrection.get()) {
            dataNote.set("");
            return;
        }
        StringBuilder b = new StringBuilder();
        if (gptq.get()) {
            b.append("GPTQ chooses the codes one input at a time and moves each rounding error onto the inputs not yet"
                    + " rounded, weighted by how the calibration data uses them: the same grid as here, different codes. ");
        }
        if (biasCorrection.get()) {
            b.append("Bias correction adds the mean output error on the calibration data back to the bias. ");
        }
        b.append("The figures here are round to nearest; an evaluation applies ")
                .append(gptq.get() && biasCorrection.get() ? "both" : "it").append('.');
        if (!plan.calibrated()) {
            b.append(" The plan has no calibration data yet: choose it with Edit > Calibration Data...");
        }
        dataNote.set(b.toString());
    }

    private void preview() {
        LayerFacts f = inspector.factsProperty().get();
        if (f != null) {
            figures.set(QuantPreview.estimate(f, spec()));
        }
    }

    /** Snaps the range to min-max, a percentile or the MSE-optimal clip, and writes the plan. */
    public void snap(RangeSpec how) {
        LayerFacts f = inspector.factsProperty().get();
        if (f == null) {
            return;
        }
        RangeSpec.Explicit r = QuantPreview.snap(f, spec(), how);
        loading = true;
        lo.set(r.lo());
        hi.set(r.hi());
        loading = false;
        range = how; // the plan keeps the rule (minmax, percentile, mse), not the numbers it gave here
        enabled.set(true);
        preview();
        commit();
    }

    /** The range was dragged: quantization is on with that range. */
    public void commitRange() {
        loading = true;
        enabled.set(true);
        loading = false;
        commit();
    }

    /** Writes the setting into the plan (one undo step) and asks for the exact figures. */
    public void commit() {
        pace.flush();
        WeightLayer l = inspector.layerProperty().get();
        if (l == null || inspector.factsProperty().get() == null) {
            return;
        }
        if (!enabled.get()) {
            plan.setQuantize(l.node(), null);
            return;
        }
        WeightSpec w = spec();
        plan.setQuantize(l.node(), QuantizeSpec.weights(w));
        debounce.call(() -> exact.submit(ExactPreview.quantize(l, w), fig -> {
            if (inspector.layerProperty().get() == l && w.equals(spec())) {
                figures.set(fig);
            }
        }));
    }

    /** Codes chosen by GPTQ ({@code weights.method: gptq}) rather than rounded to nearest. */
    public BooleanProperty gptqProperty() {
        return gptq;
    }

    /** The expected output shift folded into the bias ({@code quantize.biasCorrection}). */
    public BooleanProperty biasCorrectionProperty() {
        return biasCorrection;
    }

    /** What GPTQ and bias correction do beyond the figures shown, and whether calibration data is missing; "" otherwise. */
    public javafx.beans.property.ReadOnlyStringProperty dataNoteProperty() {
        return dataNote.getReadOnlyProperty();
    }

    public BooleanProperty enabledProperty() {
        return enabled;
    }

    public IntegerProperty bitsProperty() {
        return bits;
    }

    public BooleanProperty symmetricProperty() {
        return symmetric;
    }

    public ObjectProperty<Granularity> granularityProperty() {
        return granularity;
    }

    public IntegerProperty blockProperty() {
        return block;
    }

    public DoubleProperty loProperty() {
        return lo;
    }

    public DoubleProperty hiProperty() {
        return hi;
    }

    public ReadOnlyObjectProperty<QuantFigures> figuresProperty() {
        return figures.getReadOnlyProperty();
    }
}
