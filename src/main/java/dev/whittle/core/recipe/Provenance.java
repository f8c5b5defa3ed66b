package dev.whittle.core.recipe;

import dev.whittle.core.WhittleVersion;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a recipe written by Whittle came from (informational; never changes what applying it
 * does): Whittle's version, ONNX Runtime's version, when it was written (ISO-8601 UTC, whole
 * seconds), and the metrics measured on the compressed model when it was written, keys in the
 * order given (fractions as fractions, sizes in bytes).
 */
public record Provenance(String whittle, String onnxruntime, String date, Map<String, Object> metrics) {
    public Provenance {
        metrics = metrics == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }

    /** This Whittle, the given ONNX Runtime version (ask core.eval), now. */
    public static Provenance now(String onnxruntime, Map<String, Object> metrics) {
        return new Provenance(WhittleVersion.get(), onnxruntime, Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                metrics);
    }
}
