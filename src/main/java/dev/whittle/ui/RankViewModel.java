package dev.whittle.ui;

import dev.whittle.core.lowrank.LowRankSpec;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.plan.ResolvedPlan;
import dev.whittle.core.preview.RankFigures;
import dev.whittle.core.preview.RankPreview;
import dev.whittle.core.preview.Spectrum;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;

/**
 * The low-rank tab: the rank, and from the layer's spectrum (computed once, as a job) the
 * energy kept, the relative Frobenius error and the parameters before and after: lookups. With
 * "whiten" on and calibration data in the plan, also the whitened spectrum (a job that runs the
 * model on the calibration data, once per layer and data file), whose energy kept is the share
 * of the layer's output energy the whitened factors keep.
 */
public final class RankViewModel {
    private final InspectorViewModel inspector;
    private final PlanViewModel plan;
    private final BooleanProperty enabled = new SimpleBooleanProperty(this, "enabled", false);
    private final IntegerProperty rank = new SimpleIntegerProperty(this, "rank", 1);
    private final ReadOnlyObjectWrapper<RankFigures> figures = new ReadOnlyObjectWrapper<>(this, "figures");
    private final BooleanProperty whiten = new SimpleBooleanProperty(this, "whiten", false);
    /** Refit the factors after factoring (the recipe's reconstruct, shared with the layer's pruning set here). */
    private final BooleanProperty reconstruct = new SimpleBooleanProperty(this, "reconstruct", false);
    /** The reconstruct value the plan gave ({damp: D} or {damp: auto}), kept while the box stays ticked. */
    private Object reconstructValue = Boolean.TRUE;
    private final javafx.beans.property.ReadOnlyStringWrapper refitNote = new javafx.beans.property.ReadOnlyStringWrapper(
            this, "refitNote", "");
    private final ReadOnlyObjectWrapper<float[]> whitened = new ReadOnlyObjectWrapper<>(this, "whitened");
    private final javafx.beans.property.ReadOnlyStringWrapper whitenNote = new javafx.beans.property.ReadOnlyStringWrapper(
            this, "whitenNote", "");
    private final JobRunner jobs;
    /** Whitened spectra of the open model, by node and calibration file. */
    private final java.util.Map<String, float[]> whitenedCache = new java.util.HashMap<>();
    private Object cacheModel;
    private RunningJob whitening;
    private double spectrumMillis = Double.NaN;
    private boolean loading;

    RankViewModel(InspectorViewModel inspector, PlanViewModel plan, JobRunner jobs) {
        this.inspector = inspector;
        this.plan = plan;
        this.jobs = jobs;
        whiten.addListener((o, a, w) -> {
            if (!loading) {
                if (w) {
                    // whitening is a way of factoring: asking for it factors the layer
                    loading = true;
                    enabled.set(true);
                    loading = false;
                }
                showWhitened();
                commit();
            }
        });
        reconstruct.addListener((o, a, r) -> {
            if (!loading) {
                if (r) {
                    loading = true;
                    enabled.set(true); // refitting the factors factors the layer
                    loading = false;
                }
                commit();
            }
            updateRefitNote();
        });
        plan.planProperty().addListener((o, a, p) -> updateRefitNote());
        plan.planProperty().addListener((o, a, p) -> {
            if (whiten.get() && (a == null || p == null || !java.util.Objects.equals(a.calibration(), p.calibration()))) {
                showWhitened();
            }
        });
        rank.addListener((o, a, r) -> {
            if (!loading) {
                preview();
            }
        });
        enabled.addListener((o, a, b) -> {
            if (!loading) {
                commit();
            }
        });
    }

    void computedIn(double millis) {
        spectrumMillis = millis;
    }

    /** How long the first spectrum of the layer took (NaN when it came from the cache). */
    public double spectrumMillis() {
        return spectrumMillis;
    }

    void load() {
        Spectrum s = inspector.spectrumProperty().get();
        if (s == null) {
            figures.set(null);
            return;
        }
        ResolvedPlan.Effective e = inspector.effective();
        LowRankSpec spec = e == null ? null : e.lowrank();
        loading = true;
        try {
            enabled.set(spec != null);
            whiten.set(spec != null && spec.whiten());
            reconstruct.set(e != null && e.lowrankReconstructs());
            reconstructValue = e != null && e.lowrankReconstructs() ? e.lowrankReconstruct() : Boolean.TRUE;
            rank.set(spec == null ? Math.max(1, s.maxRank() / 4) : Math.min(s.maxRank(), RankPreview.rankFor(s, spec)));
        } finally {
            loading = false;
        }
        preview();
        showWhitened();
    }

