package dev.whittle.ui;

import dev.whittle.core.model.WeightLayer;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javafx.application.Platform;
import javafx.beans.binding.Bindings;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.Hyperlink;
import javafx.scene.control.Label;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.SplitPane;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.beans.binding.StringBinding;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.KeyEvent;
import javafx.scene.input.TransferMode;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import javafx.stage.Window;

/**
 * The workbench window's content: menu bar, model summary, layer table, layer detail and
 * status bar, or an empty state with an "Open model..." button when no model is open.
 */
public final class MainView extends BorderPane {
    private final MainViewModel vm;
    private final SummaryView summary = new SummaryView();
    private final LayerTableView layers;
    private final LayerDetailView detail;
    private final Menu recentMenu = new Menu("Open Recent");
    private final SplitPane workbench = new SplitPane();
    private final TabPane inspector = new TabPane();
    /** Results, trade-offs, sensitivity and per-layer latency: the views that run the model. */
    private final TabPane analysis = new TabPane();
    private final SplitPane centre = new SplitPane();
    private final PanelMemory panels;
    private final PruneTabView pruneTab;
    private final QuantTabView quantTab;
    private final LowRankTabView rankTab;
    private final WeightsTabView weightsTab;
    private final ExplainView explain;
    private final TotalsView totals;
    private final VBox emptyRecent = new VBox(2);
    private Alert lastError;

    /** A window whose panel layouts are kept for this session only (tests). */
    /** Saves the open model's panel layout (the window is closing). */
    void rememberPanels() {
        panels.remember(vm.modelFileProperty().get());
    }

    public MainView(MainViewModel vm) {
        this(vm, new PanelStore(null));
    }

    /** @param panelStore where each model's panel layout is kept across sessions */
    MainView(MainViewModel vm, PanelStore panelStore) {
        this.vm = vm;
        getStyleClass().add("main-view");
        layers = new LayerTableView(vm.layers(), vm.plan());
        detail = new LayerDetailView(vm.detail());
        InspectorViewModel iv = vm.inspector();
        pruneTab = new PruneTabView(iv);
        quantTab = new QuantTabView(iv, vm.detail().statsProperty());
        rankTab = new LowRankTabView(iv);
        weightsTab = new WeightsTabView(iv, vm.plan(), vm.jobs());

        // Left: what the model is and its layers; centre: the selected layer; right: its numbers.
        SplitPane left = new SplitPane(summary, layers);
        left.setOrientation(Orientation.VERTICAL);
        left.setDividerPositions(0.22);
        left.setId("leftPane");
        inspector.getTabs().addAll(tab("Histogram", "histogramTab", detail), tab("Prune", "pruneTab", pruneTab),
                tab("Quantize", "quantizeTab", quantTab), tab("Low rank", "lowRankTab", rankTab),
                tab("Weights", "weightsTab", weightsTab));
        inspector.setId("inspector");
        inspector.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        inspector.getSelectionModel().selectedIndexProperty().addListener((o, a, i) -> {
            iv.wantSpectrumProperty().set(i.intValue() == 3);
            weightsTab.setShowing(i.intValue() == 4);
        });
        explain = new ExplainView(iv, inspector.getSelectionModel().selectedIndexProperty());
        VBox sideContent = new VBox(8, explain, detail.stats());
        sideContent.getStyleClass().add("side-content");
        ScrollPane side = new ScrollPane(sideContent);
        side.setFitToWidth(true);
        side.getStyleClass().add("side-panel");
        side.setId("sidePanel");
        side.setMinWidth(220);
        workbench.getItems().setAll(left, inspector, side);
        workbench.setDividerPositions(0.37, 0.80);
        SplitPane.setResizableWithParent(left, false);
        SplitPane.setResizableWithParent(side, false);
        workbench.setId("workbench");
        setTop(MainMenus.build(this, vm, inspector, recentMenu));
        VBox empty = emptyState();
        empty.visibleProperty().bind(vm.graphProperty().isNull());
        analysis.setId("analysisTabs");
        analysis.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        analysis.setMinHeight(0);
        centre.setOrientation(Orientation.VERTICAL);
        centre.setId("centre");
        centre.getItems().setAll(workbench, analysis);
        centre.setDividerPositions(0.68);
        SplitPane.setResizableWithParent(analysis, false);
        AnalysisTabs.install(this, vm);
        centre.visibleProperty().bind(vm.graphProperty().isNotNull());
        setCenter(new StackPane(centre, empty));

        StringBinding modelFile = Bindings.createStringBinding(() -> vm.graphProperty().get() == null ? ""
                : vm.graphProperty().get().fileName() + "  " + Format.bytes(vm.graphProperty().get().fileBytes()) + "  "
                + Format.shortCount(vm.graphProperty().get().params()) + " params", vm.graphProperty());
        StatusBarView status = new StatusBarView(vm.statusProperty(), vm.jobs(), modelFile);
        totals = new TotalsView(vm.plan().totalsProperty());
        totals.visibleProperty().bind(vm.graphProperty().isNotNull());
        totals.managedProperty().bind(totals.visibleProperty());
        setBottom(new VBox(totals, status));
        panels = new PanelMemory(panelStore, java.util.Map.of("workbench", workbench, "left", left, "centre", centre),
                inspector, layers.table());
        layers.table().setContextMenu(new javafx.scene.control.ContextMenu(
                menuItem("Apply this layer's settings to the selected layers", this::applyToSelected),
                menuItem("Reset the selected layers", this::resetSelected)));

        vm.modelFileProperty().addListener((o, a, f) -> panels.switchTo(a, f));
        vm.graphProperty().addListener((o, a, g) -> {
            summary.show(g);
            if (g != null) {
                Platform.runLater(() -> layers.table().requestFocus()); // once shown; keys then go to the table
            }
        });
        summary.show(vm.graphProperty().get());
        vm.setErrorHandler(r -> lastError = Dialogs.error(window(), r));
        vm.recentFiles().files().addListener((javafx.collections.ListChangeListener<Path>) c -> rebuildRecent());
        rebuildRecent();
        dragAndDrop();
        KeyCombination undoKey = KeyCombination.keyCombination("Shortcut+Z");
        KeyCombination redoKey = KeyCombination.keyCombination("Shortcut+Shift+Z");
        addEventFilter(KeyEvent.KEY_PRESSED, e -> {
            // Plan undo wins over a slider's or a table's own handling; a text field keeps its own undo.
            boolean typing = getScene() != null && getScene().getFocusOwner() instanceof javafx.scene.control.TextInputControl t
                    && (t.isUndoable() || t.isRedoable());
            if (!typing && redoKey.match(e)) {
                vm.plan().redo();
                e.consume();
            } else if (!typing && undoKey.match(e)) {
                vm.plan().undo();
                e.consume();
            } else if (e.getCode() == KeyCode.ESCAPE && vm.jobs().cancelLatest()) {
                vm.setStatus("Cancelling the newest running job...");
                e.consume();
            }
        });
    }

