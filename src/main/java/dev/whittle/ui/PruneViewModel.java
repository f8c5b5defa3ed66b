package dev.whittle.ui;

import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.plan.ResolvedPlan;
import dev.whittle.core.preview.ChannelFigures;
import dev.whittle.core.preview.ChannelPreview;
import dev.whittle.core.preview.ExactPreview;
import dev.whittle.core.preview.LayerFacts;
import dev.whittle.core.preview.PruneFigures;
import dev.whittle.core.preview.PrunePreview;
import dev.whittle.core.prune.ChannelImpact;
import dev.whittle.core.prune.PruneSpec;
import dev.whittle.core.tensor.Histogram;
import java.util.List;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleObjectProperty;

/**
 * The prune tab: structure, sparsity and threshold (linked both ways through the layer's
 * cached |w| table: a lookup per event), the figures for them (estimate, then exact), and for
 * channel pruning the channel norms, which channels go and which layers shrink with them.
 * {@link #commit()} writes the setting into the plan: the view calls it when a drag or a slider
 * gesture ends, so one gesture is one undo step.
 */
public final class PruneViewModel {
    public static final List<String> STRUCTURES = List.of("unstructured", "2:4", "4:8", "channel");
    /** Bars of the |w| histogram drawn under the threshold line. */
    static final int BARS = 120;

    private final InspectorViewModel inspector;
    private final PlanViewModel plan;
    private final JobRunner jobs;
    private final Debounce debounce;
    private final LatestOnly<PruneFigures> exact;
    private final Coalesce pace;
    private final ObjectProperty<String> structure = new SimpleObjectProperty<>(this, "structure", "unstructured");
    private final ObjectProperty<String> criterion = new SimpleObjectProperty<>(this, "criterion", "magnitude");
    private final DoubleProperty sparsity = new SimpleDoubleProperty(this, "sparsity", 0);
    private final DoubleProperty threshold = new SimpleDoubleProperty(this, "threshold", 0);
    private final javafx.beans.property.BooleanProperty reconstruct = new javafx.beans.property.SimpleBooleanProperty(this,
            "reconstruct", false);
    /** The reconstruct value the plan gave (true, {damp: D} or {damp: auto}), kept while the box stays ticked. */
    private Object reconstructValue = Boolean.TRUE;
    private final ReadOnlyObjectWrapper<PruneFigures> figures = new ReadOnlyObjectWrapper<>(this, "figures");
    private final ReadOnlyObjectWrapper<ChannelFigures> channels = new ReadOnlyObjectWrapper<>(this, "channels");
    private final ReadOnlyObjectWrapper<Histogram> magnitudes = new ReadOnlyObjectWrapper<>(this, "magnitudes");
    private final javafx.beans.property.ReadOnlyStringWrapper dataNote = new javafx.beans.property.ReadOnlyStringWrapper(this,
            "dataNote", "");
    private ChannelImpact impact;
    private boolean linking;
    private boolean byThreshold;
    private boolean loading;

    PruneViewModel(InspectorViewModel inspector, PlanViewModel plan, JobRunner jobs, Debounce debounce) {
        this.inspector = inspector;
        this.plan = plan;
        this.jobs = jobs;
        this.debounce = debounce;
        this.exact = new LatestOnly<>(jobs, "Exact pruned share");
        this.pace = jobs.coalesce();
        threshold.addListener((o, a, t) -> {
            if (!linking) {
                byThreshold = true;
                pace.request(this::preview);
            }
        });
        sparsity.addListener((o, a, s) -> {
            if (!linking) {
                byThreshold = false;
                pace.request(this::preview);
            }
        });
        structure.addListener((o, a, s) -> {
            if (!criteria(s).contains(criterion.get())) {
                // l1/l2/activation rank channels, magnitude/wanda single weights: keep the idea, not the word
                boolean dataAware = dataAware();
                boolean was = loading;
                loading = true;
                criterion.set(s.equals("channel") ? (dataAware ? "activation" : "l1") : (dataAware ? "wanda" : "magnitude"));
                loading = was;
            }
            if (!loading) {
                preview();
                commit();
            }
        });
        criterion.addListener((o, a, s) -> updateNote());
        reconstruct.addListener((o, a, s) -> {
            updateNote();
            if (!loading) {
                commit();
            }
        });
        structure.addListener((o, a, s) -> updateNote());
        plan.planProperty().addListener((o, a, p) -> updateNote());
        criterion.addListener((o, a, s) -> {
            if (!loading) {
                preview();
                commit();
            }
        });
    }

