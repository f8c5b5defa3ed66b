package dev.whittle.core.recipe;

import dev.whittle.core.BadInputException;
import dev.whittle.core.eval.DatasetSpec;
import dev.whittle.core.eval.Datasets;
import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.analysis.CalibrationData;
import dev.whittle.core.analysis.CalibrationFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads a recipe's {@code calibration} for the model being quantized: {@code data} is a
 * {@code .npy} (a one-input model), a {@code .npz} whose arrays are named like the inputs, or a
 * dataset spec ({@code .yaml}, docs/evaluation.md) whose {@code inputs} name one array file per
 * input; relative paths resolve against the recipe's folder (a spec's own paths against the
 * spec's folder). {@code samples} keeps the first N samples.
 */
final class CalibrationSource {
    /** Samples per calibration batch, as {@code whittle quantize}. */
    static final int BATCH = 32;

    private CalibrationSource() {
    }

    static CalibrationData load(Calibration c, Path folder, ModelGraph model) {
        Path base = folder == null ? Path.of("").toAbsolutePath() : folder;
        Path file = base.resolve(c.data()).normalize();
        String name = file.getFileName().toString().toLowerCase();
        List<String> arrays = new ArrayList<>();
        if (name.endsWith(".yaml") || name.endsWith(".yml")) {
            DatasetSpec spec = Datasets.readSpec(file);
            if (spec.inputs() == null || spec.inputs().isEmpty()) {
                throw new BadInputException("calibration.data " + c.data() + ": a dataset spec for calibration needs 'inputs'"
                        + " (array files per model input); csv and images specs are for evaluation.");
            }
            if (spec.axes() != null || spec.stream() != null) {
                throw new BadInputException("calibration.data " + c.data() + ": calibration takes every array's samples along"
                        + " axis 0; the spec's 'axes' and 'stream' are for evaluation only (give calibration a spec without them).");
            }
            Path dir = file.getParent();
            spec.inputs().forEach((input, f) -> arrays.add(input + "=" + dir.resolve(f).normalize()));
        } else {
            arrays.add(file.toString());
        }
        return CalibrationFiles.load(model, arrays, null, BATCH, c.samples() == null ? 0 : c.samples());
    }
}
