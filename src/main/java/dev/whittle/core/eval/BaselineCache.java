package dev.whittle.core.eval;

import dev.whittle.core.onnx.OnnxModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Baseline outputs kept between evaluations, so comparing many variants with one baseline runs
 * the baseline once. Keyed by the identity of the baseline model and the dataset objects plus
 * the batching and output; holds the last few entries (least recently used goes first).
 * Thread-safe; a computation that fails or is cancelled caches nothing.
 */
public final class BaselineCache {
    private final int capacity;
    private final Map<Key, Outputs> map;
    private int computed;

    public BaselineCache(int capacity) {
        this.capacity = capacity;
        this.map = new LinkedHashMap<>(16, 0.75f, true);
    }

    public BaselineCache() {
        this(4);
    }

    /** How many times a baseline was actually computed (a cache miss); for tests and logs. */
    public synchronized int computations() {
        return computed;
    }

    public synchronized void clear() {
        map.clear();
    }

    Outputs get(OnnxModel baseline, Dataset data, long limit, int batch, String output, Supplier<Outputs> compute) {
        Key k = new Key(baseline, data, limit, batch, output);
        synchronized (this) {
            Outputs o = map.get(k);
            if (o != null) {
                return o;
            }
        }
        Outputs o = compute.get();
        synchronized (this) {
            computed++;
            map.put(k, o);
            while (map.size() > capacity) {
                map.remove(map.keySet().iterator().next());
            }
        }
        return o;
    }

    /** Raw outputs per batch, in batch order, with their shapes. */
    record Outputs(List<float[]> values, List<long[]> shapes) {
    }

    private record Key(OnnxModel model, Dataset data, long limit, int batch, String output) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.model == model && k.data == data && k.limit == limit && k.batch == batch
                    && java.util.Objects.equals(k.output, output);
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(model) * 31 + System.identityHashCode(data) + Long.hashCode(limit) * 7 + batch;
        }
    }
}
