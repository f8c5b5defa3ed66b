package dev.whittle.cli;

import dev.whittle.core.analysis.CalibrationData;
import dev.whittle.core.analysis.CalibrationFiles;
import dev.whittle.core.model.ModelGraph;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The calibration data options of the commands that quantize activations (quantize, sensitivity). */
final class CalibOptions {
    @Option(names = "--calib", paramLabel = "FILE", description = "Calibration data: X.npy, NAME=X.npy (repeatable), X.npz,"
            + " or a dataset spec SPEC.yaml (its axes and stream are honoured, as in eval).")
    List<String> calib = new ArrayList<>();

    @Option(names = "--calib-samples", paramLabel = "N", defaultValue = "0", description = "Use only the first N samples (default: all).")
    int calibSamples;

    @Option(names = "--calib-batch", paramLabel = "N", defaultValue = "32", description = "Samples per calibration batch (default: ${DEFAULT-VALUE}).")
    int calibBatch;

    boolean given() {
        return !calib.isEmpty();
    }

    CalibrationData load(ModelGraph g) {
        return CalibrationFiles.load(g, calib, null, calibBatch, calibSamples);
    }

    /** The files named, for the check that the output overwrites none of them. */
    List<Path> files() {
        List<Path> in = new ArrayList<>();
        for (String c : calib) {
            int eq = c.indexOf('=');
            in.add(Path.of(eq > 0 && !Files.exists(Path.of(c)) ? c.substring(eq + 1) : c));
        }
        return in;
    }
}