    void invalidate() {
        exact.invalidate();
        impact = null;
        channels.set(null);
        figures.set(null);
        magnitudes.set(null);
    }

    /** Loads the controls from what the plan gives the selected layer. */
    void load() {
        LayerFacts f = inspector.factsProperty().get();
        if (f == null) {
            return;
        }
        Histogram h = inspector.magnitudes(f);
        magnitudes.set(h != null ? h : histogram(f));
        ResolvedPlan.Effective e = inspector.effective();
        PruneSpec p = e == null ? null : e.prune();
        loading = true;
        try {
            structure.set(p == null || p.isGlobal() ? "unstructured" : p.structure());
            // a spec without a criterion says "l1", which for single weights means magnitude
            List<String> allowed = criteria(structure.get());
            reconstruct.set(e != null && e.reconstructs());
            reconstructValue = e != null && e.reconstructs() ? e.reconstruct() : Boolean.TRUE;
            criterion.set(p == null || p.isGlobal() || !allowed.contains(p.criterion()) ? allowed.get(0) : p.criterion());
            linking = true;
            if (p == null) {
                sparsity.set(0);
                threshold.set(0);
                byThreshold = false;
            } else if (p.threshold() != null) {
                threshold.set(p.threshold());
                byThreshold = true;
            } else if (p.sparsity() != null) {
                sparsity.set(p.sparsity());
                byThreshold = false;
            }
            linking = false;
            preview();
        } finally {
            linking = false;
            loading = false;
        }
    }

    /** The instant tier: figures from the cached table, the other control moved to match. */
    private void preview() {
        LayerFacts f = inspector.factsProperty().get();
        if (f == null) {
            return;
        }
        String s = structure.get();
        PruneFigures fig;
        if (s.equals("unstructured")) {
            byThreshold &= !dataAware(); // Wanda and SparseGPT take a share of each row, not a |w| threshold
            fig = byThreshold ? PrunePreview.atThreshold(f, threshold.get()) : PrunePreview.atSparsity(f, sparsity.get());
            linking = true;
            if (byThreshold) {
                sparsity.set(Math.min(0.99, fig.fraction()));
            } else {
                threshold.set(fig.threshold());
            }
            linking = false;
        } else {
            PruneSpec sp = spec();
            fig = sp == null ? PrunePreview.atSparsity(f, 0) : PrunePreview.of(f, sp);
        }
        figures.set(fig);
        if (s.equals("channel")) {
            showChannels(f);
        } else {
            channels.set(null);
        }
    }

    private void showChannels(LayerFacts f) {
        WeightLayer l = inspector.layerProperty().get();
        if (impact != null && impact.node().equals(l.node())) {
            channels.set(ChannelPreview.at(f, impact, sparsity.get(), criterion.get()));
            return;
        }
        var m = plan.model();
        jobs.start("Channels of " + l.node(), (p, c) -> ChannelPreview.impact(m, l.node()), i -> {
            if (inspector.layerProperty().get() == l) {
                impact = i;
                channels.set(ChannelPreview.at(f, i, sparsity.get(), criterion.get()));
            }
        }, e -> { });
    }

    /** The criteria that rank what {@code structure} removes: channels by norm or activation, weights by magnitude or Wanda. */
    public static List<String> criteria(String structure) {
        return structure.equals("channel") ? List.of("l1", "l2", "activation") : List.of("magnitude", "wanda", "sparsegpt");
    }

    /** Whether the chosen criterion ranks by calibration data (so the picture here is only the weights' side). */
    public boolean dataAware() {
        return "wanda".equals(criterion.get()) || "activation".equals(criterion.get()) || "sparsegpt".equals(criterion.get());
    }

