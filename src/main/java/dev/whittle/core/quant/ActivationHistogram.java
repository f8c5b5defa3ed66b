package dev.whittle.core.quant;

import java.nio.FloatBuffer;

/**
 * A fixed-size histogram of one activation over all calibration batches: {@link #BINS} equal
 * bins over [-R, R), where R starts just above the first batch's max |x| and doubles when a
 * later batch reaches it (pairs of bins merge exactly, so no count moves to a wrong bin). Memory is
 * constant whatever the number of samples. NaN and infinite values are counted and skipped.
 */
public final class ActivationHistogram {
    /** Signed bins over [-R, R]; bin BINS/2 starts at 0. */
    public static final int BINS = 4096;

    private final long[] counts = new long[BINS];
    private double range;
    private long pendingZeros;
    private long count;
    private long nonFinite;
    private float min = Float.POSITIVE_INFINITY;
    private float max = Float.NEGATIVE_INFINITY;

    /** Adds one batch of values (the buffer's remaining elements; its position is not moved). */
    public void add(FloatBuffer values) {
        FloatBuffer v = values.duplicate();
        int n = v.remaining();
        int pos = v.position();
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            float x = v.get(pos + i);
            if (Math.abs(x) <= Float.MAX_VALUE) {
                lo = Math.min(lo, x);
                hi = Math.max(hi, x);
            }
        }
        if (lo > hi) {
            nonFinite += n;
            return;
        }
        min = Math.min(min, lo);
        max = Math.max(max, hi);
        double abs = Math.max(Math.abs((double) lo), Math.abs((double) hi));
        if (abs >= range && abs > 0) {
            grow(abs);
        }
        if (range == 0) {
            pendingZeros += n;
            count += n;
            return;
        }
        // floor(x * scale) with scale = (BINS/2) / range: doubling the range halves the scale
        // exactly, so a value's bin after growth is exactly its merged old bin.
        double scale = (BINS / 2) / range;
        int half = BINS / 2;
        long finite = 0;
        for (int i = 0; i < n; i++) {
            float x = v.get(pos + i);
            if (Math.abs(x) <= Float.MAX_VALUE) {
                int b = (int) Math.floor(x * scale) + half;
                counts[b < 0 ? 0 : b >= BINS ? BINS - 1 : b]++;
                finite++;
            }
        }
        nonFinite += n - finite;
        count += finite;
    }

    private void grow(double abs) {
        if (range == 0) {
            // A little above the largest value, so no value sits on the top edge.
            range = abs * (1 + 0x1p-20);
            counts[BINS / 2] += pendingZeros;
            pendingZeros = 0;
            return;
        }
        while (range <= abs) {
            long[] merged = new long[BINS];
            int half = BINS / 2;
            for (int j = 0; j < half / 2; j++) {
                merged[half + j] = counts[half + 2 * j] + counts[half + 2 * j + 1];
                merged[half - 1 - j] = counts[half - 1 - 2 * j] + counts[half - 2 - 2 * j];
            }
            System.arraycopy(merged, 0, counts, 0, BINS);
            range *= 2;
        }
    }

    /** Half-width R of the binned range (0 while every value seen is 0). */
    public double range() {
        return range;
    }

    public long[] counts() {
        return counts.clone();
    }

    /** Counts of |x| in BINS/2 bins over [0, R]. */
    public long[] absCounts() {
        int half = BINS / 2;
        long[] a = new long[half];
        for (int j = 0; j < half; j++) {
            a[j] = counts[half + j] + counts[half - 1 - j];
        }
        a[0] += pendingZeros;
        return a;
    }

    /** Finite values seen. */
    public long count() {
        return count;
    }

    public long nonFinite() {
        return nonFinite;
    }

    /** Smallest finite value seen (0 when none). */
    public float min() {
        return count == 0 ? 0 : min;
    }

    public float max() {
        return count == 0 ? 0 : max;
    }

    /** Width of one signed bin. */
    public double binWidth() {
        return 2 * range / BINS;
    }
}
