package dev.whittle.ui;

import dev.whittle.core.model.WeightLayer;
import java.util.function.Function;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.transformation.SortedList;
import javafx.geometry.Pos;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

/** The weight-layer table with its filter bar. Every column sorts; numbers sort as numbers. */
public final class LayerTableView extends VBox {
    private final LayerTableViewModel vm;
    private final TableView<WeightLayer> table = new TableView<>();
    private final TextField nameField = new TextField();
    private final ChoiceBox<String> opChoice = new ChoiceBox<>();

    public LayerTableView(LayerTableViewModel vm) {
        this(vm, null);
    }

    /** With {@code plan}: the plan columns (prune, rank, bits, granularity, range), editable in place. */
    public LayerTableView(LayerTableViewModel vm, PlanViewModel plan) {
        this.vm = vm;
        getStyleClass().add("layer-table-view");

        nameField.setId("layerNameFilter");
        nameField.setPromptText("Filter by name");
        nameField.setPrefColumnCount(22);
        nameField.textProperty().bindBidirectional(vm.nameFilterProperty());
        nameField.setTooltip(new Tooltip("Show layers whose node or weight name contains this text (case-insensitive)."));
        opChoice.setId("layerOpFilter");
        opChoice.setItems(vm.ops());
        opChoice.valueProperty().bindBidirectional(vm.opFilterProperty());
        opChoice.setTooltip(new Tooltip("Show only layers of one op type."));
        Label count = new Label();
        count.setId("layerCount");
        count.getStyleClass().add("muted");
        count.textProperty().bind(vm.countTextProperty());
        Label title = new Label("Weight layers");
        title.getStyleClass().add("section-title");
        title.setMinWidth(Region.USE_PREF_SIZE);
        count.setMinWidth(Region.USE_PREF_SIZE);
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox bar = new HBox(8, title, spacer, count, nameField, opChoice);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.getStyleClass().add("panel-header");

        table.setId("layerTable");
        table.getColumns().add(textColumn("Name", plan == null ? 300 : 190, WeightLayer::node));
        table.getColumns().add(textColumn("Op", 80, WeightLayer::op));
        TableColumn<WeightLayer, long[]> shape = column("Shape", 110, WeightLayer::shape);
        shape.setComparator(LayerTableViewModel.SHAPE_ORDER);
        shape.setCellFactory(c -> cell(java.util.Arrays::toString, false));
        table.getColumns().add(shape);
        TableColumn<WeightLayer, Long> params = column("Params", 90, WeightLayer::params);
        params.setCellFactory(c -> cell(plan == null ? Format::count : Format::shortCount, true));
        table.getColumns().add(params);
        table.getColumns().add(textColumn("Dtype", 70, l -> l.dtype().displayName()));
        TableColumn<WeightLayer, Long> size = column("Size", 80, WeightLayer::bytes);
        size.setCellFactory(c -> cell(Format::bytes, true));
        table.getColumns().add(size);
        table.getColumns().add(textColumn("Storage", 90, l -> l.graphPath().isEmpty() ? l.storage().displayName()
                : l.storage().displayName() + " in " + l.graphPath()));
        TableColumn<WeightLayer, Integer> axis = column("Axis", 50, WeightLayer::axis);
        axis.setCellFactory(c -> cell(String::valueOf, true));
        table.getColumns().add(axis);
        TableColumn<WeightLayer, Boolean> quantized = column("Quantized", 80, WeightLayer::quantized);
        quantized.setCellFactory(c -> cell(q -> q ? "yes" : "", false));
        table.getColumns().add(quantized);
        tooltips();
        if (plan != null) {
            PlanColumns.add(table, plan);
            table.getColumns().get(1).setVisible(false); // Op: the table menu (+) shows it and the others again
            table.getColumns().get(3).setPrefWidth(56);
            for (int i = 4; i < 9; i++) {
                table.getColumns().get(i).setVisible(false);
            }
            table.getColumns().get(0).setPrefWidth(170);
            // Long graph paths share their start (/encoder/layer.): show their distinctive end.
            @SuppressWarnings("unchecked")
            TableColumn<WeightLayer, String> name = (TableColumn<WeightLayer, String>) table.getColumns().get(0);
            name.setCellFactory(c -> {
                TableCell<WeightLayer, String> cell = cell(x -> x, false);
                cell.setTextOverrun(javafx.scene.control.OverrunStyle.LEADING_ELLIPSIS);
                return cell;
            });
            table.getColumns().get(2).setVisible(false); // Shape: in the inspector's header, and one click away here
            table.getColumns().get(3).setPrefWidth(60);
            nameField.setPrefColumnCount(12);
            table.setTableMenuButtonVisible(true);
            table.getSelectionModel().setSelectionMode(javafx.scene.control.SelectionMode.MULTIPLE);
        }

        SortedList<WeightLayer> sorted = new SortedList<>(vm.visibleLayers());
        sorted.comparatorProperty().bind(table.comparatorProperty());
        table.setItems(sorted);
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.setPlaceholder(new Label("No weight layers match."));
        table.setRowFactory(t -> {
            TableRow<WeightLayer> row = new TableRow<>();
            // The tooltip is made when the pointer first enters the row and then follows its layer:
            // a Tooltip per row made up front (rows are made anew with each model) was a large
            // part of the FX thread's work on opening. An empty row has none (hiding a tooltip
            // from its own onShown handler throws inside JavaFX, so it is uninstalled instead).
            Tooltip[] tip = new Tooltip[1];
            row.addEventHandler(javafx.scene.input.MouseEvent.MOUSE_ENTERED, e -> {
                if (tip[0] == null && row.getItem() != null) {
                    tip[0] = new Tooltip(rowTip(row.getItem()));
                    row.setTooltip(tip[0]);
                }
            });
            row.itemProperty().addListener((o, a, l) -> {
                if (tip[0] != null) {
                    if (l != null) {
                        tip[0].setText(rowTip(l));
                    }
                    row.setTooltip(l == null ? null : tip[0]);
                }
            });
            return row;
        });

        table.getSelectionModel().selectedItemProperty().addListener((o, a, l) -> {
            if (l != null || !vm.visibleLayers().contains(vm.selectedProperty().get())) {
                vm.selectedProperty().set(l);
            }
        });
        vm.selectedProperty().addListener((o, a, l) -> {
            if (table.getSelectionModel().getSelectedItem() != l) {
                if (l == null) {
                    table.getSelectionModel().clearSelection();
                } else {
                    int i = table.getItems().indexOf(l);
                    table.getSelectionModel().clearAndSelect(i);
                    if (!shown(i)) {
                        table.scrollTo(i); // scrolling lays out every row again: only when the row is out of sight
                    }
                }
            }
        });
        VBox.setVgrow(table, Priority.ALWAYS);
        getChildren().addAll(bar, table);
    }