    private static MenuItem menuItem(String text, Runnable action) {
        MenuItem m = new MenuItem(text);
        m.setOnAction(e -> action.run());
        return m;
    }

    /** Copies the focused layer's hand-tuned settings to every selected layer: one undo step. */
    void applyToSelected() {
        WeightLayer from = vm.layers().selectedProperty().get();
        List<String> targets = layers.table().getSelectionModel().getSelectedItems().stream().map(WeightLayer::node).toList();
        if (from == null || targets.size() < 2) {
            vm.setStatus("Select the layer to copy from, then Ctrl+click or Shift+click the layers to copy to.");
            return;
        }
        if (vm.plan().applyToSelected(from.node(), targets)) {
            vm.setStatus("Applied " + from.node() + "'s settings to " + (targets.size() - 1) + " more layers.");
        }
    }

    void resetSelected() {
        List<String> targets = layers.table().getSelectionModel().getSelectedItems().stream().map(WeightLayer::node).toList();
        if (vm.plan().resetLayers(targets)) {
            vm.setStatus("Reset " + (targets.size() == 1 ? targets.get(0) : targets.size() + " layers") + " to the plan's rules.");
        }
    }

    void focusFilter() {
        if (vm.graphProperty().get() != null) {
            lookup("#layerNameFilter").requestFocus();
        }
    }

    Path modelFile() {
        return vm.modelFileProperty().get();
    }

    public PruneTabView pruneTab() {
        return pruneTab;
    }

    public QuantTabView quantTab() {
        return quantTab;
    }

    public LowRankTabView lowRankTab() {
        return rankTab;
    }

    public TabPane inspector() {
        return inspector;
    }

    /** The bottom tab pane where the views that evaluate the model live (results, sensitivity...). */
    public TabPane analysis() {
        return analysis;
    }

