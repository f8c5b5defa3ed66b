package dev.whittle.ui;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;

/**
 * Keeps the panel layout (split positions, inspector tab, layer-table column widths) per model,
 * across sessions through a {@link PanelStore}: opening a model again shows it as the user left
 * it, and a model seen for the first time keeps the layout of the window as it is.
 */
final class PanelMemory {
    private final PanelStore store;
    private final Map<String, SplitPane> splits;
    private final TabPane tabs;
    private final TableView<?> table;

    PanelMemory(PanelStore store, Map<String, SplitPane> splits, TabPane tabs, TableView<?> table) {
        this.store = store;
        this.splits = new LinkedHashMap<>(splits);
        this.tabs = tabs;
        this.table = table;
    }

    /** The window moves from model {@code previous} to {@code next} (either may be null). */
    void switchTo(Path previous, Path next) {
        remember(previous);
        if (next != null) {
            store.get(next).ifPresent(this::restore); // a new model keeps the current layout
        }
    }

    /** Saves the layout shown now as {@code model}'s (on switching models, and when the window closes). */
    void remember(Path model) {
        if (model != null) {
            store.put(model, capture());
        }
    }

    PanelStore.State capture() {
        Map<String, double[]> s = new LinkedHashMap<>();
        splits.forEach((name, pane) -> s.put(name, pane.getDividerPositions()));
        Map<String, Double> widths = new LinkedHashMap<>();
        for (TableColumn<?, ?> c : table.getColumns()) {
            if (c.getId() != null) {
                widths.put(c.getId(), c.getWidth());
            }
        }
        return new PanelStore.State(s, tabs.getSelectionModel().getSelectedIndex(), widths);
    }

    private void restore(PanelStore.State s) {
        s.splits().forEach((name, v) -> {
            SplitPane pane = splits.get(name);
            if (pane != null && v.length == pane.getDividers().size()) {
                pane.setDividerPositions(v);
            }
        });
        if (s.tab() >= 0 && s.tab() < tabs.getTabs().size()) {
            tabs.getSelectionModel().select(s.tab());
        }
        for (TableColumn<?, ?> c : table.getColumns()) {
            Double w = c.getId() == null ? null : s.columns().get(c.getId());
            if (w != null && w > 0) {
                c.setPrefWidth(w);
            }
        }
    }
}
