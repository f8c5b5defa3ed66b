package dev.whittle.ui;

import dev.whittle.core.compare.RunHistory;
import dev.whittle.core.eval.SessionSpec;
import dev.whittle.core.io.AtomicWrite;
import java.io.File;
import java.nio.file.Path;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.CheckMenuItem;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.Tab;
import javafx.scene.input.KeyCombination;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.stage.FileChooser;

/**
 * Puts Evaluate into the window: a bar beside the menus (provider, Evaluate, Cancel), Run >
 * Evaluate (Ctrl+E) and Run > Auto-evaluate, and the Results and Trade-offs tabs in the
 * window's analysis tab pane. Esc cancels the evaluation as it cancels any job (the window's
 * own key handler). Kept apart from {@link MainView}, which it only adds to.
 */
public final class EvaluateTabs {
    private final EvaluateViewModel vm;
    private final ResultsView results;
    private final TradeOffView tradeOffs;

    private EvaluateTabs(EvaluateViewModel vm) {
        this.vm = vm;
        this.results = new ResultsView(vm);
        this.tradeOffs = new TradeOffView(vm);
    }

    /** Installs into {@code view}; auto-evaluate waits 800 ms after the last edit. */
    public static EvaluateTabs install(MainView view, MainViewModel main) {
        return install(view, main, Debounce.fx(800), RunHistory.globalFile());
    }

    static EvaluateTabs install(MainView view, MainViewModel main, Debounce debounce, Path globalHistory) {
        EvaluateTabs t = new EvaluateTabs(new EvaluateViewModel(main, debounce, globalHistory));
        Tab results = MainView.tab("Results", "resultsTab", t.results);
        Tab trade = MainView.tab("Trade-offs", "tradeOffsTab", t.tradeOffs);
        view.analysis().getTabs().addAll(0, java.util.List.of(results, trade));
        view.analysis().getSelectionModel().select(results);
        t.topBar(view);
        t.runMenu(view);
        return t;
    }

    private void topBar(MainView view) {
        Node top = view.getTop();
        ComboBox<SessionSpec.Provider> provider = new ComboBox<>();
        provider.getItems().setAll(SessionSpec.Provider.values());
        provider.valueProperty().bindBidirectional(vm.providerProperty());
        provider.setId("providerChoice");
        provider.setTooltip(Tips.of("Where ONNX Runtime runs the evaluation: CPU, CUDA (an NVIDIA GPU with the GPU build),"
                + " or AUTO (CUDA when it works, else the CPU). A fallback to the CPU is noted under the results."));
        Button evaluate = new Button("Evaluate");
        evaluate.setId("evaluateButton");
        evaluate.setDefaultButton(false);
        evaluate.setTooltip(Tips.of("Apply the plan in memory and measure accuracy, fidelity against the original, latency"
                + " and size in the background (Ctrl+E). A row appears in Results and a point in Trade-offs."));
        evaluate.setOnAction(e -> vm.evaluate());
        evaluate.disableProperty().bind(vm.main().graphProperty().isNull().or(vm.runningProperty()));
        Button cancel = new Button("Cancel");
        cancel.setId("cancelEvaluateButton");
        cancel.setTooltip(Tips.of("Stop the evaluation (Esc)."));
        cancel.setOnAction(e -> vm.cancel());
        cancel.disableProperty().bind(vm.runningProperty().not());
        Label label = new Label("Provider");
        label.getStyleClass().add("muted");
        HBox bar = new HBox(6, label, provider, evaluate, cancel);
        bar.setAlignment(Pos.CENTER_RIGHT);
        bar.setPadding(new Insets(0, 8, 0, 8));
        if (top instanceof MenuBar menus) {
            menus.setStyle("-fx-background-color: transparent;");
            HBox row = new HBox(menus, bar);
            HBox.setHgrow(menus, Priority.ALWAYS);
            row.setAlignment(Pos.CENTER_LEFT);
            row.getStyleClass().add("menu-bar");
            row.setId("topBar");
            view.setTop(row);
        } else if (top instanceof HBox row) {
            row.getChildren().add(bar);
        }
    }

