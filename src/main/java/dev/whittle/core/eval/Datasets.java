package dev.whittle.core.eval;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.whittle.core.BadInputException;
import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.model.ValueInfo;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds a {@link Dataset} from a spec file or from array files named on the command line. */
public final class Datasets {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private Datasets() {
    }

    private static final ObjectMapper WRITER = new ObjectMapper(new YAMLFactory()
            .disable(com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature.MINIMIZE_QUOTES))
            .setSerializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL);

    /** Writes {@code spec} as a dataset spec file that {@link #readSpec} reads back (absent keys left out). */
    public static void writeSpec(Path file, DatasetSpec spec, String comment) {
        try {
            String yaml = WRITER.writeValueAsString(spec);
            java.nio.file.Files.writeString(file, (comment == null ? "" : "# " + comment.replace("\n", "\n# ") + "\n") + yaml);
        } catch (IOException e) {
            throw new BadInputException("Cannot write the dataset spec " + file + ": " + e.getMessage(), e);
        }
    }

    public static DatasetSpec readSpec(Path file) {
        try {
            return YAML.readValue(file.toFile(), DatasetSpec.class);
        } catch (UnrecognizedPropertyException e) {
            throw new BadInputException("Dataset spec " + file.getFileName() + " has an unknown field '" + e.getPropertyName()
                    + "' (known: " + e.getKnownPropertyIds() + ").", e);
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new BadInputException("Dataset spec " + file + " does not exist.", e);
        } catch (com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
            String field = e.getPath().isEmpty() ? null : e.getPath().get(0).getFieldName();
            String want = "inputs".equals(field) ? "a map from each model input's name to its array file, such as"
                    + " 'inputs: {input: x.npy}'" : "a " + e.getTargetType().getSimpleName();
            throw new BadInputException("Dataset spec " + file.getFileName() + ": '" + (field == null ? "the file" : field)
                    + "' must be " + want + ".", e);
        } catch (IOException e) {
            Throwable c = e.getCause() instanceof BadInputException b ? b : e;
            throw new BadInputException("Dataset spec " + file.getFileName() + " is invalid: "
                    + (c instanceof BadInputException ? c.getMessage() : EvalSession.firstLine(e.getMessage())), e);
        }
    }

    /** Loads the data a spec names; relative paths resolve against the spec's folder. */
    public static Dataset load(Path specFile, DatasetSpec spec, ModelGraph model) {
        Path dir = specFile.toAbsolutePath().getParent();
        if ((spec.stream() != null || spec.axes() != null) && (spec.csv() != null || spec.images() != null)) {
            throw new BadInputException("Dataset spec " + specFile.getFileName() + ": 'axes' and 'stream' go with 'inputs'"
                    + " (arrays), not with 'csv' or 'images'.");
        }
        if (spec.csv() != null) {
            return CsvData.load(dir.resolve(spec.csv().file()), spec.csv(), model);
        }
        if (spec.images() != null) {
            return ImageFolder.load(dir.resolve(spec.images().folder()), spec.images(), model);
        }
        Map<String, String> files = new LinkedHashMap<>();
        spec.inputs().forEach((k, v) -> files.put(k, dir.resolve(v).toString()));
        Map<String, Integer> axes = new LinkedHashMap<>();
        if (spec.axes() != null) {
            spec.axes().forEach((k, v) -> axes.put(k, SampleAxes.parse(k, v)));
        }
        return fromFiles(files, spec.labels() == null ? null : dir.resolve(spec.labels()).toString(), model,
                specFile.getFileName().toString(), axes, spec.stream());
    }

    /**
     * Arrays named directly. A key of null means "the model's only input"; an {@code .npz} under
     * a null key maps its arrays to inputs by name.
     */
    public static Dataset fromFiles(Map<String, String> inputs, String labels, ModelGraph model, String description) {
        return fromFiles(inputs, labels, model, description, Map.of(), null);
    }

    /**
     * Arrays named directly, each input's sample axis from {@code axes} or else the model's
     * dims ({@link SampleAxes}), fed as a stream when {@code stream} is not null.
     */
    public static Dataset fromFiles(Map<String, String> inputs, String labels, ModelGraph model, String description,
                                    Map<String, Integer> axes, StreamSpec stream) {
        Map<String, HostTensor> in = new LinkedHashMap<>();
        for (var e : inputs.entrySet()) {
            String file = e.getValue();
            if (e.getKey() == null && file.toLowerCase().endsWith(".npz")) {
                in.putAll(ArrayFiles.readNpz(Path.of(file)));
            } else {
                in.put(e.getKey() == null ? onlyInput(model, "--inputs") : e.getKey(), ArrayFiles.read(file));
            }
        }
        HostTensor y = labels == null ? null : ArrayFiles.read(labels);
        String desc = description != null ? description
                : String.join(", ", inputs.values().stream().map(f -> Path.of(f).getFileName().toString()).toList());
        List<String> notes = new java.util.ArrayList<>();
        Map<String, Integer> ax = model == null ? axes : SampleAxes.decide(model, in, axes, notes);
        return new Dataset(in, y, desc, notes, ax, stream);
    }

    /** The name of the model's only input; an error naming {@code option} when it has several. */
    static String onlyInput(ModelGraph model, String option) {
        List<ValueInfo> ins = InputCheck.feedInputs(model);
        if (ins.size() != 1) {
            throw new BadInputException(model.fileName() + " has " + ins.size() + " inputs " + ins.stream().map(ValueInfo::name).toList()
                    + "; name each one (" + option + " needs a model with one input; use --input NAME=FILE).");
        }
        return ins.get(0).name();
    }
}
