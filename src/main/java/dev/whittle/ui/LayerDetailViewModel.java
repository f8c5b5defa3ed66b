package dev.whittle.ui;

import dev.whittle.core.model.TensorData;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.tensor.Histogram;
import dev.whittle.core.tensor.WeightStatistics;
import dev.whittle.core.tensor.WeightStats;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.ObjectBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;

/**
 * The selected layer's statistics and histogram. Statistics are computed off the FX thread,
 * once per tensor (cached until another model is opened); a generation counter drops results
 * that arrive after the user has selected another layer.
 */
public final class LayerDetailViewModel {
    /** Number of histogram bins: fine enough to show shape, coarse enough for 1-2 px bars. */
    public static final int BINS = 128;

    /** Which histogram the panel draws. */
    public enum HistogramKind {
        /** Counts of w over [min, max]. */
        VALUES,
        /** Counts of log10|w| over the nonzero weights: shows small magnitudes and dynamic range. */
        LOG_MAGNITUDE
    }

    private final Background background;
    private final Function<TensorData, WeightStats> statistics;
    private final Map<TensorData, WeightStats> cache = new HashMap<>();
    private final Set<TensorData> running = new HashSet<>();
    private long generation;
    private int computations;

    private final ReadOnlyObjectWrapper<WeightLayer> layer = new ReadOnlyObjectWrapper<>(this, "layer");
    private final ReadOnlyObjectWrapper<WeightStats> stats = new ReadOnlyObjectWrapper<>(this, "stats");
    private final ReadOnlyBooleanWrapper computing = new ReadOnlyBooleanWrapper(this, "computing");
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper(this, "message", "Select a layer to see its weights.");
    private final BooleanProperty logCounts = new SimpleBooleanProperty(this, "logCounts", false);
    private final ObjectProperty<HistogramKind> kind = new SimpleObjectProperty<>(this, "kind", HistogramKind.VALUES);
    private final ObjectBinding<Histogram> histogram;

    public LayerDetailViewModel(Background background) {
        this(background, t -> WeightStatistics.compute(t, BINS));
    }

    /** @param statistics computes one tensor's statistics; tests pass a counting or blocking one */
    public LayerDetailViewModel(Background background, Function<TensorData, WeightStats> statistics) {
        this.background = background;
        this.statistics = statistics;
        histogram = Bindings.createObjectBinding(() -> {
            WeightStats s = stats.get();
            if (s == null) {
                return null;
            }
            return kind.get() == HistogramKind.LOG_MAGNITUDE ? s.logHistogram() : s.histogram();
        }, stats, kind);
    }

    /** Shows {@code l} (null clears the panel); computes its statistics unless cached. */
    public void select(WeightLayer l) {
        long gen = ++generation;
        layer.set(l);
        if (l == null) {
            show(null, false, "Select a layer to see its weights.");
            return;
        }
        TensorData t = l.tensor();
        if (t == null || !t.isNumeric()) {
            show(null, false, "The weight of " + l.node() + " has no numeric values to show.");
            return;
        }
        WeightStats cached = cache.get(t);
        if (cached != null) {
            show(cached, false, "");
            return;
        }
        show(null, true, "Computing statistics of " + Format.count(t.count()) + " weights...");
        if (!running.add(t)) {
            return; // already being computed for an earlier selection; finished() will show it
        }
        computations++;
        background.run(() -> statistics.apply(t), s -> finished(gen, t, s), e -> failed(gen, t, e));
    }

    /** Forgets the cache: the next model's tensors are different objects. */
    public void reset() {
        cache.clear();
        running.clear();
        select(null);
    }

    private void finished(long gen, TensorData t, WeightStats s) {
        if (!running.remove(t)) {
            return; // computed for a model that has been closed since
        }
        cache.put(t, s);
        // Show it if it answers the latest request, or if the user came back to this tensor meanwhile.
        if (gen == generation || current() == t) {
            show(s, false, "");
        }
    }

    private void failed(long gen, TensorData t, Throwable e) {
        running.remove(t);
        if (gen == generation || current() == t) {
            show(null, false, "Cannot compute statistics: " + ErrorReport.of("", e).message());
        }
    }

    private TensorData current() {
        WeightLayer l = layer.get();
        return l == null ? null : l.tensor();
    }

    private void show(WeightStats s, boolean busy, String text) {
        stats.set(s);
        computing.set(busy);
        message.set(text);
    }

    public ReadOnlyObjectProperty<WeightLayer> layerProperty() {
        return layer.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<WeightStats> statsProperty() {
        return stats.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty computingProperty() {
        return computing.getReadOnlyProperty();
    }

    /** Empty when statistics are shown; otherwise why not (nothing selected, computing, failed). */
    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    public BooleanProperty logCountsProperty() {
        return logCounts;
    }

    public ObjectProperty<HistogramKind> kindProperty() {
        return kind;
    }

    /** The histogram to draw: the selected kind of the shown statistics, or null. */
    public ObjectBinding<Histogram> histogramProperty() {
        return histogram;
    }

    /** How many statistics passes have been started: tests check the cache with it. */
    public int computations() {
        return computations;
    }
}