    public ExplainView explain() {
        return explain;
    }

    public TotalsView totals() {
        return totals;
    }

    static Tab tab(String name, String id, javafx.scene.Node content) {
        Tab t = new Tab(name, content);
        t.setId(id);
        return t;
    }

    /** Shows the file chooser and opens the chosen model. */
    public void chooseAndOpen() {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Open ONNX model");
        chooser.getExtensionFilters().addAll(new FileChooser.ExtensionFilter("ONNX models (*.onnx)", "*.onnx"),
                new FileChooser.ExtensionFilter("All files", "*"));
        List<Path> recent = vm.recentFiles().files();
        Path dir = recent.isEmpty() ? Path.of("sample-models") : recent.get(0).getParent();
        if (dir != null && Files.isDirectory(dir)) {
            chooser.setInitialDirectory(dir.toAbsolutePath().toFile());
        }
        File f = chooser.showOpenDialog(window());
        if (f != null) {
            vm.open(f.toPath());
        }
    }

    /** The first .onnx file among dropped files, if any. */
    static Optional<Path> droppedModel(List<File> files) {
        return files.stream().filter(f -> f.getName().toLowerCase(Locale.ROOT).endsWith(".onnx"))
                .map(File::toPath).findFirst();
    }

    public LayerTableView layerTable() {
        return layers;
    }

    public LayerDetailView layerDetail() {
        return detail;
    }

    /** The error dialog shown last, or null: for tests. */
    public Alert lastError() {
        return lastError;
    }

    private Window window() {
        return getScene() == null ? null : getScene().getWindow();
    }

    private void rebuildRecent() {
        List<Path> files = vm.recentFiles().files();
        recentMenu.getItems().clear();
        emptyRecent.getChildren().clear();
        for (Path p : files) {
            MenuItem item = new MenuItem(p.getFileName() + "  -  " + p.getParent());
            item.setMnemonicParsing(false);
            item.setOnAction(e -> vm.openRecent(p));
            recentMenu.getItems().add(item);
            if (emptyRecent.getChildren().isEmpty()) {
                Label heading = new Label("Recent");
                heading.getStyleClass().add("section-title");
                emptyRecent.getChildren().add(heading);
            }
            if (emptyRecent.getChildren().size() <= 5) {
                Hyperlink link = new Hyperlink(p.getFileName().toString());
                link.setTooltip(Tips.of(p.toString()));
                link.setOnAction(e -> vm.openRecent(p));
                emptyRecent.getChildren().add(link);
            }
        }
        if (files.isEmpty()) {
            MenuItem none = new MenuItem("(no recent files)");
            none.setDisable(true);
            recentMenu.getItems().add(none);
        } else {
            MenuItem clear = new MenuItem("Clear List");
            clear.setOnAction(e -> vm.recentFiles().clear());
            recentMenu.getItems().addAll(new SeparatorMenuItem(), clear);
        }
    }

    private VBox emptyState() {
        Label title = new Label("No model open");
        title.getStyleClass().add("empty-title");
        Label text = new Label("Open an ONNX model to see its weight layers and their statistics.");
        text.getStyleClass().add("muted");
        Button open = new Button("Open model...");
        open.setId("openModelButton");
        open.setDefaultButton(true);
        open.setOnAction(e -> chooseAndOpen());
        Label drop = new Label("or drop an .onnx file onto this window");
        drop.getStyleClass().add("muted");
        emptyRecent.setPadding(new javafx.geometry.Insets(16, 0, 0, 0));
        VBox box = new VBox(12, title, text, open, drop, emptyRecent);
        box.setAlignment(Pos.CENTER);
        emptyRecent.setAlignment(Pos.CENTER);
        box.getStyleClass().add("empty-state");
        return box;
    }

    private void dragAndDrop() {
        setOnDragOver(e -> {
            if (e.getDragboard().hasFiles() && droppedModel(e.getDragboard().getFiles()).isPresent()) {
                e.acceptTransferModes(TransferMode.COPY, TransferMode.LINK);
            }
            e.consume();
        });
        setOnDragDropped(e -> {
            Optional<Path> model = e.getDragboard().hasFiles() ? droppedModel(e.getDragboard().getFiles()) : Optional.empty();
            model.ifPresent(vm::open);
            e.setDropCompleted(model.isPresent());
            e.consume();
        });
    }
}
