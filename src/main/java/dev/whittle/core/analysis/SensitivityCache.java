package dev.whittle.core.analysis;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.whittle.core.WhittleVersion;
import dev.whittle.core.eval.EvalRequest;
import dev.whittle.core.eval.Pool;
import dev.whittle.core.select.LayerSelector;
import java.util.List;
import dev.whittle.core.io.AtomicWrite;
import dev.whittle.core.io.Hashes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Sensitivity tables kept on disk, so a sweep done once shows at once when the model is opened
 * again. One JSON file per sweep, named by the SHA-256 of everything that decides the result:
 * the model file's own SHA-256, the data (an identity the caller gives: files and sizes, or
 * "synthetic"), the samples, batch, output and pooling, the method's settings, the levels, the
 * layers selected, and Whittle's version. The folder is {@code ~/.cache/whittle/sensitivity},
 * or the system property {@value #DIR_PROPERTY} (tests point it at a temporary folder).
 * A file that cannot be read is treated as absent (and overwritten by the next sweep).
 */
public final class SensitivityCache {
    /** System property naming the cache folder. */
    public static final String DIR_PROPERTY = "whittle.sensitivity.cache";
    private static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Path dir;

    public SensitivityCache(Path dir) {
        this.dir = dir;
    }

    /** The cache in the folder {@link #DIR_PROPERTY} names, else {@code ~/.cache/whittle/sensitivity}. */
    public static SensitivityCache standard() {
        String p = System.getProperty(DIR_PROPERTY);
        return new SensitivityCache(p != null && !p.isBlank() ? Path.of(p)
                : Path.of(System.getProperty("user.home"), ".cache", "whittle", "sensitivity"));
    }

    public Path dir() {
        return dir;
    }

    /**
     * The key of a sweep.
     *
     * @param modelSha the SHA-256 of the model file ({@link Hashes#sha256(Path)})
     * @param data     what identifies the data: its files with sizes and dates, or "synthetic"
     */
    public static String key(String modelSha, String data, SensitivityRequest r) {
        EvalRequest e = r.eval();
        return key(modelSha, data, e.limit(), e.batch(), e.output(), e.pool(), r.settings(), r.levels(), r.selector());
    }

    /** The key of a sweep from its parts, for callers that have not loaded the data yet. */
    public static String key(String modelSha, String data, long limit, int batch, String output, Pool pool,
                             SensitivityMethod settings, List<Double> levels, LayerSelector selector) {
        String what = String.join("\n", "model " + modelSha, "data " + data, "limit " + limit, "batch " + batch,
                "output " + output, "pool " + (pool == null ? Pool.NONE : pool), "method " + settings,
                "levels " + List.copyOf(levels), "layers " + (selector == null ? LayerSelector.all() : selector),
                "whittle " + WhittleVersion.get());
        return Hashes.sha256(what);
    }

    /** The table stored under {@code key}, if any. */
    public Optional<SensitivityTable> get(String key) {
        Path f = file(key);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(f.toFile(), SensitivityTable.class));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // a damaged or older entry: the sweep runs again and replaces it
        }
    }

    /** Stores {@code t} under {@code key} (atomically). */
    public void put(String key, SensitivityTable t) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new dev.whittle.core.BadInputException("Cannot create the sensitivity cache folder " + dir + ": "
                    + e.getMessage(), e);
        }
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(t);
        } catch (IOException e) {
            throw new dev.whittle.core.InternalException("Cannot write a sensitivity table as JSON: " + e.getMessage(), e);
        }
        AtomicWrite.write(file(key), out -> out.write(bytes));
    }

    private Path file(String key) {
        return dir.resolve(key + ".json");
    }
}
