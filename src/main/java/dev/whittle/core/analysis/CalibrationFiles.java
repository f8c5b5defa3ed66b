package dev.whittle.core.analysis;

import dev.whittle.core.BadInputException;
import dev.whittle.core.eval.Dataset;
import dev.whittle.core.eval.DatasetSpec;
import dev.whittle.core.eval.Datasets;
import dev.whittle.core.eval.Feeding;
import dev.whittle.core.eval.HostTensor;
import dev.whittle.core.eval.SampleAxes;
import dev.whittle.core.model.DataType;
import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.model.ValueInfo;
import dev.whittle.core.tensor.Npy;
import dev.whittle.core.tensor.NpyArray;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads calibration arrays: {@code X.npy} for a one-input model, {@code NAME=X.npy} per input,
 * one {@code X.npz} whose entries are named like the inputs, or a dataset spec {@code .yaml}
 * (the CLI's {@code --calib}, a recipe's {@code calibration.data}). Arrays are converted to
 * each input's element type (float32 or int64); each input's sample axis is decided as for
 * evaluation ({@link SampleAxes}), or by the spec's {@code axes}, and a spec's {@code stream}
 * is fed chunk by chunk with its state carried.
 */
public final class CalibrationFiles {
    private CalibrationFiles() {
    }

    /**
     * @param base    folder relative file names are resolved against (a recipe's folder), or null
     * @param batch   samples per batch (a model's fixed batch dimension wins when fed)
     * @param samples use only the first this many samples; 0 for all
     */
    public static CalibrationData load(ModelGraph g, List<String> specs, Path base, int batch, int samples) {
        return load(g, specs, base, batch, samples, "--calib");
    }

    /**
     * As above; {@code option} names where the files were given ({@code --calib},
     * {@code calibration.data}) in error messages. A dataset spec ({@code .yaml}) is read as
     * evaluation reads it: its {@code inputs}, {@code axes} and {@code stream}.
     */
    public static CalibrationData load(ModelGraph g, List<String> specs, Path base, int batch, int samples, String option) {
        Dataset d;
        String source;
        if (specs.size() == 1 && isSpec(specs.get(0))) {
            Path file = resolve(base, specs.get(0)).normalize();
            source = option + " " + file.getFileName();
            try {
                DatasetSpec spec = Datasets.readSpec(file);
                if (spec.inputs() == null || spec.inputs().isEmpty()) {
                    throw new BadInputException("a dataset spec for calibration needs 'inputs' (array files per model input);"
                            + " csv and images specs are for evaluation.");
                }
                d = Datasets.load(file, spec, g);
                if (batch < 1 && spec.batch() != null) {
                    batch = spec.batch();
                }
            } catch (BadInputException e) {
                throw new BadInputException(source + ": " + e.getMessage(), e);
            }
        } else {
            source = option + " " + String.join(" ", specs);
            d = arrays(g, specs, base, option);
        }
        CalibrationData data = new CalibrationData(d, Math.max(1, batch));
        data = samples > 0 ? data.limit(samples) : data;
        try {
            Feeding.of(g, data.dataset(), data.batchSize()); // the checks evaluation makes, before any run
        } catch (BadInputException e) {
            throw new BadInputException(source + ": " + e.getMessage(), e);
        }
        return data;
    }

    private static boolean isSpec(String s) {
        String n = s.toLowerCase(java.util.Locale.ROOT);
        return s.indexOf('=') < 0 && (n.endsWith(".yaml") || n.endsWith(".yml"));
    }

    private static Dataset arrays(ModelGraph g, List<String> specs, Path base, String option) {
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        for (String s : specs) {
            int eq = s.indexOf('=');
            if (s.endsWith(".npz") && eq < 0) {
                arrays.putAll(Npy.readNpz(resolve(base, s)));
            } else if (eq > 0) {
                arrays.put(s.substring(0, eq), Npy.read(resolve(base, s.substring(eq + 1))));
            } else {
                if (g.inputs().size() != 1) {
                    throw new BadInputException(option + " " + s + ": " + g.fileName() + " has " + g.inputs().size()
                            + " inputs, so name each array: " + option + " NAME=FILE.npy.");
                }
                arrays.put(g.inputs().get(0).name(), Npy.read(resolve(base, s)));
            }
        }
        Map<String, HostTensor> inputs = new LinkedHashMap<>();
        for (ValueInfo v : g.inputs()) {
            NpyArray a = arrays.get(v.name());
            if (a == null) {
                throw new BadInputException(option + " gives no array for model input '" + v.name() + "' (have: "
                        + arrays.keySet() + ").");
            }
            if (v.type() != DataType.INT64 && v.type() != DataType.FLOAT) {
                throw new BadInputException("Model input '" + v.name() + "' is " + v.type() + "; calibration feeds float32"
                        + " or int64 inputs only.");
            }
            inputs.put(v.name(), v.type() == DataType.INT64 ? HostTensor.ofLongs(a.shape(), a.toLongArray())
                    : HostTensor.ofFloats(a.shape(), a.toFloatArray()));
        }
        for (String k : arrays.keySet()) {
            if (inputs.get(k) == null) {
                throw new BadInputException(option + " names '" + k + "', which is not an input of " + g.fileName() + ".");
            }
        }
        // Each array's sample axis from the model's dims, as evaluation decides it (a state
        // [2, batch, 128] along axis 1; a scalar sample rate passed whole).
        List<String> notes = new ArrayList<>();
        Map<String, Integer> axes = SampleAxes.decide(g, inputs, Map.of(), notes);
        String desc = String.join(", ", specs);
        return new Dataset(inputs, null, desc, notes, axes, null);
    }

    private static Path resolve(Path base, String file) {
        Path p = Path.of(file);
        return base == null || p.isAbsolute() ? p : base.resolve(p);
    }
}
