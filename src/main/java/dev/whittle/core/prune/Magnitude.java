package dev.whittle.core.prune;

import java.util.Arrays;

/**
 * Magnitude ranking with the recipe's exact tie rule: smallest |w| first, ties broken by
 * position (earlier first). A key packs |w|'s bits (monotonic for non-negative floats) above
 * the index, so one primitive sort ranks a tensor.
 */
final class Magnitude {
    private Magnitude() {
    }

    /** Zeroes exactly {@code k} weights of {@code w} in place: the k smallest by |w|, then position. */
    static void zeroSmallest(float[] w, int k) {
        if (k <= 0) {
            return;
        }
        long[] keys = new long[w.length];
        for (int i = 0; i < w.length; i++) {
            keys[i] = ((long) Float.floatToRawIntBits(Math.abs(w[i])) << 32) | i;
        }
        Arrays.sort(keys);
        for (int j = 0; j < k; j++) {
            w[(int) keys[j]] = 0f;
        }
    }

    /** Zeroes every weight with |w| <= t. */
    static void zeroAtMost(float[] w, double t) {
        for (int i = 0; i < w.length; i++) {
            if (Math.abs(w[i]) <= t) {
                w[i] = 0f;
            }
        }
    }

    /** |w| sorted ascending. */
    static float[] sortedAbs(float[] w) {
        float[] a = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            a[i] = Math.abs(w[i]);
        }
        Arrays.sort(a);
        return a;
    }

    /** Number of entries of sorted {@code a} that are <= t ({@code strict}: < t). */
    static int countBelow(float[] a, float t, boolean strict) {
        int lo = 0;
        int hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (strict ? a[mid] < t : a[mid] <= t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * Global pruning counts: how many weights each layer loses so that {@code total} weights go in
     * all, with one magnitude threshold t across layers, each layer's count clamped to
     * [lo_i, hi_i]. Weights below t go first; weights equal to t go in layer order. Requires
     * sum(lo) <= total <= sum(hi).
     *
     * @param sorted per layer, |w| ascending
     */
    static long[] globalCounts(float[][] sorted, long[] lo, long[] hi, long total) {
        int layers = sorted.length;
        // Smallest t (as float bits; monotonic for t >= 0) with g(t) = sum clamp(#{|w| <= t}) >= total.
        int lowBits = 0;
        int highBits = 0x7f800000;
        while (lowBits < highBits) {
            int mid = (int) (((long) lowBits + highBits) >>> 1);
            if (clampedSum(sorted, lo, hi, Float.intBitsToFloat(mid), false) >= total) {
                highBits = mid;
            } else {
                lowBits = mid + 1;
            }
        }
        float t = Float.intBitsToFloat(lowBits);
        long[] k = new long[layers];
        long sum = 0;
        for (int i = 0; i < layers; i++) {
            k[i] = clamp(countBelow(sorted[i], t, true), lo[i], hi[i]);
            sum += k[i];
        }
        for (int i = 0; i < layers && sum < total; i++) {
            long more = Math.min(total - sum, clamp(countBelow(sorted[i], t, false), lo[i], hi[i]) - k[i]);
            k[i] += more;
            sum += more;
        }
        return k;
    }

    private static long clampedSum(float[][] sorted, long[] lo, long[] hi, float t, boolean strict) {
        long s = 0;
        for (int i = 0; i < sorted.length; i++) {
            s += clamp(countBelow(sorted[i], t, strict), lo[i], hi[i]);
        }
        return s;
    }

    private static long clamp(long v, long lo, long hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