    private static String rowTip(WeightLayer l) {
        return l == null ? "" : l.node() + "\nweight: " + l.weight() + (l.graphPath().isEmpty() ? "" : "\nin " + l.graphPath());
    }

    /** Whether row {@code i} is wholly in sight (strictly between the first and last visible rows). */
    private boolean shown(int i) {
        if (!(table.lookup(".virtual-flow") instanceof javafx.scene.control.skin.VirtualFlow<?> flow)) {
            return false;
        }
        var first = flow.getFirstVisibleCell();
        var last = flow.getLastVisibleCell();
        return first != null && last != null && i > first.getIndex() && i < last.getIndex();
    }

    public TableView<WeightLayer> table() {
        return table;
    }

    private void tooltips() {
        String[] help = {
            "Node name in the graph (hover a row for the weight tensor's name).",
            "Operator type of the node.",
            "Dimensions of the weight tensor.",
            "Number of weights in the tensor.",
            "Element type the weights are stored in.",
            "Bytes the weights take when stored densely.",
            "Where the weight lives in the file: initializer, Constant node, subgraph or external data file;"
                    + " for a layer inside an If/Loop/Scan body, the body's path (If_0.then_branch).",
            "Output-channel axis of the weight: per-channel quantization and structured pruning work along it.",
            "Whether the layer is already quantized (integer weights with a scale)."};
        for (int i = 0; i < help.length; i++) {
            Label header = new Label(table.getColumns().get(i).getText());
            header.setTooltip(new Tooltip(help[i]));
            table.getColumns().get(i).setGraphic(header);
            table.getColumns().get(i).setText("");
        }
    }

    private static <T> TableColumn<WeightLayer, T> column(String name, double width, Function<WeightLayer, T> value) {
        TableColumn<WeightLayer, T> c = new TableColumn<>(name);
        c.setId(name.toLowerCase(java.util.Locale.ROOT) + "Column");
        c.setPrefWidth(width);
        c.setCellValueFactory(f -> new ReadOnlyObjectWrapper<>(value.apply(f.getValue())));
        return c;
    }

    private static TableColumn<WeightLayer, String> textColumn(String name, double width, Function<WeightLayer, String> value) {
        return column(name, width, value);
    }

    private static <T> TableCell<WeightLayer, T> cell(Function<T, String> text, boolean numeric) {
        TableCell<WeightLayer, T> cell = new TableCell<>() {
            @Override
            protected void updateItem(T item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty || item == null ? null : text.apply(item));
            }
        };
        if (numeric) {
            cell.getStyleClass().add("numeric");
        }
        return cell;
    }
}
