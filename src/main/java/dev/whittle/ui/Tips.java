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

    /**
     * The tooltip of {@code c}, made when the mouse first enters it: for controls rebuilt per
     * model, where making every Tooltip up front (a popup window each) costs the FX thread.
     */
    static void lazy(javafx.scene.control.Control c, String text) {
        c.addEventHandler(javafx.scene.input.MouseEvent.MOUSE_ENTERED, new javafx.event.EventHandler<>() {
            @Override
            public void handle(javafx.scene.input.MouseEvent e) {
                c.removeEventHandler(javafx.scene.input.MouseEvent.MOUSE_ENTERED, this);
                if (c.getTooltip() == null) {
                    c.setTooltip(of(text));
                }
            }
        });
    }

    /** A tooltip on any node (charts and panes have no setTooltip). */
    static void install(javafx.scene.Node node, String text) {
        Tooltip.install(node, of(text));
    }
}
