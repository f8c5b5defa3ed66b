package dev.whittle.ui;

import dev.whittle.core.compare.DataChoice;
import dev.whittle.core.onnx.OnnxModel;
import java.nio.file.Path;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;

/**
 * The one data choice of the open model, shared by Evaluate, Sensitivity and Per-layer latency:
 * choosing data in any of their {@link DataChooser}s serves all three. Opening a model resets it
 * to the samples' own set (for a sample model) or synthetic inputs; the Evaluate view model then
 * restores the choice remembered in the model's history and stores every later choice there.
 */
public final class DataChoiceModel {
    private final ObjectProperty<DataChoice> choice = new SimpleObjectProperty<>(this, "choice");
    private final MainViewModel main;

    DataChoiceModel(MainViewModel main) {
        this.main = main;
        main.modelProperty().addListener((o, a, m) -> choice.set(defaultFor(m)));
        choice.set(defaultFor(main.modelProperty().get()));
    }

    /** The samples' own set for a sample model, else 64 synthetic samples; null without a model. */
    DataChoice defaultFor(OnnxModel m) {
        if (m == null) {
            return null;
        }
        DataChoice samples = samplesFor(m);
        return samples != null ? samples : DataChoice.synthetic(64, 16);
    }

    /** The samples' own set for the open model, or null when it is not a sample model. */
    DataChoice samples() {
        return samplesFor(main.modelProperty().get());
    }

    /** By the model's own file (the window's model file is set only after the model). */
    private static DataChoice samplesFor(OnnxModel m) {
        Path file = m == null ? null : m.source();
        return file == null ? null : DataChoice.samplesFor(file);
    }

    public ObjectProperty<DataChoice> choiceProperty() {
        return choice;
    }

    MainViewModel main() {
        return main;
    }
}