    /** Shows the whitened spectrum of the selected layer (from the cache, or a job), or why there is none. */
    private void showWhitened() {
        if (whitening != null) {
            whitening.cancel();
            whitening = null;
        }
        WeightLayer l = inspector.layerProperty().get();
        if (!whiten.get() || l == null) {
            whitened.set(null);
            whitenNote.set("");
            return;
        }
        dev.whittle.core.recipe.Calibration c = plan.planProperty().get().calibration();
        if (c == null || c.data() == null) {
            whitened.set(null);
            whitenNote.set("Whitening needs calibration data (Edit > Calibration Data...): the spectrum here is W's alone.");
            return;
        }
        dev.whittle.core.onnx.OnnxModel m = plan.model();
        if (cacheModel != m) {
            whitenedCache.clear();
            cacheModel = m;
        }
        java.nio.file.Path folder = plan.recipeFolder();
        java.nio.file.Path file = (folder == null ? java.nio.file.Path.of("").toAbsolutePath() : folder).resolve(c.data()).normalize();
        String key = l.node() + "\n" + file + "\n" + c.samples();
        float[] hit = whitenedCache.get(key);
        if (hit != null) {
            whitened.set(hit);
            whitenNote.set(note(hit));
            return;
        }
        whitened.set(null);
        whitenNote.set("Computing the whitened spectrum on " + file.getFileName() + "...");
        int samples = c.samples() == null ? 0 : c.samples();
        whitening = jobs.start("Whitened spectrum of " + l.node(), (p, cancel) -> dev.whittle.core.analysis.WhitenedSpectrum.of(m, l,
                dev.whittle.core.analysis.CalibrationFiles.load(m.graph(), java.util.List.of(file.toString()), null, 32, samples,
                        "calibration data"), f -> p.update(Math.round(f * 1000), 1000, "calibration data"), cancel::isCancelled),
                (float[] w) -> {
                    whitenedCache.put(key, w);
                    if (inspector.layerProperty().get() == l && whiten.get()) {
                        whitened.set(w);
                        whitenNote.set(note(w));
                    }
                }, e -> {
                    if (inspector.layerProperty().get() == l) {
                        whitenNote.set("No whitened spectrum: " + e.getMessage());
                    }
                });
    }

    private String note(float[] w) {
        return "Dashed: energy kept of the whitened spectrum (singular values of R W, R'R = X'X of the layer's input on the"
                + " calibration data, around its mean when the layer has a bias, which then takes the mean): the share of"
                + " the layer's output (its variation) the whitened factors keep. At rank " + rank.get()
                + ": " + Format.percent(keptShare(w, rank.get())) + ".";
    }

    /** Share of sum sigma^2 the first {@code r} values hold. */
    static double keptShare(float[] s, int r) {
        double all = 0;
        double kept = 0;
        for (int i = 0; i < s.length; i++) {
            all += (double) s[i] * s[i];
            if (i < r) {
                kept += (double) s[i] * s[i];
            }
        }
        return all == 0 ? 1 : kept / all;
    }

    private void preview() {
        Spectrum s = inspector.spectrumProperty().get();
        figures.set(s == null ? null : RankPreview.at(s, rank.get()));
        if (whitened.get() != null) {
            whitenNote.set(note(whitened.get()));
        }
    }

    /** The rank slider or line was released: factoring is on, at that rank. */
    public void commitRank() {
        loading = true;
        enabled.set(true);
        loading = false;
        commit();
    }

    /** Writes rank (or no factoring) into the plan: one undo step. */
    public void commit() {
        WeightLayer l = inspector.layerProperty().get();
        if (l == null || inspector.spectrumProperty().get() == null) {
            return;
        }
        if (!enabled.get()) {
            plan.setLowrank(l.node(), null);
            return;
        }
        plan.setLowrank(l.node(), LowRankSpec.rank(Math.max(1, rank.get())).withWhiten(whiten.get()),
                reconstruct.get() ? reconstructValue : null);
    }

    /** What Refit does, or why it cannot yet; "" with Refit off. */
    private void updateRefitNote() {
        if (!reconstruct.get()) {
            refitNote.set("");
            return;
        }
        dev.whittle.core.plan.Plan p = plan.planProperty().get();
        boolean data = p != null && p.calibration() != null && p.calibration().data() != null;
        refitNote.set("Refit: both factors and the bias fit again to this layer's original output on the calibration"
                + " data, fed by the layers before it as compressed."
                + (data ? "" : " Needs calibration data (Edit > Calibration Data...)."));
    }

    public BooleanProperty reconstructProperty() {
        return reconstruct;
    }

    /** What Refit does, or why it cannot run; "" with Refit off. */
    public javafx.beans.property.ReadOnlyStringProperty refitNoteProperty() {
        return refitNote.getReadOnlyProperty();
    }

    public BooleanProperty whitenProperty() {
        return whiten;
    }

    /** The selected layer's whitened spectrum when whiten is on and it is known, else null. */
    public ReadOnlyObjectProperty<float[]> whitenedProperty() {
        return whitened.getReadOnlyProperty();
    }

    /** What the whitened curve shows, or why there is none; "" with whiten off. */
    public javafx.beans.property.ReadOnlyStringProperty whitenNoteProperty() {
        return whitenNote.getReadOnlyProperty();
    }

    public BooleanProperty enabledProperty() {
        return enabled;
    }

    public IntegerProperty rankProperty() {
        return rank;
    }

    public ReadOnlyObjectProperty<RankFigures> figuresProperty() {
        return figures.getReadOnlyProperty();
    }
}
