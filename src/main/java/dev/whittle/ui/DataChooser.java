package dev.whittle.ui;

import dev.whittle.core.compare.DataChoice;
import java.io.File;
import java.nio.file.Path;
import javafx.geometry.Pos;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;

/**
 * "Data [kind] label": a view of the window's one {@link DataChoiceModel}. The Results,
 * Sensitivity and Per-layer latency tabs each show one; a choice made in any of them is the
 * choice of all three (and is remembered per model).
 */
final class DataChooser extends HBox {
    static final String SAMPLES = "Samples' own set";
    static final String ARRAYS = "Arrays (.npy / .npz)...";
    static final String SPEC = "Dataset spec (.yaml)...";
    static final String IMAGES = "Image folder...";
    static final String SYNTHETIC = "Synthetic inputs (fidelity only)";

    private final DataChoiceModel model;
    private final ComboBox<String> kind = new ComboBox<>();
    private final Label label = new Label();
    private final javafx.scene.control.Button feeding = new javafx.scene.control.Button("Feeding...");
    private boolean updating;

    DataChooser(DataChoiceModel model, String id) {
        super(6);
        this.model = model;
        kind.getItems().setAll(SAMPLES, ARRAYS, SPEC, IMAGES, SYNTHETIC);
        kind.setId(id);
        kind.setTooltip(Tips.of("What to run the model on, for Evaluate, Sensitivity and Per-layer latency alike."
                + " Labelled data gives accuracy; every choice gives fidelity against the original model (agreement,"
                + " cosine, output SQNR). Remembered per model."));
        kind.setOnAction(e -> {
            if (!updating) {
                choose(kind.getValue());
            }
        });
        label.getStyleClass().addAll("muted", "data-label");
        label.setMinWidth(0);
        label.setMaxWidth(Double.MAX_VALUE);
        HBox.setHgrow(label, Priority.ALWAYS);
        setAlignment(Pos.CENTER_LEFT);
        setMinWidth(0);
        Label title = new Label("Data");
        title.setMinWidth(Region.USE_PREF_SIZE);
        kind.setMinWidth(Region.USE_PREF_SIZE);
        feeding.setId(id + "Feeding");
        feeding.setMinWidth(Region.USE_PREF_SIZE);
        feeding.setTooltip(Tips.of("How the data feeds the model: each input's sample axis (or passed whole to every"
                + " run), and for models with state inputs a stream that carries an output into an input from chunk to"
                + " chunk. Saved as a dataset spec the CLI reads too."));
        feeding.setOnAction(e -> editFeeding());
        getChildren().addAll(title, kind, feeding, label);
        model.choiceProperty().addListener((o, a, d) -> show(d));
        show(model.choiceProperty().get());
    }

    Label label() {
        return label;
    }

    private void show(DataChoice d) {
        updating = true;
        try {
            if (d == null) {
                label.setText("");
                kind.setValue(null);
                return;
            }
            feeding.setDisable(d.kind() == DataChoice.Kind.SYNTHETIC || d.kind() == DataChoice.Kind.IMAGES);
            label.setText(d.label() + (d.labels() == null && d.kind() == DataChoice.Kind.ARRAYS ? " (no labels: fidelity only)" : ""));
            label.setTooltip(Tips.of(d.kind() == DataChoice.Kind.ARRAYS ? String.join("\n", d.inputs().values())
                    + (d.labels() == null ? "" : "\nlabels: " + d.labels()) : d.file() == null ? d.label() : d.file()));
            DataChoice samples = model.samples();
            kind.setValue(samples != null && d.withBatch(samples.batch()).withLimit(0).equals(samples) ? SAMPLES
                    : switch (d.kind()) {
                        case ARRAYS -> ARRAYS;
                        case SPEC -> SPEC;
                        case IMAGES -> IMAGES;
                        case SYNTHETIC -> SYNTHETIC;
                    });
        } finally {
            updating = false;
        }
    }

    private void choose(String what) {
        DataChoice current = model.choiceProperty().get();
        int n = current == null ? 32 : current.batch();
        MainViewModel main = model.main();
        try {
            DataChoice next = switch (what) {
                case SAMPLES -> {
                    DataChoice s = model.samples();
                    if (s == null) {
                        main.setStatus("This model is not one of the samples; choose arrays, a dataset spec or images.");
                    }
                    yield s;
                }
                case ARRAYS -> {
                    File x = file("Inputs for the model (.npy, or .npz named by input)", "*.npy", "*.npz");
                    File y = x == null ? null : file("Labels (.npy of class indices); Cancel for none (fidelity only)", "*.npy");
                    yield x == null ? null : DataChoice.arrays(x.toPath(), y == null ? null : y.toPath(), n);
                }
                case SPEC -> {
                    File f = file("Dataset spec (docs/evaluation.md)", "*.yaml", "*.yml");
                    yield f == null ? null : DataChoice.spec(f.toPath());
                }
                case IMAGES -> {
                    DirectoryChooser c = new DirectoryChooser();
                    c.setTitle("Image folder: one sub-folder per class");
                    File f = c.showDialog(getScene() == null ? null : getScene().getWindow());
                    yield f == null ? null : DataChoice.images(f.toPath(), n);
                }
                default -> DataChoice.synthetic(64, Math.min(n, 16));
            };
            if (next != null) {
                model.choiceProperty().set(next);
            }
        } catch (RuntimeException e) {
            main.plan().report(ErrorReport.of("Cannot use that data", e));
        }
        show(model.choiceProperty().get());
    }

    /** Opens {@link FeedingDialog} on the current data; a saved spec becomes the window's data. */
    private void editFeeding() {
        MainViewModel main = model.main();
        DataChoice current = model.choiceProperty().get();
        if (main.modelProperty().get() == null || current == null) {
            return;
        }
        try {
            FeedingDraft draft = FeedingDraft.of(main.modelProperty().get().graph(), current);
            Path suggested = suggestedSpec(current);
            FeedingDialog.show(getScene() == null ? null : getScene().getWindow(), draft, suggested).ifPresent(next -> {
                model.choiceProperty().set(next);
                main.setStatus("Data: " + next.label() + " (dataset spec " + next.file() + ").");
            });
        } catch (RuntimeException e) {
            main.plan().report(ErrorReport.of("Cannot set how inputs are fed", e));
        }
    }

    /** The spec itself, or "<first array>-feed.yaml" beside the arrays. */
    private static Path suggestedSpec(DataChoice c) {
        if (c.kind() == DataChoice.Kind.SPEC) {
            return Path.of(c.file()).toAbsolutePath();
        }
        String first = c.inputs().values().iterator().next();
        int colon = first.toLowerCase(java.util.Locale.ROOT).indexOf(".npz:");
        Path p = Path.of(colon >= 0 ? first.substring(0, colon + 4) : first).toAbsolutePath();
        String name = String.valueOf(p.getFileName()).replaceFirst("\\.(npy|npz)$", "");
        return p.resolveSibling(name + "-feed.yaml");
    }

    private File file(String title, String... patterns) {
        FileChooser c = new FileChooser();
        c.setTitle(title);
        c.getExtensionFilters().addAll(new FileChooser.ExtensionFilter(title, patterns), new FileChooser.ExtensionFilter("All files", "*"));
        Path file = model.main().modelFileProperty().get();
        if (file != null && file.getParent() != null) {
            c.setInitialDirectory(file.getParent().toFile());
        }
        return c.showOpenDialog(getScene() == null ? null : getScene().getWindow());
    }
}
