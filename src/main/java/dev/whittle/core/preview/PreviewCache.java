package dev.whittle.core.preview;

import dev.whittle.core.job.Job;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The instant tier's cache: {@link LayerFacts} and {@link Spectrum} per layer, computed lazily
 * for the layers the user opens, held within a memory budget (default 512 MiB) and evicted
 * least recently used first. Thread-safe: jobs run on any thread and put their result here; the
 * UI thread peeks.
 *
 * <p>Typical use: on selecting a layer, {@link #peekFacts}; if empty, run {@link #facts} as a
 * background job (it stores its result); slider moves then call {@link QuantPreview},
 * {@link PrunePreview} with the peeked facts.
 */
public final class PreviewCache {
    public static final long DEFAULT_BUDGET = 512L << 20;

    private final long budget;
    private final LinkedHashMap<String, Object> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long used;

    public PreviewCache(long budgetBytes) {
        if (budgetBytes < 1) {
            throw new IllegalArgumentException("budget must be positive, got " + budgetBytes);
        }
        this.budget = budgetBytes;
    }

    public PreviewCache() {
        this(DEFAULT_BUDGET);
    }

    /** The layer's facts if cached (and marks them recently used). */
    public Optional<LayerFacts> peekFacts(String node) {
        return Optional.ofNullable((LayerFacts) get("facts\u0000" + node));
    }

    /** A job returning the layer's facts: the cached ones at once, else computed and cached. */
    public Job<LayerFacts> facts(WeightLayer layer) {
        return (progress, cancel) -> {
            LayerFacts f = (LayerFacts) get("facts\u0000" + layer.node());
            if (f == null) {
                f = LayerFacts.job(layer).run(progress, cancel);
                put("facts\u0000" + layer.node(), f, f.memoryBytes());
            }
            return f;
        };
    }

    /** The layer's spectrum for {@code method} if cached. */
    public Optional<Spectrum> peekSpectrum(String node, String method) {
        return Optional.ofNullable((Spectrum) get("spectrum\u0000" + method + "\u0000" + node));
    }

    /** A job returning the layer's spectrum: cached, or computed and cached (null when it cannot be factored). */
    public Job<Spectrum> spectrum(OnnxModel model, WeightLayer layer, String method) {
        String key = "spectrum\u0000" + method + "\u0000" + layer.node();
        return (progress, cancel) -> {
            Spectrum s = (Spectrum) get(key);
            if (s == null) {
                s = Spectrum.job(model, layer, method).run(progress, cancel);
                if (s != null) {
                    put(key, s, s.memoryBytes());
                }
            }
            return s;
        };
    }

    /** Bytes held now. */
    public synchronized long usedBytes() {
        return used;
    }

    public long budgetBytes() {
        return budget;
    }

    /** Entries held now (facts and spectra). */
    public synchronized int size() {
        return entries.size();
    }

    /** Drops everything (a model was closed). */
    public synchronized void clear() {
        entries.clear();
        used = 0;
    }

    private synchronized Object get(String key) {
        return entries.get(key);
    }

    private synchronized void put(String key, Object value, long bytes) {
        Object old = entries.remove(key);
        if (old != null) {
            used -= sizeOf(old);
        }
        entries.put(key, value);
        used += bytes;
        var it = entries.entrySet().iterator();
        while (used > budget && it.hasNext()) {
            Map.Entry<String, Object> e = it.next();
            if (e.getKey().equals(key)) {
                continue;
            }
            used -= sizeOf(e.getValue());
            it.remove();
        }
    }

    private static long sizeOf(Object o) {
        return o instanceof LayerFacts f ? f.memoryBytes() : ((Spectrum) o).memoryBytes();
    }
}
