package dev.whittle.ui;

import dev.whittle.core.tensor.WeightStats;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javafx.geometry.HPos;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/** The figures of one layer's statistics, each with a tooltip that says what it means. */
public final class StatsView extends VBox {
    private final GridPane summary = grid();
    private final GridPane percentiles = grid();
    private final Map<String, Label> values = new LinkedHashMap<>();

    public StatsView() {
        getStyleClass().add("stats-view");
        setSpacing(6);
        Label stats = new Label("Statistics");
        stats.getStyleClass().add("subsection-title");
        Label pct = new Label("Magnitude percentiles");
        pct.getStyleClass().add("subsection-title");
        pct.setTooltip(Tips.of("Percentiles of |w|, the weights' absolute values: the figures magnitude"
                + " pruning and clipped quantization use."));
        getChildren().addAll(stats, summary, pct, percentiles);
    }

    /** Shows {@code s}; null (nothing selected, or computing) blanks the figures but keeps the rows for the next. */
    public void show(WeightStats s) {
        values.clear();
        summary.setVisible(s != null);
        percentiles.setVisible(s != null);
        if (s == null) {
            for (GridPane g : List.of(summary, percentiles)) {
                for (int i = 1; i < g.getChildren().size(); i += 2) {
                    ((Label) g.getChildren().get(i)).setText("");
                }
            }
            return;
        }
        fill(summary, StatsText.summary(s));
        fill(percentiles, StatsText.percentiles(s));
    }

    /** The shown value of a figure ("Mean", "p99 |w|"...), or null: for tests and tools. */
    public String value(String label) {
        Label l = values.get(label);
        return l == null ? null : l.getText();
    }

    /**
     * Shows {@code rows} in {@code grid}, reusing the labels and tooltips already there: the same
     * figures come back for every layer, and new controls (CSS, tooltips) cost the FX thread far
     * more than new text.
     */
    private void fill(GridPane grid, List<StatRow> rows) {
        int have = grid.getChildren().size() / 2;
        for (int r = 0; r < rows.size(); r++) {
            StatRow row = rows.get(r);
            Label name;
            Label value;
            if (r < have) {
                name = (Label) grid.getChildren().get(2 * r);
                value = (Label) grid.getChildren().get(2 * r + 1);
                name.setText(row.label());
                value.setText(row.value());
                if (!row.help().equals(name.getTooltip().getText())) {
                    name.getTooltip().setText(row.help());
                }
            } else {
                Tooltip tip = Tips.of(row.help());
                name = new Label(row.label());
                name.getStyleClass().add("stat-label");
                name.setTooltip(tip);
                value = new Label(row.value());
                value.getStyleClass().add("stat-value");
                value.setTooltip(tip);
                grid.addRow(r, name, value);
            }
            values.put(row.label(), value);
        }
        if (rows.size() < have) {
            grid.getChildren().remove(2 * rows.size(), grid.getChildren().size());
        }
    }

    private static GridPane grid() {
        GridPane g = new GridPane();
        g.setHgap(12);
        g.setVgap(3);
        ColumnConstraints label = new ColumnConstraints();
        label.setMinWidth(90);
        ColumnConstraints value = new ColumnConstraints();
        value.setHgrow(Priority.ALWAYS);
        value.setHalignment(HPos.RIGHT);
        g.getColumnConstraints().addAll(label, value);
        return g;
    }
}
