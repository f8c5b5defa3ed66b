package dev.whittle.ui;

import java.io.File;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javafx.application.Platform;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.TabPane;
import javafx.scene.input.KeyCombination;
import javafx.stage.FileChooser;

/**
 * The window's menu bar. Every action with a shortcut is listed in {@link #SHORTCUTS}, which
 * Help > Shortcuts shows, so the list cannot drift from the menus.
 */
final class MainMenus {
    /** Shortcut to what it does, in menu order (Shortcut = Ctrl, or Cmd on a Mac). */
    static final Map<String, String> SHORTCUTS = new LinkedHashMap<>();

    private MainMenus() {
    }

    static MenuBar build(MainView view, MainViewModel vm, TabPane inspector, Menu recentMenu) {
        SHORTCUTS.clear();
        PlanViewModel plan = vm.plan();
        MenuItem open = item("Open Model...", "Shortcut+O", view::chooseAndOpen);
        MenuItem openRecipe = item("Open Recipe...", "Shortcut+Shift+O", () -> chooseFile(view, "Open recipe", false)
                .ifPresent(f -> plan.openRecipe(f, () -> { })));
        MenuItem exportRecipe = item("Export Recipe...", "Shortcut+S", () -> chooseFile(view, "Export recipe", true)
                .ifPresent(plan::exportRecipe));
        MenuItem exportModel = item("Export Model...", "Shortcut+Shift+S", () -> chooseModelTarget(view, vm)
                .ifPresent(f -> plan.exportModel(f, () -> { })));
        // ONNX Runtime and other tools can map weights kept in a separate file; over 2 GiB it is the only way
        MenuItem exportExternal = new MenuItem("Export Model with Weights in a .data File...");
        exportExternal.setId("exportModelExternal");
        exportExternal.setOnAction(e -> chooseModelTarget(view, vm).ifPresent(f -> plan.exportModel(f, true, () -> { })));
        MenuItem close = item("Close", "Shortcut+W", vm::close);
        for (MenuItem m : List.of(openRecipe, exportRecipe, exportModel, exportExternal, close)) {
            m.disableProperty().bind(vm.graphProperty().isNull());
        }
        MenuItem quit = item("Quit", "Shortcut+Q", Platform::exit);
        Menu file = new Menu("File", null, open, recentMenu, new SeparatorMenuItem(), openRecipe, exportRecipe,
                exportModel, exportExternal, new SeparatorMenuItem(), close, new SeparatorMenuItem(), quit);

        MenuItem undo = item("Undo", "Shortcut+Z", plan::undo);
        undo.textProperty().bind(plan.undoTextProperty());
        undo.disableProperty().bind(plan.canUndoProperty().not());
        MenuItem redo = item("Redo", "Shortcut+Shift+Z", plan::redo);
        redo.textProperty().bind(plan.redoTextProperty());
        redo.disableProperty().bind(plan.canRedoProperty().not());
        MenuItem apply = item("Apply to Selected Layers", "Shortcut+Shift+A", view::applyToSelected);
        MenuItem reset = item("Reset Selected Layers", "Shortcut+Shift+R", view::resetSelected);
        MenuItem defaults = item("Plan Defaults...", "Shortcut+D", () -> DefaultsDialog.show(view.getScene().getWindow(), plan));
        defaults.setId("planDefaults");
        defaults.disableProperty().bind(vm.graphProperty().isNull());
        MenuItem find = item("Find Layer", "Shortcut+F", view::focusFilter);
        MenuItem calibration = new MenuItem("Calibration Data...");
        calibration.setId("calibrationData");
        calibration.setOnAction(e -> chooseCalibration(view).ifPresent(f -> plan.setCalibration(f, () -> { })));
        calibration.disableProperty().bind(vm.graphProperty().isNull());
        Menu edit = new Menu("Edit", null, undo, redo, new SeparatorMenuItem(), defaults, calibration, apply, reset,
                new SeparatorMenuItem(), find);

        Menu viewMenu = new Menu("View");
        for (int i = 0; i < inspector.getTabs().size(); i++) {
            int index = i;
            viewMenu.getItems().add(item(inspector.getTabs().get(i).getText() + " Tab", "Shortcut+" + (i + 1),
                    () -> inspector.getSelectionModel().select(index)));
        }
        SHORTCUTS.put("Esc", "Cancel the newest running job");
        MenuItem shortcuts = item("Shortcuts", "F1", () -> Dialogs.shortcuts(view.getScene().getWindow(), SHORTCUTS));
        MenuItem about = new MenuItem("About Whittle");
        about.setOnAction(e -> Dialogs.about(view.getScene().getWindow()));
        Menu help = new Menu("Help", null, shortcuts, about);
        MenuBar bar = new MenuBar(file, edit, viewMenu, help);
        bar.setId("menuBar");
        return bar;
    }

    private static MenuItem item(String text, String accelerator, Runnable action) {
        MenuItem m = new MenuItem(text);
        m.setAccelerator(KeyCombination.keyCombination(accelerator));
        m.setOnAction(e -> action.run());
        SHORTCUTS.put(KeyCombination.keyCombination(accelerator).getDisplayText(), text.replace("...", ""));
        return m;
    }

    /** The calibration data the data-aware methods run on: samples other than the evaluation's. */
    private static java.util.Optional<Path> chooseCalibration(MainView view) {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Calibration data (samples the data-aware methods learn from; not the evaluation data)");
        chooser.getExtensionFilters().addAll(new FileChooser.ExtensionFilter("Arrays and dataset specs (*.npy, *.npz, *.yaml)",
                "*.npy", "*.npz", "*.yaml", "*.yml"), new FileChooser.ExtensionFilter("All files", "*"));
        Path model = view.modelFile();
        if (model != null && model.getParent() != null) {
            chooser.setInitialDirectory(model.getParent().toFile());
        }
        File f = chooser.showOpenDialog(view.getScene().getWindow());
        return java.util.Optional.ofNullable(f).map(File::toPath);
    }

    private static java.util.Optional<Path> chooseFile(MainView view, String title, boolean save) {
        FileChooser chooser = new FileChooser();
        chooser.setTitle(title);
        chooser.getExtensionFilters().addAll(new FileChooser.ExtensionFilter("Recipes (*.yaml, *.yml, *.json)",
                "*.yaml", "*.yml", "*.json"), new FileChooser.ExtensionFilter("All files", "*"));
        Path model = view.modelFile();
        if (model != null && model.getParent() != null) {
            chooser.setInitialDirectory(model.getParent().toFile());
            if (save) {
                chooser.setInitialFileName(stem(model) + "-recipe.yaml");
            }
        }
        File f = save ? chooser.showSaveDialog(view.getScene().getWindow()) : chooser.showOpenDialog(view.getScene().getWindow());
        return java.util.Optional.ofNullable(f).map(File::toPath);
    }

    private static java.util.Optional<Path> chooseModelTarget(MainView view, MainViewModel vm) {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Export compressed model");
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("ONNX models (*.onnx)", "*.onnx"));
        Path model = view.modelFile();
        if (model != null && model.getParent() != null) {
            chooser.setInitialDirectory(model.getParent().toFile());
            chooser.setInitialFileName(stem(model) + "-whittled.onnx");
        }
        File f = chooser.showSaveDialog(view.getScene().getWindow());
        return java.util.Optional.ofNullable(f).map(File::toPath);
    }

    static String stem(Path p) {
        String n = p.getFileName().toString();
        return n.endsWith(".onnx") ? n.substring(0, n.length() - 5) : n;
    }
}
