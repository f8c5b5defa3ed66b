package dev.whittle.ui;

import dev.whittle.core.BadInputException;
import dev.whittle.core.compare.DataChoice;
import dev.whittle.core.eval.Dataset;
import dev.whittle.core.eval.DatasetSpec;
import dev.whittle.core.eval.Datasets;
import dev.whittle.core.eval.Feeding;
import dev.whittle.core.eval.InputCheck;
import dev.whittle.core.eval.SampleAxes;
import dev.whittle.core.eval.StreamSpec;
import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.model.ValueInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the "How the data feeds the model" dialog edits, without JavaFX: for array data (chosen
 * as arrays or as a dataset spec), each input's sample axis (found from the model's dims, a
 * number, or none: passed whole to every run) and an optional stream (samples run in order as
 * chunks, an output carried into an input). {@link #check} loads the data as evaluation will
 * and says how each input is fed; {@link #save} writes it as a dataset spec, which the CLI's
 * {@code --data} reads too.
 */
final class FeedingDraft {
    /** An axis choice: found from the model, or set. */
    static final String AUTO = "auto";
    static final String WHOLE = "none";

    /** How one input is fed, as {@link #check} found it. */
    record Row(String input, String declared, String data, String axis, int used, String carried) {
        /** "samples along axis 1", "whole, to every run", or the output a stream carries into it */
        String usedText() {
            return carried != null ? "previous chunk's " + carried + " (zeros to start)"
                    : used == SampleAxes.CONSTANT ? "whole, to every run" : "samples along axis " + used;
        }
    }

    /** What a check found: the rows, the notes evaluation will print, and the number of samples. */
    record Check(List<Row> rows, List<String> notes, long samples) {
    }

    private final ModelGraph model;
    private final Map<String, String> inputs;
    private final String labels;
    private final Integer batch;
    private final Long limit;
    private final String pool;
    private final Map<String, String> axes = new LinkedHashMap<>();
    private final Map<String, String> carry = new LinkedHashMap<>();
    private Long reset;
    private Double threshold;

    private FeedingDraft(ModelGraph model, Map<String, String> inputs, String labels, Integer batch, Long limit, String pool,
                         Map<String, String> axes, StreamSpec stream) {
        this.model = model;
        this.inputs = inputs;
        this.labels = labels;
        this.batch = batch;
        this.limit = limit;
        this.pool = pool;
        for (ValueInfo v : InputCheck.feedInputs(model)) {
            this.axes.put(v.name(), axes != null && axes.containsKey(v.name()) ? norm(axes.get(v.name())) : AUTO);
        }
        if (stream != null) {
            carry.putAll(stream.carry());
            reset = stream.reset();
            threshold = stream.threshold();
        }
    }

    /** The draft for the chosen data; arrays and dataset specs of arrays only (images and synthetic inputs have one way to feed). */
    static FeedingDraft of(ModelGraph model, DataChoice c) {
        if (c == null || c.kind() == DataChoice.Kind.SYNTHETIC || c.kind() == DataChoice.Kind.IMAGES) {
            throw new BadInputException("How inputs are fed can be set for array data (arrays, or a dataset spec of arrays);"
                    + " choose such data first" + (c == null ? "." : " (now: " + c.label() + ")."));
        }
        if (c.kind() == DataChoice.Kind.SPEC) {
            Path file = Path.of(c.file()).toAbsolutePath();
            DatasetSpec s = Datasets.readSpec(file);
            if (s.inputs() == null || s.inputs().isEmpty()) {
                throw new BadInputException("Dataset spec " + file.getFileName() + " reads a CSV file or an image folder;"
                        + " how inputs are fed can be set for arrays only.");
            }
            Map<String, String> in = new LinkedHashMap<>();
            s.inputs().forEach((k, v) -> in.put(k, file.getParent().resolve(v).toString()));
            String y = s.labels() == null ? null : file.getParent().resolve(s.labels()).toString();
            return new FeedingDraft(model, in, y, s.batch(), s.limit(), s.pool(), s.axes(), s.stream());
        }
        Map<String, String> in = new LinkedHashMap<>();
        List<ValueInfo> feed = InputCheck.feedInputs(model);
        c.inputs().forEach((k, v) -> {
            if (!k.isEmpty()) {
                in.put(k, v);
            } else if (v.toLowerCase(java.util.Locale.ROOT).endsWith(".npz")) {
                feed.forEach(i -> in.put(i.name(), v + ":" + i.name())); // an archive under "" feeds inputs by name
            } else if (feed.size() == 1) {
                in.put(feed.get(0).name(), v);
            } else {
                throw new BadInputException(model.fileName() + " has " + feed.size() + " inputs; one array cannot feed them all.");
            }
        });
        return new FeedingDraft(model, in, c.labels(), c.batch(), c.limit() == 0 ? null : c.limit(),
                "none".equals(c.pool()) ? null : c.pool(), null, null);
    }

    List<String> inputNames() {
        return List.copyOf(axes.keySet());
    }

    List<String> outputNames() {
        return model.outputs().stream().map(ValueInfo::name).toList();
    }

    /** The axis choices for an input: auto, none, and each axis its array has. */
    List<String> axisChoices(int rank) {
        List<String> out = new ArrayList<>(List.of(AUTO, WHOLE));
        for (int a = 0; a < rank; a++) {
            out.add(Integer.toString(a));
        }
        return out;
    }

    String axis(String input) {
        return axes.get(input);
    }

    void setAxis(String input, String value) {
        axes.put(input, norm(value));
    }

    /** The output carried into {@code input} on the next chunk, or null. */
    String carried(String input) {
        return carry.get(input);
    }

    void setCarried(String input, String output) {
        if (output == null || output.isBlank()) {
            carry.remove(input);
        } else {
            carry.put(input, output);
        }
    }

    boolean streaming() {
        return !carry.isEmpty();
    }

    Long reset() {
        return reset;
    }

    /** Chunks per recording: the carried state is zeroed every {@code n} chunks; null or 0 = one recording. */
    void setReset(Long n) {
        if (n != null && n < 0) {
            throw new BadInputException("Chunks per recording must be 0 (one recording) or positive, got " + n + ".");
        }
        reset = n == null || n == 0 ? null : n;
    }

    double threshold() {
        return threshold == null ? StreamSpec.DEFAULT_THRESHOLD : threshold;
    }

    void setThreshold(double t) {
        if (!Double.isFinite(t)) {
            throw new BadInputException("The decision threshold must be a finite number.");
        }
        threshold = t;
    }

    /** The dataset spec these settings make; paths relative to {@code dir} where they can be. */
    DatasetSpec spec(Path dir) {
        Map<String, String> in = new LinkedHashMap<>();
        inputs.forEach((k, v) -> in.put(k, relative(dir, v)));
        Map<String, String> ax = new LinkedHashMap<>();
        axes.forEach((k, v) -> {
            if (!v.equals(AUTO)) {
                ax.put(k, v);
            }
        });
        StreamSpec stream = carry.isEmpty() ? null : new StreamSpec(carry, "zeros", threshold, reset);
        return new DatasetSpec(in, labels == null ? null : relative(dir, labels), batch, limit, pool, null, null,
                ax.isEmpty() ? null : ax, stream);
    }

    /** Loads the data with these settings and feeds it as evaluation would, or throws what is wrong. */
    Check check() {
        Path here = Path.of(".").toAbsolutePath();
        DatasetSpec s = spec(here);
        Dataset d = Datasets.load(here.resolve("draft.yaml"), s, model);
        Feeding f = Feeding.of(model, d, batch == null ? 32 : batch);
        List<Row> rows = new ArrayList<>();
        for (ValueInfo v : InputCheck.feedInputs(model)) {
            var t = d.inputs().get(v.name());
            Integer used = d.axes().get(v.name());
            rows.add(new Row(v.name(), v.shapeText(), t == null ? "(not in the data)" : Arrays.toString(t.shape()),
                    axes.get(v.name()), used == null ? 0 : used, carry.get(v.name())));
        }
        List<String> notes = new ArrayList<>(d.notes());
        f.notes().stream().filter(n -> !notes.contains(n)).forEach(notes::add);
        return new Check(rows, notes, f.data().samples());
    }

    /** Writes the spec to {@code file} and returns the data choice that reads it. */
    DataChoice save(Path file) {
        Path abs = file.toAbsolutePath();
        check();
        Datasets.writeSpec(abs, spec(abs.getParent()), "written by the Whittle workbench (How the data feeds the model);"
                + " keys: docs/evaluation.md");
        return DataChoice.spec(abs);
    }

    private static String relative(Path dir, String file) {
        String key = "";
        String path = file;
        int colon = file.toLowerCase(java.util.Locale.ROOT).indexOf(".npz:");
        if (colon >= 0) {
            key = file.substring(colon + 4);
            path = file.substring(0, colon + 4);
        }
        Path p = Path.of(path).toAbsolutePath().normalize();
        try {
            return dir.relativize(p).toString().replace('\\', '/') + key;
        } catch (IllegalArgumentException e) {
            return p + key; // another drive
        }
    }

    private static String norm(String v) {
        String t = v == null ? AUTO : v.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.equals("constant")) {
            t = WHOLE;
        }
        if (!t.equals(AUTO) && !t.equals(WHOLE)) {
            SampleAxes.parse("axis", t);
        }
        return t;
    }
}
