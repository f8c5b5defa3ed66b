package dev.whittle.ui;

import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.preview.PreviewCache;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.StringBinding;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

/**
 * State of the workbench window: the open model, loading, the status line, recent files, and
 * the layer table and detail view models. Opening runs in the background; a failed open keeps
 * the previous model and reports the error through {@link #setErrorHandler}.
 */
public final class MainViewModel {
    private final Background background;
    private final Function<Path, OnnxModel> loader;
    private final RecentFiles recent;
    private final LayerTableViewModel layers = new LayerTableViewModel();
    private final LayerDetailViewModel detail;

    private final ReadOnlyObjectWrapper<OnnxModel> model = new ReadOnlyObjectWrapper<>(this, "model");
    private final ReadOnlyObjectWrapper<Path> modelFile = new ReadOnlyObjectWrapper<>(this, "modelFile");
    private final JobRunner jobs;
    private final PreviewCache cache = new PreviewCache();
    private final PlanViewModel plan;
    private final InspectorViewModel inspector;
    private final DataChoiceModel data;
    private final ReadOnlyObjectWrapper<ModelGraph> graph = new ReadOnlyObjectWrapper<>(this, "graph");
    private final ReadOnlyBooleanWrapper loading = new ReadOnlyBooleanWrapper(this, "loading");
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "Ready.");
    private final StringBinding title;
    private Consumer<ErrorReport> errorHandler = e -> System.err.println(e.message());
    private long generation;

    public MainViewModel(Background background, RecentFiles recent) {
        this(background, recent, JobRunner.forFx());
    }

    public MainViewModel(Background background, RecentFiles recent, JobRunner jobs) {
        this(background, recent, file -> OnnxReader.read(file), new LayerDetailViewModel(background), jobs);
    }

    public MainViewModel(Background background, RecentFiles recent, Function<Path, OnnxModel> loader,
                         LayerDetailViewModel detail) {
        this(background, recent, loader, detail, JobRunner.direct());
    }

    public MainViewModel(Background background, RecentFiles recent, Function<Path, OnnxModel> loader,
                         LayerDetailViewModel detail, JobRunner jobs) {
        this.background = background;
        this.jobs = jobs;
        this.plan = new PlanViewModel(jobs);
        this.inspector = new InspectorViewModel(jobs, plan, cache);
        plan.setStatusHandler(status::set);
        plan.setErrorHandler(e -> errorHandler.accept(e));
        this.recent = recent;
        this.loader = loader;
        this.detail = detail;
        // Before any other model listener: views that react to the model read the new model's data choice.
        this.data = new DataChoiceModel(this);
        // The histogram's statistics first: the inspector's facts job waits until they are shown.
        layers.selectedProperty().addListener((o, a, b) -> {
            inspector.select(b, true);
            detail.select(b);
            if (!detail.computingProperty().get()) {
                inspector.releaseFacts();
            }
        });
        detail.computingProperty().addListener((o, a, busy) -> {
            if (!busy) {
                inspector.releaseFacts();
            }
        });
        title = Bindings.createStringBinding(() -> graph.get() == null ? "Whittle"
                : graph.get().fileName() + " - Whittle", graph);
    }

    /** Opens {@code file} in the background; the current model stays until the new one is ready. */
    public void open(Path file) {
        open(file, null);
    }

    /** Opens {@code file}; {@code note} (or null) is added to the status line once it is open. */
    public void open(Path file, String note) {
        long gen = ++generation;
        String name = String.valueOf(file.getFileName());
        loading.set(true);
        status.set("Opening " + name + "...");
        long start = System.nanoTime();
        background.run(() -> loader.apply(file), m -> {
            if (gen != generation) {
                return; // another file was opened (or the model closed) meanwhile
            }
            setModel(m);
            modelFile.set(file.toAbsolutePath());
            recent.add(file);
            ModelGraph g = m.graph();
            status.set((note == null ? "" : note + " ") + String.format(Locale.ROOT,
                    "Opened %s in %d ms: %s parameters, %d weight layers, %d nodes.",
                    name, (System.nanoTime() - start) / 1_000_000, Format.shortCount(g.params()),
                    g.weightLayers().size(), g.nodes().size()));
            loading.set(false); // last, so listeners of loading see the new model in place
        }, e -> {
            if (gen != generation) {
                return;
            }
            loading.set(false);
            status.set("Could not open " + name + (model.get() == null ? "." : "; " + model.get().graph().fileName()
                    + " is still open."));
            errorHandler.accept(ErrorReport.of("Cannot open " + name, e));
        });
    }

    /** Opens a file from the recent list, or removes it from the list if it is gone. */
    public void openRecent(Path file) {
        if (!Files.isRegularFile(file)) {
            recent.remove(file);
            status.set(file.getFileName() + " no longer exists; removed it from Open Recent.");
            return;
        }
        open(file);
    }

    /** Drops recent files that no longer exist and says so in the status line. */
    public void removeMissingRecentFiles() {
        List<Path> missing = recent.removeMissing();
        if (!missing.isEmpty()) {
            status.set("Removed from Open Recent (file no longer exists): "
                    + missing.stream().map(p -> String.valueOf(p.getFileName())).collect(Collectors.joining(", ")) + ".");
        }
    }

    public void close() {
        generation++;
        loading.set(false);
        if (model.get() != null) {
            status.set("Closed " + model.get().graph().fileName() + ".");
        }
        setModel(null);
        modelFile.set(null);
    }

    private void setModel(OnnxModel m) {
        inspector.select(null);
        detail.reset();
        jobs.cancelAll();
        cache.clear();
        plan.setModel(m);
        model.set(m);
        graph.set(m == null ? null : m.graph());
        layers.setLayers(m == null ? List.of() : m.graph().weightLayers());
        if (!layers.visibleLayers().isEmpty()) {
            // A selected first layer means the detail panel is never blank after opening.
            layers.selectedProperty().set(layers.visibleLayers().get(0));
        }
    }

    public void setErrorHandler(Consumer<ErrorReport> handler) {
        this.errorHandler = handler;
    }

    public void setStatus(String text) {
        status.set(text);
    }

    public ReadOnlyObjectProperty<OnnxModel> modelProperty() {
        return model.getReadOnlyProperty();
    }

    /** The open model's file (absolute), or null. */
    public ReadOnlyObjectProperty<Path> modelFileProperty() {
        return modelFile.getReadOnlyProperty();
    }

    /** The data Evaluate, Sensitivity and Per-layer latency run the model on (one choice for all). */
    public DataChoiceModel data() {
        return data;
    }

    public PlanViewModel plan() {
        return plan;
    }

    public InspectorViewModel inspector() {
        return inspector;
    }

    public JobRunner jobs() {
        return jobs;
    }

    public ReadOnlyObjectProperty<ModelGraph> graphProperty() {
        return graph.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty loadingProperty() {
        return loading.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    public StringBinding titleProperty() {
        return title;
    }

    public RecentFiles recentFiles() {
        return recent;
    }

    public LayerTableViewModel layers() {
        return layers;
    }

    public LayerDetailViewModel detail() {
        return detail;
    }
}
