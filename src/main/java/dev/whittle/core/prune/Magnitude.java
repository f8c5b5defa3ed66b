package dev.whittle.core.prune;

import java.util.Arrays;

/**
 * Magnitude ranking with the recipe's exact tie rule: smallest |w| first, ties broken by
 * position (earlier first). |w|'s bits order non-negative floats as their values, so ranks are
 * found on integers.
 */
final class Magnitude {
    private Magnitude() {
    }

    /**
     * Zeroes exactly {@code k} weights of {@code w} in place: the k smallest by |w|, then position.
     * The k-th smallest magnitude is found by a two-pass radix select on |w|'s bits (linear time,
     * no copy of the tensor); weights below it go, and of those equal to it the earliest.
     */
    static void zeroSmallest(float[] w, int k) {
        if (k <= 0) {
            return;
        }
        if (k >= w.length) {
            Arrays.fill(w, 0f);
            return;
        }
        int t = kthSmallestBits(w, k - 1);
        int below = 0;
        for (float v : w) {
            if (absBits(v) < t) {
                below++;
            }
        }
        int ties = k - below;
        for (int i = 0; i < w.length; i++) {
            int b = absBits(w[i]);
            if (b < t) {
                w[i] = 0f;
            } else if (b == t && ties > 0) {
                w[i] = 0f;
                ties--;
            }
        }
    }

    /** The bits of |w| at rank {@code rank} (0: smallest): high 16 bits first, then the low 16 within that bucket. */
    static int kthSmallestBits(float[] w, int rank) {
        int[] hist = new int[1 << 16];
        for (float v : w) {
            hist[absBits(v) >>> 16]++;
        }
        int high = 0;
        int left = rank;
        while (left >= hist[high]) {
            left -= hist[high++];
        }
        Arrays.fill(hist, 0);
        for (float v : w) {
            int b = absBits(v);
            if (b >>> 16 == high) {
                hist[b & 0xffff]++;
            }
        }
        int low = 0;
        while (left >= hist[low]) {
            left -= hist[low++];
        }
        return high << 16 | low;
    }

    /** |v|'s bits: for non-negative floats their order is the values' order (NaN above infinity). */
    private static int absBits(float v) {
        return Float.floatToRawIntBits(v) & 0x7fffffff;
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
