package dev.whittle.ui;

import dev.whittle.core.model.ModelGraph;
import java.nio.file.Path;
import javafx.application.Application;
import javafx.beans.value.ChangeListener;
import javafx.beans.value.ObservableValue;
import javafx.geometry.Rectangle2D;
import javafx.scene.Scene;
import javafx.scene.image.Image;
import javafx.stage.Screen;
import javafx.stage.Stage;

/** The workbench application: one window, opened on the model named on the command line. */
public final class WhittleApp extends Application {
    @Override
    public void start(Stage stage) {
        AppOptions options = AppOptions.parse(getParameters().getRaw());
        dev.whittle.core.tensor.Parallel.limit(options.computeThreads(dev.whittle.core.tensor.Parallel.cores()));
        MainViewModel vm = new MainViewModel(Background.forFx(), RecentFiles.inUserConfig());
        vm.detail().kindProperty().set(options.magnitudes()
                ? LayerDetailViewModel.HistogramKind.LOG_MAGNITUDE : LayerDetailViewModel.HistogramKind.VALUES);
        vm.detail().logCountsProperty().set(options.logCounts());
        // Screenshots show the default layout, whatever the user left last time.
        MainView view = new MainView(vm, options.screenshot() != null ? new PanelStore(null) : PanelStore.inUserConfig());
        EvaluateTabs.install(view, vm);

        Rectangle2D screen = Screen.getPrimary().getVisualBounds();
        double w = options.size() != null ? options.size()[0] : Math.min(1440, screen.getWidth());
        double h = options.size() != null ? options.size()[1] : Math.min(900, screen.getHeight());
        Scene scene = new Scene(view, w, h);
        Styles.apply(scene);
        stage.setScene(scene);
        stage.titleProperty().bind(vm.titleProperty());
        stage.setMinWidth(900);
        stage.setMinHeight(600);
        var icon = WhittleApp.class.getResource("/dev/whittle/ui/assets/whittle-icon.png");
        if (icon != null) {
            stage.getIcons().add(new Image(icon.toExternalForm()));
        }
        stage.setOnHidden(e -> view.rememberPanels());
        stage.show();

        vm.removeMissingRecentFiles();
        AppOptions.Startup startup = AppOptions.startup(options.model(), Path.of(""));
        if (startup.note() != null) {
            System.err.println("whittle: " + startup.note());
        }
        if (startup.file() != null) {
            if (options.select() != null || options.recipe() != null) {
                selectWhenOpen(vm, options.select(), options.recipe());
            }
            vm.open(startup.file(), startup.note());
        } else if (startup.note() != null) {
            vm.setStatus(startup.note());
        }
        if (options.tab() != null) {
            view.inspector().getSelectionModel().select(AppOptions.TABS.indexOf(options.tab()));
        }
        if (options.screenshot() != null) {
            Screenshot.whenReady(scene, vm, options.screenshot(), startup.file() != null);
        }
    }

    /** Opens the --recipe and selects the layer named by --select once the start-up model is open. */
    private static void selectWhenOpen(MainViewModel vm, String select, Path recipe) {
        vm.loadingProperty().addListener(new ChangeListener<>() {
            @Override
            public void changed(ObservableValue<? extends Boolean> o, Boolean was, Boolean now) {
                if (now) {
                    return;
                }
                vm.loadingProperty().removeListener(this);
                ModelGraph g = vm.graphProperty().get();
                if (g != null && recipe != null) {
                    vm.plan().openRecipe(recipe, () -> { });
                }
                if (g != null && select != null) {
                    g.weightLayers().stream().filter(l -> l.node().contains(select)).findFirst()
                            .ifPresent(l -> vm.layers().selectedProperty().set(l));
                }
            }
        });
    }
}