    private void runMenu(MainView view) {
        MenuBar bar = (MenuBar) view.lookup("#menuBar");
        if (bar == null && view.getTop() instanceof HBox row) {
            bar = (MenuBar) row.getChildren().stream().filter(n -> n instanceof MenuBar).findFirst().orElse(null);
        }
        if (bar == null) {
            return;
        }
        Menu run = bar.getMenus().stream().filter(m -> "Run".equals(m.getText())).findFirst().orElse(null);
        if (run == null) {
            run = new Menu("Run");
            int help = bar.getMenus().size() - 1;
            bar.getMenus().add(Math.max(0, help), run);
        }
        MenuItem evaluate = new MenuItem("Evaluate");
        evaluate.setAccelerator(KeyCombination.keyCombination("Shortcut+E"));
        evaluate.setOnAction(e -> vm.evaluate());
        evaluate.disableProperty().bind(vm.main().graphProperty().isNull().or(vm.runningProperty()));
        MenuItem cancel = new MenuItem("Cancel Evaluation");
        cancel.setOnAction(e -> vm.cancel());
        cancel.disableProperty().bind(vm.runningProperty().not());
        CheckMenuItem auto = new CheckMenuItem("Auto-evaluate after Changes");
        auto.selectedProperty().bindBidirectional(vm.autoEvaluateProperty());
        run.getItems().addAll(evaluate, cancel, auto);
        MainMenus.SHORTCUTS.put(KeyCombination.keyCombination("Shortcut+E").getDisplayText(), "Evaluate the current plan");
    }

    static void saveText(Node owner, EvaluateViewModel vm, String name, String text) {
        File f = chooser(vm, name, "CSV (*.csv)", "*.csv").showSaveDialog(owner.getScene().getWindow());
        if (f == null) {
            return;
        }
        try {
            AtomicWrite.text(f.toPath(), text);
            vm.main().setStatus("Wrote " + f + ".");
        } catch (RuntimeException e) {
            vm.main().plan().report(ErrorReport.of("Cannot write " + f.getName(), e));
        }
    }

    static void savePng(Node owner, EvaluateViewModel vm, PlotView chart) {
        File f = chooser(vm, "trade-offs.png", "PNG images (*.png)", "*.png").showSaveDialog(owner.getScene().getWindow());
        if (f == null) {
            return;
        }
        try {
            writePng(chart, f.toPath());
            vm.main().setStatus("Wrote " + f + ".");
        } catch (RuntimeException | java.io.IOException e) {
            vm.main().plan().report(ErrorReport.of("Cannot write " + f.getName(), e));
        }
    }

    /** The chart as drawn, as a PNG. */
    static void writePng(PlotView chart, Path file) throws java.io.IOException {
        var image = chart.canvas().snapshot(null, null);
        javax.imageio.ImageIO.write(javafx.embed.swing.SwingFXUtils.fromFXImage(image, null), "png", file.toFile());
    }

    private static FileChooser chooser(EvaluateViewModel vm, String name, String what, String pattern) {
        FileChooser c = new FileChooser();
        c.getExtensionFilters().add(new FileChooser.ExtensionFilter(what, pattern));
        Path model = vm.main().modelFileProperty().get();
        if (model != null && model.getParent() != null) {
            c.setInitialDirectory(model.getParent().toFile());
            c.setInitialFileName(MainMenus.stem(model) + "-" + name);
        } else {
            c.setInitialFileName(name);
        }
        return c;
    }

    public EvaluateViewModel viewModel() {
        return vm;
    }

    public ResultsView results() {
        return results;
    }

    public TradeOffView tradeOffs() {
        return tradeOffs;
    }
}
