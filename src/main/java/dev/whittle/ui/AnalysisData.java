package dev.whittle.ui;

import dev.whittle.core.BadInputException;
import dev.whittle.core.eval.Dataset;
import dev.whittle.core.eval.DatasetSpec;
import dev.whittle.core.eval.Datasets;
import dev.whittle.core.eval.Pool;
import dev.whittle.core.eval.SyntheticInputs;
import dev.whittle.core.model.ModelGraph;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the analysis tabs run the model on: the samples' own sets (found beside a sample model),
 * a dataset spec, or synthetic inputs (fidelity against the original only). Loading happens in
 * the job, off the FX thread; {@link #identity} is what the sensitivity cache keys the data by.
 *
 * @param kind  which source
 * @param files the array files (SAMPLE) or the spec (SPEC); empty for SYNTHETIC
 */
record AnalysisData(Kind kind, List<Path> files, String description) {
    enum Kind { SAMPLE, SPEC, SYNTHETIC }

    static final AnalysisData SYNTHETIC = new AnalysisData(Kind.SYNTHETIC, List.of(), "Synthetic inputs (fidelity only)");
    private static final String[] MINILM_INPUTS = {"input_ids", "attention_mask", "token_type_ids"};

    AnalysisData {
        files = List.copyOf(files);
    }

    static AnalysisData spec(Path file) {
        return new AnalysisData(Kind.SPEC, List.of(file), "Dataset spec " + file.getFileName());
    }

    /**
     * The sample set beside a sample model: the Fashion-MNIST test images and labels for the
     * Fashion models, the 64 tokenized sentences for MiniLM; null for other models.
     */
    static AnalysisData sampleFor(Path model) {
        if (model == null || model.getParent() == null) {
            return null;
        }
        String name = model.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        Path dir = model.toAbsolutePath().getParent();
        if (name.startsWith("fashion")) {
            List<Path> f = List.of(dir.resolve("fashion-test-x.npy"), dir.resolve("fashion-test-y.npy"));
            return f.stream().allMatch(Files::isRegularFile)
                    ? new AnalysisData(Kind.SAMPLE, f, "Sample set: Fashion-MNIST test images (labelled)") : null;
        }
        if (name.contains("minilm") && dir.getParent() != null) {
            List<Path> f = new ArrayList<>();
            for (String in : MINILM_INPUTS) {
                f.add(dir.getParent().resolve("minilm-" + in + ".npy"));
            }
            return f.stream().allMatch(Files::isRegularFile)
                    ? new AnalysisData(Kind.SAMPLE, f, "Sample set: 64 tokenized sentences (fidelity)") : null;
        }
        return null;
    }

    /** Loads the data for {@code g}; synthetic inputs have {@code samples} samples. */
    Dataset load(ModelGraph g, long samples) {
        return switch (kind) {
            case SYNTHETIC -> SyntheticInputs.make(g, Math.max(1, samples), Map.of(), SyntheticInputs.DEFAULT_DIM);
            case SPEC -> Datasets.load(files.get(0), Datasets.readSpec(files.get(0)), g);
            case SAMPLE -> {
                Map<String, String> in = new LinkedHashMap<>();
                if (files.size() == 2) {
                    in.put(null, files.get(0).toString());
                    yield Datasets.fromFiles(in, files.get(1).toString(), g, "fashion-test");
                }
                for (int i = 0; i < files.size(); i++) {
                    in.put(MINILM_INPUTS[i], files.get(i).toString());
                }
                yield Datasets.fromFiles(in, null, g, "minilm sentences");
            }
        };
    }

    /** Pooling before cosine: mean for MiniLM's token outputs, the spec's own for a spec. */
    Pool pool() {
        return switch (kind) {
            case SAMPLE -> files.size() == 3 ? Pool.MEAN : Pool.NONE;
            case SPEC -> Pool.parse(Datasets.readSpec(files.get(0)).pool());
            case SYNTHETIC -> Pool.NONE;
        };
    }

    /** The files with their sizes and dates (a changed file is other data), or "synthetic". */
    String identity() {
        if (kind == Kind.SYNTHETIC) {
            return "synthetic";
        }
        StringBuilder sb = new StringBuilder(kind.name());
        for (Path f : files) {
            try {
                sb.append('|').append(f.toAbsolutePath().normalize()).append(',').append(Files.size(f)).append(',')
                        .append(Files.getLastModifiedTime(f).toMillis());
            } catch (IOException e) {
                throw new BadInputException("Cannot read the data file " + f + ": " + e.getMessage(), e);
            }
        }
        if (kind == Kind.SPEC) {
            DatasetSpec s = Datasets.readSpec(files.get(0));
            sb.append('|').append(s);
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return description;
    }
}
