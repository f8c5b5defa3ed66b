package dev.whittle.core.eval;

/** Small numeric helpers shared by the metrics. */
final class Metrics {
    /** The input that holds the attention mask of text models. */
    static final String MASK = "attention_mask";

    private Metrics() {
    }

    /** Index of the largest of v[off .. off+len); the first one on ties; NaN never wins. */
    static int argmax(float[] v, int off, int len) {
        int best = -1;
        float bv = 0;
        for (int i = 0; i < len; i++) {
            float x = v[off + i];
            if (!Float.isNaN(x) && (best < 0 || x > bv)) {
                best = i;
                bv = x;
            }
        }
        return Math.max(best, 0);
    }

    /**
     * Whether {@code label} is among the {@code k} largest of v[off .. off+len): fewer than k
     * values are strictly larger than v[label], ties counting against it only when they come first.
     */
    static boolean inTopK(float[] v, int off, int len, int label, int k) {
        float lv = v[off + label];
        if (Float.isNaN(lv)) {
            return false;
        }
        int above = 0;
        for (int i = 0; i < len; i++) {
            float x = v[off + i];
            if (x > lv || (x == lv && i < label)) {
                above++;
            }
        }
        return above < k;
    }

    /**
     * The p-th percentile (0..100) of sorted values by linear interpolation between closest
     * ranks (NumPy's default).
     */
    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        double pos = p / 100 * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
