package dev.whittle.core.compare;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.whittle.core.BadInputException;
import dev.whittle.core.eval.EvalHistory;
import dev.whittle.core.eval.EvalResult;
import dev.whittle.core.io.AtomicWrite;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The evaluated plans of one model, kept across restarts in {@code <dir>/<sha256>.json}
 * ({@code {"version":1,"model":...,"sha256":...,"data":...,"runs":[...]}}, oldest run first),
 * with the data choice last used for the model. The folder is {@code ~/.whittle/models}, or
 * the system property {@value #DIR_PROPERTY} (tests). Writes are atomic; one instance per
 * model; thread-safe.
 */
public final class RunHistory {
    /** System property naming the folder of per-model histories. */
    public static final String DIR_PROPERTY = "whittle.models.dir";

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Path file;
    private final String model;
    private final String sha256;

    /** What the file holds. */
    public record Stored(int version, String model, String sha256, DataChoice data, List<PlanRun> runs) {
        public Stored {
            runs = runs == null ? List.of() : List.copyOf(runs);
        }
    }

    public RunHistory(Path dir, String sha256, String model) {
        if (sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
            throw new BadInputException("A model history is keyed by a sha256 (64 hex digits), got " + sha256 + ".");
        }
        this.file = dir.resolve(sha256 + ".json").toAbsolutePath();
        this.model = model;
        this.sha256 = sha256;
    }

    /** The history of the model with this sha256 in the default folder. */
    public static RunHistory of(String sha256, String model) {
        return new RunHistory(dir(), sha256, model);
    }

    /** {@code ~/.whittle/models}, or the folder the system property {@value #DIR_PROPERTY} names. */
    public static Path dir() {
        String d = System.getProperty(DIR_PROPERTY);
        return d != null && !d.isBlank() ? Path.of(d) : Path.of(System.getProperty("user.home"), ".whittle", "models");
    }

    public Path file() {
        return file;
    }

    /** The stored runs and data choice; empty when nothing is stored yet. */
    public synchronized Stored read() {
        if (!Files.exists(file)) {
            return new Stored(1, model, sha256, null, List.of());
        }
        try {
            return JSON.readValue(file.toFile(), Stored.class);
        } catch (IOException e) {
            throw new BadInputException("Model history " + file + " cannot be read: " + firstLine(e.getMessage()), e);
        }
    }

    public List<PlanRun> runs() {
        return read().runs();
    }

    public synchronized void append(PlanRun run) {
        update(s -> {
            List<PlanRun> all = new ArrayList<>(s.runs());
            all.add(run);
            return new Stored(1, model, sha256, s.data(), all);
        });
    }

    /** Removes the run with this id; nothing when there is none. */
    public synchronized void remove(String id) {
        update(s -> new Stored(1, model, sha256, s.data(), s.runs().stream().filter(r -> !r.id().equals(id)).toList()));
    }

    /** Renames the run with this id. */
    public synchronized void rename(String id, String name) {
        update(s -> new Stored(1, model, sha256, s.data(),
                s.runs().stream().map(r -> r.id().equals(id) ? r.withName(name) : r).toList()));
    }

    /** Remembers the data choice for this model. */
    public synchronized void setData(DataChoice data) {
        update(s -> new Stored(1, model, sha256, data, s.runs()));
    }

    private void update(UnaryOperator<Stored> change) {
        Stored next = change.apply(read());
        try {
            Files.createDirectories(file.getParent());
            AtomicWrite.text(file, JSON.writeValueAsString(next));
        } catch (IOException e) {
            throw new BadInputException("Cannot write model history " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Results of the command line's global history ({@code whittle eval --history}, one file for
     * all models) that concern this model: evaluations of it, or of variants compared with it
     * (baseline of the same file name). They hold no plan, so they cannot be restored.
     */
    public static List<PlanRun> fromGlobal(Path globalFile, Path modelFile) {
        if (globalFile == null || !Files.isRegularFile(globalFile) || modelFile == null) {
            return List.of();
        }
        String path = modelFile.toAbsolutePath().normalize().toString();
        String name = String.valueOf(modelFile.getFileName());
        List<PlanRun> out = new ArrayList<>();
        for (EvalResult r : new EvalHistory(globalFile).list()) {
            boolean self = r.modelPath() != null && Path.of(r.modelPath()).toAbsolutePath().normalize().toString().equals(path);
            if (self || name.equals(r.baseline())) {
                out.add(new PlanRun(r.id(), r.model() + " (whittle eval)", self && r.baseline() == null, null, 0, r,
                        r.batch() == 1 ? r.latencyMs() : null, r.latencyMs(), List.of(), false));
            }
        }
        return out;
    }

    /** The command line's global history file ({@code ~/.whittle/history.json}). */
    public static Path globalFile() {
        return EvalHistory.defaultFile();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
