package dev.whittle.core.eval;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.whittle.core.BadInputException;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Evaluation results kept on disk as one JSON file ({@code {"version":1,"results":[...]}}),
 * oldest first; the trade-off charts read it. Writes are atomic (temporary file, then rename),
 * so a crash leaves the previous history intact. One instance per file; thread-safe.
 */
public final class EvalHistory {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Path file;

    public EvalHistory(Path file) {
        this.file = file.toAbsolutePath();
    }

    /** {@code ~/.whittle/history.json}. */
    public static Path defaultFile() {
        return Path.of(System.getProperty("user.home"), ".whittle", "history.json");
    }

    public Path file() {
        return file;
    }

    /** Every result, oldest first; empty when the file does not exist yet. */
    public synchronized List<EvalResult> list() {
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            Stored s = JSON.readValue(file.toFile(), Stored.class);
            return s.results() == null ? List.of() : List.copyOf(s.results());
        } catch (IOException e) {
            throw new BadInputException("History file " + file + " is not a Whittle history: "
                    + EvalSession.firstLine(e.getMessage()), e);
        }
    }

    public synchronized void append(EvalResult r) {
        List<EvalResult> all = new ArrayList<>(list());
        all.add(r);
        write(all);
    }

    public synchronized void clear() {
        write(List.of());
    }

    private void write(List<EvalResult> results) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), ".history-", ".json.tmp");
            try {
                JSON.writeValue(tmp.toFile(), new Stored(1, results));
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new BadInputException("Cannot write history file " + file + ": " + e.getMessage(), e);
        }
    }

    private record Stored(int version, List<EvalResult> results) {
    }

}
