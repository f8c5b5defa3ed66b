package dev.whittle.core.preview;

/** Reads the fine |w| histogram of {@link LayerFacts}: counts at or below a magnitude, and back. */
final class MagnitudeTable {
    private MagnitudeTable() {
    }

    private static float low(int k) {
        return Float.intBitsToFloat(k << LayerFacts.SHIFT);
    }

    private static float high(int k) {
        return Float.intBitsToFloat(((k + 1) << LayerFacts.SHIFT) - 1);
    }

    /**
     * Estimated number of weights with |w| <= t: whole buckets below t's bucket, plus t's bucket
     * in proportion to where t falls in it (exact zeros always count when t >= 0).
     */
    static double countAtMost(LayerFacts f, double t) {
        if (t < 0 || Double.isNaN(t)) {
            return 0;
        }
        if (t >= f.absMax()) {
            return f.count;
        }
        int key = Float.floatToRawIntBits((float) t) >>> LayerFacts.SHIFT;
        long below = 0;
        int[] keys = f.absKeys;
        for (int k = 0; k < key; k++) {
            below += keys[k];
        }
        int c = keys[key];
        if (key == 0) {
            // Bucket 0 holds the zeros and the tiniest subnormals: count the zeros in full.
            return f.zeros + (t > 0 ? c - f.zeros : 0);
        }
        double lo = low(key);
        double hi = high(key);
        double frac = hi > lo ? Math.min(1, Math.max(0, (t - lo) / (hi - lo))) : 1;
        return below + frac * c;
    }

    /** The estimated k-th smallest |w| (1-based): the threshold that prunes k weights. */
    static double magnitudeAtRank(LayerFacts f, long k) {
        if (k <= f.zeros) {
            return 0;
        }
        int[] keys = f.absKeys;
        long cum = 0;
        for (int key = 0; key < keys.length; key++) {
            long c = key == 0 ? keys[0] - f.zeros : keys[key];
            long before = key == 0 ? f.zeros : cum;
            if (c > 0 && before + c >= k) {
                double lo = key == 0 ? 0 : low(key);
                double hi = Math.min(high(key), f.absMax());
                double frac = c == 1 ? 1 : (k - before) / (double) c;
                return lo + frac * (hi - lo);
            }
            cum = before + c;
        }
        return f.absMax();
    }
}
