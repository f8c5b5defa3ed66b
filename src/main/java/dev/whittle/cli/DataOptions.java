package dev.whittle.cli;

import dev.whittle.core.BadInputException;
import dev.whittle.core.eval.Dataset;
import dev.whittle.core.eval.DatasetSpec;
import dev.whittle.core.eval.Datasets;
import dev.whittle.core.eval.Pool;
import dev.whittle.core.eval.SyntheticInputs;
import dev.whittle.core.model.ModelGraph;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Where evaluation data comes from: a dataset spec, array files, or synthetic inputs. */
final class DataOptions {
    @Option(names = "--data", paramLabel = "SPEC.yaml", description = "Dataset spec (docs/evaluation.md).")
    Path spec;

    @Option(names = "--inputs", paramLabel = "FILE", description = "Array for the model's only input (.npy), or a .npz whose"
            + " arrays are named like the inputs.")
    String inputs;

    @Option(names = "--input", paramLabel = "NAME=FILE", description = "Array for one named input (repeatable).")
    Map<String, String> named = new LinkedHashMap<>();

    @Option(names = "--labels", paramLabel = "FILE", description = "Integer class labels [samples] (.npy).")
    String labels;

    @Option(names = "--limit", paramLabel = "N", description = "Use only the first N samples.")
    Long limit;

    @Option(names = "--dim", paramLabel = "NAME=N", description = "Size of a named unfixed dimension of synthetic inputs"
            + " (axis 0 is always the batch).")
    Map<String, Long> dims = new LinkedHashMap<>();

    @Option(names = "--dim-default", paramLabel = "N", description = "Size of other unfixed dimensions of synthetic inputs"
            + " (default: ${DEFAULT-VALUE}).", defaultValue = "" + SyntheticInputs.DEFAULT_DIM)
    long dimDefault;

    private DatasetSpec loadedSpec;

    boolean given() {
        return spec != null || inputs != null || !named.isEmpty();
    }

    DatasetSpec spec() {
        if (spec != null && loadedSpec == null) {
            refuseArrays(spec, "--data");
            loadedSpec = Datasets.readSpec(spec);
        }
        return loadedSpec;
    }

    /** An array file given as --data (a newcomer's mistake): say where arrays go instead of a YAML parse error. */
    static void refuseArrays(Path file, String option) {
        String name = String.valueOf(file.getFileName()).toLowerCase(java.util.Locale.ROOT);
        byte[] head = new byte[6];
        try (var in = java.nio.file.Files.newInputStream(file)) {
            int n = in.readNBytes(head, 0, 6);
            boolean npy = n == 6 && (head[0] & 0xff) == 0x93 && new String(head, 1, 5, java.nio.charset.StandardCharsets.US_ASCII)
                    .equals("NUMPY");
            boolean zip = n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
            if (npy || zip || name.endsWith(".npy") || name.endsWith(".npz")) {
                throw new BadInputException(file.getFileName() + " is " + (zip || name.endsWith(".npz") ? "a .npz archive" : "a .npy array")
                        + ": " + option + " takes a dataset spec (.yaml, docs/evaluation.md); " + (option.equals("--data")
                        ? "give arrays with --inputs X.npy (or --input NAME=X.npy per input) and --labels Y.npy."
                        : "write one whose 'inputs:' names the arrays (docs/examples/fashion-test.yaml is one)."));
            }
        } catch (java.io.IOException e) {
            // Missing or unreadable: the spec reader says so.
        }
    }

    /** The data named by the options, or null when none was given. */
    Dataset load(ModelGraph model) {
        if (spec != null && (inputs != null || !named.isEmpty())) {
            throw new BadInputException("Give the data either as --data SPEC.yaml or as --inputs/--input files, not both.");
        }
        if (labels != null && !given()) {
            throw new BadInputException("--labels needs inputs (--inputs, --input or --data).");
        }
        if (spec != null) {
            if (labels != null) {
                throw new BadInputException("With --data, name the labels in the spec file ('labels:').");
            }
            return Datasets.load(spec, spec(), model);
        }
        if (!given()) {
            return null;
        }
        Map<String, String> files = new LinkedHashMap<>();
        if (inputs != null) {
            files.put(null, inputs);
        }
        files.putAll(named);
        return Datasets.fromFiles(files, labels, model, null);
    }

    /** The limit: the option, else the spec's, else 0 (all). */
    long limit() {
        if (limit != null) {
            if (limit < 1) {
                throw new BadInputException("--limit must be at least 1, got " + limit + "; leave it out to use every sample.");
            }
            return limit;
        }
        return spec() != null && spec().limit() != null ? spec().limit() : 0;
    }

    /** The batch: the option, else the spec's, else {@code fallback}. */
    int batch(Integer option, int fallback) {
        if (option != null) {
            return option;
        }
        return spec() != null && spec().batch() != null ? spec().batch() : fallback;
    }

    Pool pool(String option) {
        if (option != null) {
            return Pool.parse(option);
        }
        return spec() != null ? Pool.parse(spec().pool()) : Pool.NONE;
    }
}
