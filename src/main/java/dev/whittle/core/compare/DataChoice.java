package dev.whittle.core.compare;

import dev.whittle.core.BadInputException;
import dev.whittle.core.eval.Dataset;
import dev.whittle.core.eval.DatasetSpec;
import dev.whittle.core.eval.Datasets;
import dev.whittle.core.eval.SyntheticInputs;
import dev.whittle.core.model.ModelGraph;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a plan is evaluated on, as the workbench remembers it per model (a JSON-friendly record
 * of absolute paths, never the arrays themselves).
 *
 * @param kind    where the data comes from
 * @param inputs  ARRAYS: model input name to a .npy file; the key "" means the model's only
 *                input, and a .npz under "" feeds inputs by array name
 * @param labels  ARRAYS: integer labels (.npy), or null (fidelity only)
 * @param file    SPEC: the dataset spec (.yaml); IMAGES: the folder (one sub-folder per class)
 * @param batch   samples per run, the batch N of the latency figures; &gt;= 1
 * @param limit   evaluate the first {@code limit} samples only; 0 = all
 * @param pool    pooling before cosine for embedding outputs: none, mean or cls
 * @param samples SYNTHETIC: how many random samples to make
 * @param label   how the choice is shown ("the samples' test set", a file name)
 */
public record DataChoice(Kind kind, Map<String, String> inputs, String labels, String file, int batch, long limit,
                         String pool, long samples, String label) {
    /** Where the data comes from. */
    public enum Kind { ARRAYS, SPEC, IMAGES, SYNTHETIC }

    public DataChoice {
        if (kind == null) {
            throw new BadInputException("A data choice needs a kind (arrays, spec, images or synthetic).");
        }
        if (batch < 1) {
            throw new BadInputException("batch must be at least 1, got " + batch + ".");
        }
        if (limit < 0) {
            throw new BadInputException("limit must be 0 (all) or positive, got " + limit + ".");
        }
        inputs = inputs == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
        if (kind == Kind.ARRAYS && inputs.isEmpty()) {
            throw new BadInputException("Array data needs at least one input file.");
        }
        if ((kind == Kind.SPEC || kind == Kind.IMAGES) && (file == null || file.isBlank())) {
            throw new BadInputException((kind == Kind.SPEC ? "A dataset spec" : "An image folder") + " needs a path.");
        }
        if (kind == Kind.SYNTHETIC && samples < 1) {
            throw new BadInputException("Synthetic data needs at least 1 sample, got " + samples + ".");
        }
        pool = pool == null ? "none" : pool;
        label = label == null ? defaultLabel(kind, inputs, file) : label;
    }

    /** Random inputs from the model's declared shapes: fidelity against the original only. */
    public static DataChoice synthetic(long samples, int batch) {
        return new DataChoice(Kind.SYNTHETIC, null, null, null, batch, 0, null, samples, "synthetic (" + samples + " samples)");
    }

    /** One array for the model's only input (.npy, or a .npz by input names) and optional labels. */
    public static DataChoice arrays(Path inputs, Path labels, int batch) {
        return new DataChoice(Kind.ARRAYS, Map.of("", inputs.toAbsolutePath().toString()),
                labels == null ? null : labels.toAbsolutePath().toString(), null, batch, 0, null, 0, null);
    }

    public static DataChoice spec(Path spec) {
        DatasetSpec s = Datasets.readSpec(spec);
        return new DataChoice(Kind.SPEC, null, null, spec.toAbsolutePath().toString(), s.batch() == null ? 32 : s.batch(),
                s.limit() == null ? 0 : s.limit(), s.pool(), 0, null);
    }

    public static DataChoice images(Path folder, int batch) {
        return new DataChoice(Kind.IMAGES, null, null, folder.toAbsolutePath().toString(), batch, 0, null, 0, null);
    }

    public DataChoice withBatch(int b) {
        return new DataChoice(kind, inputs, labels, file, b, limit, pool, samples, label);
    }

    public DataChoice withLimit(long l) {
        return new DataChoice(kind, inputs, labels, file, batch, l, pool, samples, label);
    }

    /** The same choice with {@code n} synthetic samples (other kinds unchanged). */
    public DataChoice withSamples(long n) {
        return kind == Kind.SYNTHETIC ? new DataChoice(kind, inputs, labels, file, batch, limit, pool, n, label) : this;
    }

    /**
     * What a result computed on this data is cached under: the kind, each file or folder with its
     * size and date (a changed file is other data), the labels and the pooling; batch, limit and
     * the synthetic sample count are the caller's to add. An unreadable file is named in the error.
     */
    public String identity() {
        if (kind == Kind.SYNTHETIC) {
            return "synthetic";
        }
        StringBuilder sb = new StringBuilder(kind.name());
        List<String> files = new java.util.ArrayList<>();
        inputs.forEach((k, v) -> files.add(v));
        if (labels != null) {
            files.add(labels);
        }
        if (file != null) {
            files.add(file);
        }
        inputs.keySet().forEach(k -> sb.append('|').append(k));
        for (String f : files) {
            Path p = Path.of(f).toAbsolutePath().normalize();
            try {
                sb.append('|').append(p).append(',').append(Files.isDirectory(p) ? 0 : Files.size(p)).append(',')
                        .append(Files.getLastModifiedTime(p).toMillis());
            } catch (java.io.IOException e) {
                throw new BadInputException("Cannot read the data file " + p + ": " + e.getMessage(), e);
            }
        }
        if (kind == Kind.SPEC) {
            sb.append('|').append(Datasets.readSpec(Path.of(file)));
        }
        return sb.append("|pool=").append(pool).toString();
    }

    /**
     * The samples' own evaluation set for a sample model, by its file name and place: the
     * Fashion-MNIST test images and labels beside fashion-*.onnx, or MiniLM's 64 tokenized
     * sentences (mean-pooled embeddings) in the folder above minilm/. Null for other models.
     */
    public static DataChoice samplesFor(Path model) {
        if (model == null) {
            return null;
        }
        Path abs = model.toAbsolutePath();
        String name = String.valueOf(abs.getFileName()).toLowerCase(Locale.ROOT);
        Path dir = abs.getParent();
        if (dir == null) {
            return null;
        }
        if (name.startsWith("fashion-") && Files.isRegularFile(dir.resolve("fashion-test-x.npy"))
                && Files.isRegularFile(dir.resolve("fashion-test-y.npy"))) {
            return new DataChoice(Kind.ARRAYS, Map.of("", dir.resolve("fashion-test-x.npy").toString()),
                    dir.resolve("fashion-test-y.npy").toString(), null, 32, 0, null, 0,
                    "Fashion-MNIST test set (2,000 labelled images)");
        }
        Path up = dir.getParent();
        if (name.startsWith("all-minilm") && up != null && Files.isRegularFile(up.resolve("minilm-input_ids.npy"))) {
            Map<String, String> in = new LinkedHashMap<>();
            for (String input : List.of("input_ids", "attention_mask", "token_type_ids")) {
                in.put(input, up.resolve("minilm-" + input + ".npy").toString());
            }
            return new DataChoice(Kind.ARRAYS, in, null, null, 16, 0, "mean", 0, "MiniLM's 64 sample sentences");
        }
        return null;
    }

    /** Loads the data for {@code model}; files that do not exist are named in the error. */
    public Dataset load(ModelGraph model) {
        return switch (kind) {
            case ARRAYS -> {
                Map<String, String> files = new LinkedHashMap<>();
                inputs.forEach((k, v) -> files.put(k.isEmpty() ? null : k, requireFile(v)));
                yield Datasets.fromFiles(files, labels == null ? null : requireFile(labels), model, label);
            }
            case SPEC -> {
                Path spec = Path.of(requireFile(file));
                yield Datasets.load(spec, Datasets.readSpec(spec), model);
            }
            case IMAGES -> {
                Path folder = Path.of(file).toAbsolutePath();
                if (!Files.isDirectory(folder)) {
                    throw new BadInputException("Image folder " + folder + " does not exist.");
                }
                DatasetSpec.Images images = new DatasetSpec.Images(folder.toString(), null, null, null, null, null, null, null);
                yield Datasets.load(folder.resolve("images.yaml"), new DatasetSpec(null, null, null, null, null, null, images, null, null),
                        model);
            }
            case SYNTHETIC -> SyntheticInputs.make(model, samples, Map.of(), SyntheticInputs.DEFAULT_DIM);
        };
    }

    private static String requireFile(String f) {
        if (f == null || !Files.isRegularFile(Path.of(f))) {
            throw new BadInputException("Data file " + f + " does not exist.");
        }
        return f;
    }

    private static String defaultLabel(Kind kind, Map<String, String> inputs, String file) {
        return switch (kind) {
            case ARRAYS -> String.join(", ", inputs.values().stream().map(v -> String.valueOf(Path.of(v).getFileName())).toList());
            case SPEC, IMAGES -> String.valueOf(Path.of(file).getFileName());
            case SYNTHETIC -> "synthetic";
        };
    }
}
