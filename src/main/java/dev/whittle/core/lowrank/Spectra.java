package dev.whittle.core.lowrank;

import dev.whittle.core.model.TensorData;
import dev.whittle.core.tensor.Svd;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Singular values of factorizable weights, computed once per weight tensor and method and kept
 * while the model is loaded (weakly keyed by the tensor), so the UI's rank slider and repeated
 * energy-based applies are lookups. One array per matrix (per group for grouped Conv), descending.
 */
public final class Spectra {
    private static final Map<TensorData, Map<String, float[][]>> CACHE = Collections.synchronizedMap(new WeakHashMap<>());

    private Spectra() {
    }

    static float[][] of(TensorData weight, String method, List<Matrix> matrices) {
        Map<String, float[][]> byMethod = CACHE.computeIfAbsent(weight, k -> Collections.synchronizedMap(new java.util.HashMap<>()));
        return byMethod.computeIfAbsent(method, k -> {
            float[][] out = new float[matrices.size()][];
            for (int i = 0; i < out.length; i++) {
                Matrix mx = matrices.get(i);
                out[i] = Svd.values(mx.a(), mx.m(), mx.n());
            }
            return out;
        });
    }

    /** Whether the spectrum of this weight is cached (for tests and the UI's instant tier). */
    public static boolean isCached(TensorData weight, String method) {
        Map<String, float[][]> m = CACHE.get(weight);
        return m != null && m.containsKey(method);
    }
}
