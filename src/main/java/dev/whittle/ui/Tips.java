package dev.whittle.ui;

import javafx.scene.control.Tooltip;
import javafx.util.Duration;

/** Tooltips that explain figures: shown quickly, wrapped, and kept up long enough to read. */
final class Tips {
    private Tips() {
    }

    static Tooltip of(String text) {
        Tooltip t = new Tooltip(text);
        t.setShowDelay(Duration.millis(250));
        t.setShowDuration(Duration.seconds(30));
        t.setWrapText(true);
        t.setMaxWidth(360);
        return t;
    }

    /** A tooltip on any node (charts and panes have no setTooltip). */
    static void install(javafx.scene.Node node, String text) {
        Tooltip.install(node, of(text));
    }
}
