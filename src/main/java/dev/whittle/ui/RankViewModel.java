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
 * energy kept, the relative Frobenius error and the parameters before and after: lookups.
 */
public final class RankViewModel {
    private final InspectorViewModel inspector;
    private final PlanViewModel plan;
    private final BooleanProperty enabled = new SimpleBooleanProperty(this, "enabled", false);
    private final IntegerProperty rank = new SimpleIntegerProperty(this, "rank", 1);
    private final ReadOnlyObjectWrapper<RankFigures> figures = new ReadOnlyObjectWrapper<>(this, "figures");
    private double spectrumMillis = Double.NaN;
    private boolean loading;

    RankViewModel(InspectorViewModel inspector, PlanViewModel plan) {
        this.inspector = inspector;
        this.plan = plan;
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
            rank.set(spec == null ? Math.max(1, s.maxRank() / 4) : Math.min(s.maxRank(), RankPreview.rankFor(s, spec)));
        } finally {
            loading = false;
        }
        preview();
    }

    private void preview() {
        Spectrum s = inspector.spectrumProperty().get();
        figures.set(s == null ? null : RankPreview.at(s, rank.get()));
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
        plan.setLowrank(l.node(), LowRankSpec.rank(Math.max(1, rank.get())));
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
