package dev.whittle.core.analysis;

import dev.whittle.core.BadInputException;
import dev.whittle.core.eval.ActivationCollector.Input;
import dev.whittle.core.model.DataType;
import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.model.ValueInfo;
import dev.whittle.core.tensor.Npy;
import dev.whittle.core.tensor.NpyArray;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads calibration arrays: {@code X.npy} for a one-input model, {@code NAME=X.npy} per input,
 * or one {@code X.npz} whose entries are named like the inputs (the CLI's {@code --calib}, a
 * recipe's {@code calibration.data}). Arrays are converted to each input's element type
 * (float32 or int64).
 */
public final class CalibrationFiles {
    private CalibrationFiles() {
    }

    /**
     * @param base    folder relative file names are resolved against (a recipe's folder), or null
     * @param batch   samples per batch (lowered to a model's fixed batch dimension)
     * @param samples use only the first this many samples; 0 for all
     */
    public static CalibrationData load(ModelGraph g, List<String> specs, Path base, int batch, int samples) {
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        for (String s : specs) {
            int eq = s.indexOf('=');
            if (s.endsWith(".npz") && eq < 0) {
                arrays.putAll(Npy.readNpz(resolve(base, s)));
            } else if (eq > 0) {
                arrays.put(s.substring(0, eq), Npy.read(resolve(base, s.substring(eq + 1))));
            } else {
                if (g.inputs().size() != 1) {
                    throw new BadInputException("--calib " + s + ": " + g.fileName() + " has " + g.inputs().size()
                            + " inputs, so name each array: --calib NAME=FILE.npy.");
                }
                arrays.put(g.inputs().get(0).name(), Npy.read(resolve(base, s)));
            }
        }
        Map<String, Input> inputs = new LinkedHashMap<>();
        for (ValueInfo v : g.inputs()) {
            NpyArray a = arrays.get(v.name());
            if (a == null) {
                throw new BadInputException("--calib gives no array for model input '" + v.name() + "' (have: "
                        + arrays.keySet() + ").");
            }
            if (v.type() != DataType.INT64 && v.type() != DataType.FLOAT) {
                throw new BadInputException("Model input '" + v.name() + "' is " + v.type() + "; calibration feeds float32"
                        + " or int64 inputs only.");
            }
            inputs.put(v.name(), v.type() == DataType.INT64 ? Input.longs(a.shape(), a.toLongArray())
                    : Input.floats(a.shape(), a.toFloatArray()));
        }
        for (String k : arrays.keySet()) {
            if (inputs.get(k) == null) {
                throw new BadInputException("--calib names '" + k + "', which is not an input of " + g.fileName() + ".");
            }
        }
        for (ValueInfo v : g.inputs()) {
            // A model declaring a fixed batch dimension takes only batches of that size.
            if (v.shape() != null && !v.shape().isEmpty() && v.shape().get(0).isFixed()) {
                batch = (int) Math.max(1, Math.min(batch, v.shape().get(0).value()));
            }
        }
        CalibrationData d = new CalibrationData(inputs, batch);
        return samples > 0 ? d.limit(samples) : d;
    }

    private static Path resolve(Path base, String file) {
        Path p = Path.of(file);
        return base == null || p.isAbsolute() ? p : base.resolve(p);
    }
}
