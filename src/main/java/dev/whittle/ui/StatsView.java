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

    public void show(WeightStats s) {
        values.clear();
        fill(summary, s == null ? List.of() : StatsText.summary(s));
        fill(percentiles, s == null ? List.of() : StatsText.percentiles(s));
    }

    /** The shown value of a figure ("Mean", "p99 |w|"...), or null: for tests and tools. */
    public String value(String label) {
        Label l = values.get(label);
        return l == null ? null : l.getText();
    }

    private void fill(GridPane grid, List<StatRow> rows) {
        grid.getChildren().clear();
        int r = 0;
        for (StatRow row : rows) {
            Tooltip tip = Tips.of(row.help());
            Label name = new Label(row.label());
            name.getStyleClass().add("stat-label");
            name.setTooltip(tip);
            Label value = new Label(row.value());
            value.getStyleClass().add("stat-value");
            value.setTooltip(tip);
            grid.addRow(r++, name, value);
            values.put(row.label(), value);
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
