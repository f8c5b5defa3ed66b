package dev.whittle.ui;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TabPane;

/**
 * Keeps the panel layout (split positions, inspector tab) per model for the session: switching
 * back to a model shows it as the user left it, and a model seen for the first time keeps the
 * layout of the window as it is. (Kept in memory; writing it to the config folder is a later step.)
 */
final class PanelMemory {
    private record State(double[] main, double[] left, int tab) {
    }

    private final SplitPane main;
    private final SplitPane left;
    private final TabPane tabs;
    private final Map<Path, State> states = new HashMap<>();

    PanelMemory(SplitPane main, SplitPane left, TabPane tabs) {
        this.main = main;
        this.left = left;
        this.tabs = tabs;
    }

    void switchTo(Path previous, Path next) {
        if (previous != null) {
            states.put(previous, capture());
        }
        if (next != null && states.containsKey(next)) {
            restore(states.get(next)); // a model seen before comes back as it was left; a new one keeps the current layout
        }
    }

    private State capture() {
        return new State(main.getDividerPositions(), left.getDividerPositions(),
                tabs.getSelectionModel().getSelectedIndex());
    }

    private void restore(State s) {
        main.setDividerPositions(s.main());
        left.setDividerPositions(s.left());
        if (s.tab() >= 0 && s.tab() < tabs.getTabs().size()) {
            tabs.getSelectionModel().select(s.tab());
        }
    }
}
