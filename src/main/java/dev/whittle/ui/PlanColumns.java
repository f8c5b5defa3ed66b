package dev.whittle.ui;

import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.plan.LayerSettings;
import dev.whittle.core.plan.ResolvedPlan;
import dev.whittle.core.recipe.RecipePlan.Setting;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.cell.TextFieldTableCell;

/**
 * The layer table's plan columns: what the plan does to each layer, typed over in place. An
 * edit on a row that is one of several selected rows applies to all of them: one undo step.
 */
final class PlanColumns {
    private PlanColumns() {
    }

    static void add(TableView<WeightLayer> table, PlanViewModel plan) {
        table.setEditable(true);
        table.getColumns().add(column(table, plan, "Prune", "pruneColumn", 70, PlanCells::prune,
                (node, text) -> s -> {
                    var p = PlanCells.parsePrune(text);
                    if (p == null) {
                        return s.inherit(Setting.PRUNE);
                    }
                    if (!PlanCells.refit(text)) {
                        return s.withPrune(p, null);
                    }
                    var e = plan.resolvedProperty().get().layer(node);
                    Object r = e != null && e.reconstructs() && (p.isChannel() || !"auto".equals(((java.util.Map<?, ?>)
                            e.reconstruct()).get("damp"))) ? e.reconstruct() : Boolean.TRUE;
                    return s.withPrune(p, r);
                },
                "Pruning of the layer: 50% (unstructured sparsity), t0.01 (threshold), 2:4, ch 30% (channels),"
                        + " then the criterion when not the plain one (wanda, activation, l2) and +refit when the"
                        + " weights left are refit on the calibration data. Type to change; empty removes it."));
        table.getColumns().add(column(table, plan, "Rank", "rankColumn", 70, PlanCells::rank,
                (node, text) -> s -> {
                    var r = PlanCells.parseRankCell(text);
                    if (r == null) {
                        return s.inherit(Setting.LOWRANK);
                    }
                    var e = plan.resolvedProperty().get().layer(node);
                    Object keep = e != null && e.lowrankReconstructs() ? e.lowrankReconstruct() : Boolean.TRUE;
                    return s.withLowrank(r, PlanCells.refit(text) ? keep : null);
                },
                "Low-rank factoring (MatMul, Gemm, Conv): a rank such as 64, E 90% (energy kept) or P 50% (parameters"
                        + " kept), then w when the SVD is whitened by the calibration data and +refit when the factors are"
                        + " refit to the layer's original outputs (one refit setting with the layer's pruning)."
                        + " Empty removes it."));
        table.getColumns().add(column(table, plan, "Bits", "bitsColumn", 60, PlanCells::bits,
                (node, text) -> s -> {
                    var q = PlanCells.withBits(PlanCells.weights(plan.resolvedProperty().get().layer(node)), text);
                    return q == null ? s.inherit(Setting.QUANTIZE) : s.withQuantize(q);
                },
                "Weight quantization: int8 or int4 (add 'asym' for asymmetric, 'gptq' for GPTQ rounding, '+bias' for"
                        + " bias correction). Empty: float."));
        table.getColumns().add(column(table, plan, "Gran.", "granularityColumn", 70, PlanCells::granularity,
                (node, text) -> s -> s.withQuantize(PlanCells.withGranularity(
                        PlanCells.weights(plan.resolvedProperty().get().layer(node)), text)),
                "Quantization granularity: tensor, channel, or block32 (16 to 256)."));
        table.getColumns().add(column(table, plan, "Range", "rangeColumn", 80, PlanCells::range,
                (node, text) -> s -> s.withQuantize(PlanCells.withRange(
                        PlanCells.weights(plan.resolvedProperty().get().layer(node)), text)),
                "Clip range of the quantization: minmax, mse, p99.9 (percentile of |w|) or lo..hi."));
        plan.resolvedProperty().addListener((o, a, r) -> table.refresh());
    }

    private static TableColumn<WeightLayer, String> column(TableView<WeightLayer> table, PlanViewModel plan, String name,
            String id, double width, Function<ResolvedPlan.Effective, String> text,
            BiFunction<String, String, UnaryOperator<LayerSettings>> edit, String tip) {
        TableColumn<WeightLayer, String> c = new TableColumn<>();
        c.setId(id);
        c.setPrefWidth(width);
        c.setEditable(true);
        javafx.scene.control.Label header = new javafx.scene.control.Label(name);
        header.setTooltip(Tips.of(tip));
        c.setGraphic(header);
        c.getStyleClass().add("plan-column");
        c.setCellValueFactory(f -> {
            ResolvedPlan r = plan.resolvedProperty().get();
            return new ReadOnlyStringWrapper(r == null ? "" : text.apply(r.layer(f.getValue().node())));
        });
        c.setCellFactory(col -> {
            TextFieldTableCell<WeightLayer, String> cell = new TextFieldTableCell<>(
                    new javafx.util.converter.DefaultStringConverter());
            // The whole setting on hover ("50% wanda +refit" is cut in a narrow column); made on
            // first hover, as the rows' tooltips are, so opening a model makes none.
            cell.addEventHandler(javafx.scene.input.MouseEvent.MOUSE_ENTERED, e -> {
                String t = cell.getItem();
                if (t == null || t.isEmpty()) {
                    cell.setTooltip(null);
                } else if (cell.getTooltip() == null) {
                    cell.setTooltip(new javafx.scene.control.Tooltip(t));
                } else {
                    cell.getTooltip().setText(t);
                }
            });
            return cell;
        });
        c.setOnEditCommit(e -> {
            String node = e.getRowValue().node();
            List<String> targets = table.getSelectionModel().getSelectedItems().stream().map(WeightLayer::node).toList();
            if (!targets.contains(node)) {
                targets = List.of(node);
            }
            try {
                UnaryOperator<LayerSettings> change = edit.apply(node, e.getNewValue());
                plan.editLayers(targets, change, name.toLowerCase(java.util.Locale.ROOT) + " "
                        + (targets.size() == 1 ? node : targets.size() + " layers"));
            } catch (RuntimeException ex) {
                plan.report(ErrorReport.of("Cannot set " + name.toLowerCase(java.util.Locale.ROOT), ex));
            }
            table.refresh();
        });
        return c;
    }
}
