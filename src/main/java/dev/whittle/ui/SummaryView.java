package dev.whittle.ui;

import dev.whittle.core.model.ModelGraph;
import java.util.List;
import java.util.Map;
import javafx.geometry.HPos;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/** The model summary panel: file facts, inputs and outputs, and how often each op occurs. */
public final class SummaryView extends ScrollPane {
    private final VBox content = new VBox(6);

    public SummaryView() {
        getStyleClass().add("summary-view");
        content.getStyleClass().add("summary-content");
        setContent(content);
        setFitToWidth(true);
        setHbarPolicy(ScrollBarPolicy.NEVER);
        show(null);
    }

    public void show(ModelGraph g) {
        content.getChildren().clear();
        Label title = new Label("Model");
        title.getStyleClass().add("section-title");
        content.getChildren().add(title);
        if (g == null) {
            Label none = new Label("No model open.");
            none.getStyleClass().add("muted");
            content.getChildren().add(none);
            return;
        }
        content.getChildren().add(grid(ModelSummary.general(g), false));
        section("Inputs", ModelSummary.values(g.inputs()));
        section("Outputs", ModelSummary.values(g.outputs()));
        Label ops = new Label("Ops (" + g.opCounts().size() + " types)");
        ops.getStyleClass().add("subsection-title");
        Tips.lazy(ops, "How many nodes of each operator type the graph has, most frequent first.");
        GridPane opGrid = new GridPane();
        opGrid.setHgap(12);
        opGrid.setVgap(2);
        opGrid.getColumnConstraints().addAll(growing(), right());
        int r = 0;
        for (Map.Entry<String, Integer> e : ModelSummary.opCounts(g)) {
            Label op = new Label(e.getKey());
            op.getStyleClass().add("summary-value");
            Label n = new Label(Integer.toString(e.getValue()));
            n.getStyleClass().add("summary-number");
            opGrid.addRow(r++, op, n);
        }
        content.getChildren().addAll(ops, opGrid);
    }

    private void section(String name, List<SummaryItem> items) {
        Label l = new Label(name);
        l.getStyleClass().add("subsection-title");
        content.getChildren().addAll(l, items.isEmpty() ? new Label("none") : grid(items, true));
    }

    private static GridPane grid(List<SummaryItem> items, boolean stacked) {
        GridPane grid = new GridPane();
        grid.setHgap(10);
        grid.setVgap(3);
        int r = 0;
        for (SummaryItem item : items) {
            Label name = new Label(item.label());
            name.getStyleClass().add("summary-label");
            Tips.lazy(name, stacked ? item.label() : item.help());
            Label value = new Label(item.value());
            value.getStyleClass().add("summary-value");
            value.setWrapText(true);
            Tips.lazy(value, item.help());
            if (stacked) {
                // Value names (input_ids, attention_mask...) can be long: name on one line, type and shape below.
                name.getStyleClass().add("summary-value-name");
                value.getStyleClass().add("muted");
                grid.addRow(r++, name);
                grid.addRow(r++, value);
            } else {
                grid.addRow(r++, name, value);
            }
        }
        if (!stacked) {
            ColumnConstraints label = new ColumnConstraints();
            label.setMinWidth(96);
            grid.getColumnConstraints().addAll(label, growing());
        }
        return grid;
    }

    private static ColumnConstraints growing() {
        ColumnConstraints c = new ColumnConstraints();
        c.setHgrow(Priority.ALWAYS);
        return c;
    }

    private static ColumnConstraints right() {
        ColumnConstraints c = new ColumnConstraints();
        c.setHalignment(HPos.RIGHT);
        return c;
    }
}