    private void updateNote() {
        if (!dataAware() && !reconstruct.get()) {
            dataNote.set("");
            return;
        }
        StringBuilder b = new StringBuilder();
        if (dataAware()) {
            b.append("wanda".equals(criterion.get())
                    ? "Wanda ranks each weight by |w| x the norm of the input it multiplies on the calibration data, within"
                    + " each output: the histogram and figures here show |w| alone"
                    : "sparsegpt".equals(criterion.get())
                    ? "SparseGPT removes weights one input at a time by how much the layer's output on the calibration data"
                    + " needs them, and updates the weights it keeps to make up for each removal: the histogram and figures"
                    + " here show |w| alone"
                    : "Activation ranks channels by their mean output on the calibration data (after a Relu, what it passes"
                    + " on): the bars here show the L1 norm").append("; an evaluation applies the real ranking. ");
        }
        if (reconstruct.get()) {
            b.append("Refit: after pruning, the weights left").append("channel".equals(structure.get())
                    ? " (and those of the layers reading the removed channels)" : "").append(" are refit by least squares so"
                    + " the layer's outputs on the calibration data match the original's; the figures here are before the"
                    + " refit. ");
        }
        if (!plan.calibrated()) {
            b.append("The plan has no calibration data yet: choose it with Edit > Calibration Data...");
        }
        dataNote.set(b.toString().trim());
    }

    /** Why the picture differs from what the data-aware criterion will do, and whether calibration data is missing; "" otherwise. */
    public javafx.beans.property.ReadOnlyStringProperty dataNoteProperty() {
        return dataNote.getReadOnlyProperty();
    }

    /** The setting the controls show, or null for "no pruning". */
    PruneSpec spec() {
        String s = structure.get();
        boolean wanda = "wanda".equals(criterion.get()) || "sparsegpt".equals(criterion.get());
        if (s.contains(":")) {
            String[] nm = s.split(":");
            return wanda ? PruneSpec.dataAware(null, s, criterion.get())
                    : PruneSpec.nOfM(Integer.parseInt(nm[0]), Integer.parseInt(nm[1]));
        }
        if (s.equals("channel")) {
            return sparsity.get() <= 0 ? null : PruneSpec.channel(Math.min(0.99, sparsity.get()), criterion.get());
        }
        if (wanda) {
            return sparsity.get() <= 0 ? null : PruneSpec.dataAware(Math.min(0.99, sparsity.get()), null, criterion.get());
        }
        if (byThreshold) {
            return threshold.get() <= 0 ? null : PruneSpec.threshold(threshold.get());
        }
        return sparsity.get() <= 0 ? null : PruneSpec.sparsity(Math.min(0.99, sparsity.get()));
    }

    /** Writes the setting into the plan (one undo step) and asks for the exact figures. */
    public void commit() {
        pace.flush();
        WeightLayer l = inspector.layerProperty().get();
        if (l == null || inspector.factsProperty().get() == null) {
            return;
        }
        PruneSpec spec = spec();
        Object r = reconstructValue;
        if (spec != null && !spec.isChannel() && r instanceof java.util.Map<?, ?> m && "auto".equals(m.get("damp"))) {
            r = Boolean.TRUE; // cross-validated damping is for channel refits; single weights take the default
        }
        plan.setPrune(l.node(), spec, spec != null && reconstruct.get() ? r : null);
        if (spec != null) {
            debounce.call(() -> exact.submit(ExactPreview.prune(l, spec), fig -> {
                if (inspector.layerProperty().get() == l && spec.equals(spec())) {
                    figures.set(fig);
                }
            }));
        }
    }

    /** A linear |w| histogram over [0, max|w|] from the cached table: BARS lookups, no pass over the weights. */
    static Histogram histogram(LayerFacts f) {
        double top = f.absMax() > 0 ? f.absMax() : 1;
        long[] counts = new long[BARS];
        long before = 0;
        for (int i = 0; i < BARS; i++) {
            double edge = top * (i + 1) / BARS;
            long upTo = i == BARS - 1 ? f.count() : PrunePreview.atThreshold(f, edge).count();
            counts[i] = Math.max(0, upTo - before);
            before = Math.max(before, upTo);
        }
        return new Histogram(0, top, counts, false, 0);
    }

    public ObjectProperty<String> structureProperty() {
        return structure;
    }

    /** Whether the layer is refit after pruning ({@code reconstruct}). */
    public javafx.beans.property.BooleanProperty reconstructProperty() {
        return reconstruct;
    }

    public ObjectProperty<String> criterionProperty() {
        return criterion;
    }

    public DoubleProperty sparsityProperty() {
        return sparsity;
    }

    public DoubleProperty thresholdProperty() {
        return threshold;
    }

    public ReadOnlyObjectProperty<PruneFigures> figuresProperty() {
        return figures.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<ChannelFigures> channelsProperty() {
        return channels.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<Histogram> magnitudesProperty() {
        return magnitudes.getReadOnlyProperty();
    }
}
