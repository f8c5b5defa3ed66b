package dev.whittle.testing;

import java.util.HashMap;
import java.util.Map;

/**
 * An independent, deliberately plain fake-quantizer for checking the production one: groups
 * are found from each element's multi-dimensional coordinates, scales follow docs/recipes.md
 * (symmetric: max|w| / (2^(b-1)-1); asymmetric: range widened to 0, (hi-lo) / (2^b-1), zero
 * point round(-lo/scale)), rounding half to even, all-zero groups scale 1.
 */
public final class FakeQuant {
    private FakeQuant() {
    }

    /**
     * @param kind "tensor", "channel" or "block"
     * @param axis the channel axis for "channel", the input axis for "block"
     */
    public static float[] apply(float[] w, long[] dims, String kind, int axis, int block, int bits, boolean symmetric) {
        return apply(w, dims, kind, axis, block, bits, symmetric, (1 << (bits - 1)) - 1);
    }

    /**
     * As above with the symmetric code range [-symmetricMax, symmetricMax] given: 63 for 8-bit
     * weights in the reduced (7-bit) layout.
     */
    public static float[] apply(float[] w, long[] dims, String kind, int axis, int block, int bits, boolean symmetric,
                                int symmetricMax) {
        Map<Long, double[]> range = new HashMap<>();
        long[] key = new long[w.length];
        for (int i = 0; i < w.length; i++) {
            key[i] = groupKey(i, dims, kind, axis, block);
            double[] r = range.computeIfAbsent(key[i], k -> new double[] {Double.MAX_VALUE, -Double.MAX_VALUE});
            r[0] = Math.min(r[0], w[i]);
            r[1] = Math.max(r[1], w[i]);
        }
        float[] out = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            double[] r = range.get(key[i]);
            float scale;
            int zp = 0;
            int qmin;
            int qmax;
            if (symmetric) {
                qmax = symmetricMax;
                qmin = -qmax;
                double m = Math.max(Math.abs(r[0]), Math.abs(r[1]));
                scale = m == 0 ? 1f : (float) (m / qmax);
            } else {
                qmin = 0;
                qmax = (1 << bits) - 1;
                double lo = Math.min(r[0], 0);
                double hi = Math.max(r[1], 0);
                scale = hi == lo ? 1f : (float) ((hi - lo) / qmax);
                zp = (int) Math.max(0, Math.min(qmax, Math.rint(-lo / scale)));
            }
            double q = Math.rint(w[i] / scale) + zp;
            q = Math.max(qmin, Math.min(qmax, q));
            out[i] = (float) ((int) q - zp) * scale;
        }
        return out;
    }

    private static long groupKey(int flat, long[] dims, String kind, int axis, int block) {
        long[] c = new long[dims.length];
        long rest = flat;
        for (int d = dims.length - 1; d >= 0; d--) {
            c[d] = rest % dims[d];
            rest /= dims[d];
        }
        switch (kind) {
            case "tensor":
                return 0;
            case "channel":
                return c[axis];
            default:
                long k = 0;
                for (int d = 0; d < dims.length; d++) {
                    long v = d == axis ? c[d] / block : c[d];
                    k = k * (dims[d] + 1) + v;
                }
                return k;
        }
    }
}
