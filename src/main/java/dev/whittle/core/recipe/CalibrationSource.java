package dev.whittle.core.recipe;

import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.analysis.CalibrationData;
import dev.whittle.core.analysis.CalibrationFiles;
import java.nio.file.Path;
import java.util.List;

/**
 * Loads a recipe's {@code calibration} for the model being quantized: {@code data} is a
 * {@code .npy} (a one-input model), a {@code .npz} whose arrays are named like the inputs, or a
 * dataset spec ({@code .yaml}, docs/evaluation.md) whose {@code inputs} name one array file per
 * input; relative paths resolve against the recipe's folder (a spec's own paths against the
 * spec's folder), and its {@code axes} and {@code stream} are honoured as in evaluation.
 * {@code samples} keeps the first N samples (chunks).
 */
final class CalibrationSource {
    /** Samples per calibration batch, as {@code whittle quantize}. */
    static final int BATCH = 32;

    private CalibrationSource() {
    }

    static CalibrationData load(Calibration c, Path folder, ModelGraph model) {
        Path base = folder == null ? Path.of("").toAbsolutePath() : folder;
        Path file = base.resolve(c.data()).normalize();
        return CalibrationFiles.load(model, List.of(file.toString()), null, BATCH, c.samples() == null ? 0 : c.samples(),
                "calibration.data");
    }
}
