package dev.whittle.ui;

import dev.whittle.core.analysis.SensitivityTable;
import java.util.function.BiConsumer;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.layout.Background;
import javafx.scene.layout.BackgroundFill;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.paint.Color;

/**
 * Layers x levels, each cell the primary metric coloured by how far it falls below the
 * unmodified model: white for no loss, through yellow, to red for the largest loss in the
 * table. The cell of the level the plan gives a layer is framed. Clicking a cell hands (layer, level) to the listener: the tab sets that level on that
 * layer in the plan.
 */
final class SensitivityHeatTable extends GridPane {
    private static final Color NONE = Color.WHITE;
    private static final Color MID = Color.web("#f7d774");
    private static final Color WORST = Color.web("#e0614f");
    private final BiConsumer<String, Double> onClick;

    SensitivityHeatTable(BiConsumer<String, Double> onClick) {
        this.onClick = onClick;
        getStyleClass().add("heat-table");
        setHgap(1);
        setVgap(1);
        setPadding(new Insets(4));
    }

    /**
     * @param current the layer's level of the table's method under the plan, or null (its cell gets a frame)
     * @return the largest loss in the table (what red means), 0 when none
     */
    double show(SensitivityTable t, java.util.function.Function<String, Double> current) {
        getChildren().clear();
        getColumnConstraints().clear();
        if (t == null) {
            return 0;
        }
        ColumnConstraints name = new ColumnConstraints(120, 260, 420);
        getColumnConstraints().add(name);
        add(header("layer", Pos.CENTER_LEFT), 0, 0);
        for (int j = 0; j < t.levels().size(); j++) {
            getColumnConstraints().add(new ColumnConstraints(70));
            add(header(Format.number(t.levels().get(j)), Pos.CENTER), j + 1, 0);
        }
        double worst = 0;
        for (String l : t.layers()) {
            for (double level : t.levels()) {
                worst = Math.max(worst, loss(t, t.value(l, level)));
            }
        }
        for (int i = 0; i < t.layers().size(); i++) {
            String layer = t.layers().get(i);
            Label n = new Label(layer);
            n.setTextOverrun(javafx.scene.control.OverrunStyle.LEADING_ELLIPSIS);
            n.setMaxWidth(Double.MAX_VALUE);
            Tips.install(n, layer);
            add(n, 0, i + 1);
            for (int j = 0; j < t.levels().size(); j++) {
                double level = t.levels().get(j);
                Double v = t.value(layer, level);
                Label c = new Label(SensitivityViewModel.value(t.metric(), v));
                c.getStyleClass().add("heat-cell");
                c.setUserData(layer + "@" + level);
                c.setAlignment(Pos.CENTER);
                c.setMaxWidth(Double.MAX_VALUE);
                c.setPadding(new Insets(1, 4, 1, 4));
                c.setBackground(new Background(new BackgroundFill(shade(worst > 0 ? loss(t, v) / worst : 0), null, null)));
                Double now = current.apply(layer);
                if (now != null && Math.abs(now - level) < 1e-9) {
                    c.setBorder(new javafx.scene.layout.Border(new javafx.scene.layout.BorderStroke(Color.web("#1f3f8f"),
                            javafx.scene.layout.BorderStrokeStyle.SOLID, null, new javafx.scene.layout.BorderWidths(2))));
                    c.getStyleClass().add("heat-cell-current");
                }
                Tips.install(c, layer + " at " + t.method() + " " + Format.number(level) + ": " + t.metric() + " "
                        + SensitivityViewModel.value(t.metric(), v) + " (unmodified "
                        + SensitivityViewModel.value(t.metric(), t.baseline()) + "). Click to set this level on this layer in the plan.");
                c.setOnMouseClicked(e -> onClick.accept(layer, level));
                c.setCursor(javafx.scene.Cursor.HAND);
                add(c, j + 1, i + 1);
            }
        }
        return worst;
    }

    private static Label header(String text, Pos pos) {
        Label h = new Label(text);
        h.getStyleClass().add("section-title");
        h.setAlignment(pos);
        h.setMaxWidth(Double.MAX_VALUE);
        return h;
    }

    /** How far below the unmodified model a value is (0 when not below, or unknown). */
    static double loss(SensitivityTable t, Double v) {
        if (v == null || t.baseline() == null || !Double.isFinite(v)) {
            return 0;
        }
        return Math.max(0, t.baseline() - v);
    }

    /** White at 0, yellow at 0.5, red at 1. */
    static Color shade(double f) {
        f = Math.max(0, Math.min(1, f));
        return f < 0.5 ? NONE.interpolate(MID, f * 2) : MID.interpolate(WORST, (f - 0.5) * 2);
    }
}
