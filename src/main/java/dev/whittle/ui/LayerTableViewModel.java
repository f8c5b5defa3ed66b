package dev.whittle.ui;

import dev.whittle.core.model.WeightLayer;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;

/**
 * The weight layers of the open model, filtered by a name substring (case-insensitive, matched
 * against the node and the weight name) and an op type. Sorting is the table's business: it
 * wraps {@link #visibleLayers()} in a SortedList bound to its own comparator.
 */
public final class LayerTableViewModel {
    public static final String ALL_OPS = "All ops";

    private final ObservableList<WeightLayer> layers = FXCollections.observableArrayList();
    private final FilteredList<WeightLayer> visible = new FilteredList<>(layers);
    private final ObservableList<String> ops = FXCollections.observableArrayList(ALL_OPS);
    // Kept, not made per call: unmodifiable views listen weakly to their source.
    private final ObservableList<WeightLayer> layersView = FXCollections.unmodifiableObservableList(layers);
    private final ObservableList<String> opsView = FXCollections.unmodifiableObservableList(ops);
    private final StringProperty nameFilter = new SimpleStringProperty(this, "nameFilter", "");
    private final ObjectProperty<String> opFilter = new SimpleObjectProperty<>(this, "opFilter", ALL_OPS);
    private final ReadOnlyStringWrapper countText = new ReadOnlyStringWrapper(this, "countText", "");
    private final ObjectProperty<WeightLayer> selected = new SimpleObjectProperty<>(this, "selected");

    public LayerTableViewModel() {
        nameFilter.addListener((o, a, b) -> refilter());
        opFilter.addListener((o, a, b) -> refilter());
        refilter();
    }

    /** Shows another model's layers; filters reset because the old op may not exist in it. */
    public void setLayers(List<WeightLayer> list) {
        selected.set(null);
        layers.setAll(list);
        List<String> next = new java.util.ArrayList<>();
        next.add(ALL_OPS);
        list.stream().map(WeightLayer::op).distinct().sorted().forEach(next::add);
        ops.setAll(next);
        // After the ops: a ChoiceBox showing them may have cleared its value while they changed.
        nameFilter.set("");
        opFilter.set(ALL_OPS);
        refilter();
    }

    public ObservableList<WeightLayer> allLayers() {
        return layersView;
    }

    public FilteredList<WeightLayer> visibleLayers() {
        return visible;
    }

    /** {@link #ALL_OPS} followed by the op types present, sorted. */
    public ObservableList<String> ops() {
        return opsView;
    }

    public StringProperty nameFilterProperty() {
        return nameFilter;
    }

    public ObjectProperty<String> opFilterProperty() {
        return opFilter;
    }

    /** "37 layers" or "6 of 37 layers". */
    public ReadOnlyStringProperty countTextProperty() {
        return countText.getReadOnlyProperty();
    }

    public ObjectProperty<WeightLayer> selectedProperty() {
        return selected;
    }

    static Predicate<WeightLayer> filter(String name, String op) {
        String needle = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
        boolean anyOp = op == null || ALL_OPS.equals(op);
        return l -> (anyOp || l.op().equals(op))
                && (needle.isEmpty() || l.node().toLowerCase(Locale.ROOT).contains(needle)
                || l.weight().toLowerCase(Locale.ROOT).contains(needle));
    }

    /** Orders shapes by rank, then dimension by dimension, so [64, 3, 3, 3] sorts after [512, 10]. */
    public static final Comparator<long[]> SHAPE_ORDER = (a, b) -> {
        if (a.length != b.length) {
            return Integer.compare(a.length, b.length);
        }
        for (int i = 0; i < a.length; i++) {
            int c = Long.compare(a[i], b[i]);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    };

    private void refilter() {
        visible.setPredicate(filter(nameFilter.get(), opFilter.get()));
        int n = layers.size();
        int shown = visible.size();
        String noun = n == 1 ? " layer" : " layers";
        countText.set(shown == n ? n + noun : shown + " of " + n + noun);
    }
}
