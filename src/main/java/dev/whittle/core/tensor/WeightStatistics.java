package dev.whittle.core.tensor;

import dev.whittle.core.BadInputException;
import dev.whittle.core.model.TensorData;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Computes {@link WeightStats} in one streaming pass over the tensor, split over the cores.
 *
 * <p>Each chunk (64 Ki floats, cache-resident) is scanned once for the sum and sum of squares
 * (shifted by the chunk's first value, and chunks combined with Chan's formula, so the standard
 * deviation does not suffer the cancellation of E[x^2] - E[x]^2), min and max, and a fine
 * histogram keyed by the top 19 bits of the float's bit pattern (sign, exponent, 10 mantissa
 * bits). Floats of one sign order like their bits, so that
 * histogram resolves every value to 2^-10 of itself (0.1%) at any scale. Percentiles of |w|,
 * the log10|w| histogram and the linear histogram are read from it; when the linear bins are
 * finer than the fine buckets (values crowded far from zero) a second exact pass bins them.
 */
public final class WeightStatistics {
    private static final int CHUNK = 1 << 16;
    private static final int SHIFT = 13;
    private static final int KEYS = 1 << (32 - SHIFT);
    private static final int SIGN_KEY = KEYS >>> 1;

    private WeightStatistics() {
    }

    public static WeightStats compute(TensorData t, int bins) {
        return compute(t, bins, 0);
    }

    /** @param threads 0 for all cores */
    public static WeightStats compute(TensorData t, int bins, int threads) {
        if (bins < 1 || bins > 100_000) {
            throw new BadInputException("bins must be between 1 and 100000, got " + bins + ".");
        }
        if (!t.isNumeric()) {
            throw new BadInputException("Tensor '" + t.name() + "' of type " + t.type() + " has no numeric values to summarize.");
        }
        long n = t.count();
        List<Partial> parts = Parallel.map(n, threads, (s, e) -> scan(t, s, e));
        Partial a = parts.get(0);
        for (int i = 1; i < parts.size(); i++) {
            a.merge(parts.get(i));
        }
        double mean = a.finite == 0 ? Double.NaN : a.mean;
        double std = a.finite == 0 ? Double.NaN : Math.sqrt(a.m2 / a.finite);
        double min = a.finite == 0 ? Double.NaN : a.min;
        double max = a.finite == 0 ? Double.NaN : a.max;
        double absMax = a.finite == 0 ? 0 : Math.max(Math.abs(a.min), Math.abs(a.max));
        int[] abs = absKeys(a.fine);
        long nonzero = a.finite - a.zeros;
        double absMinNonzero = nonzero == 0 ? 0 : Math.min(a.absMinNonzero, smallestKey(abs, a.zeros));
        Map<Double, Double> pct = new LinkedHashMap<>();
        for (double p : WeightStats.PERCENTS) {
            pct.put(p, percentile(p, a.finite, a.zeros, abs, absMinNonzero, absMax));
        }
        Histogram linear = linearHistogram(t, bins, a, threads);
        Histogram log = logHistogram(bins, abs, a.zeros, nonzero, absMinNonzero, absMax);
        return new WeightStats(t.name(), n, a.finite, min, max, mean, std, a.zeros, a.nans, a.infs,
                absMinNonzero, absMax, pct, linear, log);
    }

    /** Partial results of one range; merged pairwise. */
    private static final class Partial {
        final int[] fine = new int[KEYS];
        long finite;
        long zeros;
        long nans;
        long infs;
        double mean;
        double m2;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double absMinNonzero = Double.POSITIVE_INFINITY;

        void add(long n, double chunkMean, double chunkM2) {
            if (n == 0) {
                return;
            }
            long total = finite + n;
            double delta = chunkMean - mean;
            mean += delta * n / total;
            m2 += chunkM2 + delta * delta * ((double) finite * n / total);
            finite = total;
        }

        void merge(Partial o) {
            for (int i = 0; i < KEYS; i++) {
                fine[i] += o.fine[i];
            }
            zeros += o.zeros;
            nans += o.nans;
            infs += o.infs;
            min = Math.min(min, o.min);
            max = Math.max(max, o.max);
            absMinNonzero = Math.min(absMinNonzero, o.absMinNonzero);
            add(o.finite, o.mean, o.m2);
        }
    }

    private static Partial scan(TensorData t, long start, long end) {
        Partial r = new Partial();
        float[] buf = new float[CHUNK];
        int[] fine = r.fine;
        for (long pos = start; pos < end; pos += CHUNK) {
            int len = (int) Math.min(CHUNK, end - pos);
            t.readFloats(pos, buf, 0, len);
            int zeroKeys = fine[0] + fine[SIGN_KEY];
            // One fused loop while the chunk is in cache. Sums are shifted by the chunk's first
            // value so that M2 = q - s^2/n does not cancel; the min/max tests are branches that
            // are almost never taken (cheaper than Math.min, which must order NaN and -0).
            float k = buf[0];
            float mn = Float.POSITIVE_INFINITY;
            float mx = Float.NEGATIVE_INFINITY;
            double s = 0;
            double q = 0;
            for (int i = 0; i < len; i++) {
                float v = buf[i];
                double d = (double) v - k;
                int bits = Float.floatToRawIntBits(v);
                s += d;
                q += d * d;
                if (v < mn) {
                    mn = v;
                }
                if (v > mx) {
                    mx = v;
                }
                fine[bits >>> SHIFT]++;
            }
            if (!Double.isFinite(s) || !Double.isFinite(q) || !Float.isFinite(k)) {
                undoFine(fine, buf, len);
                scanWithNonFinite(r, buf, len);
                continue;
            }
            if (fine[0] + fine[SIGN_KEY] != zeroKeys) {
                // Only zeros and tiny subnormals share these keys; count exact zeros apart.
                for (int i = 0; i < len; i++) {
                    if ((Float.floatToRawIntBits(buf[i]) << 1) == 0) {
                        r.zeros++;
                    }
                }
            }
            r.min = Math.min(r.min, mn);
            r.max = Math.max(r.max, mx);
            r.add(len, k + s / len, Math.max(q - s * s / len, 0));
        }
        return r;
    }

    private static void undoFine(int[] fine, float[] buf, int len) {
        for (int i = 0; i < len; i++) {
            fine[Float.floatToRawIntBits(buf[i]) >>> SHIFT]--;
        }
    }

    /** The slow path for a chunk holding NaN or infinity: those are counted and left out. */
    private static void scanWithNonFinite(Partial r, float[] buf, int len) {
        double sum = 0;
        int n = 0;
        for (int i = 0; i < len; i++) {
            float v = buf[i];
            if (Float.isNaN(v)) {
                r.nans++;
            } else if (Float.isInfinite(v)) {
                r.infs++;
            } else {
                sum += v;
                n++;
                r.min = Math.min(r.min, v);
                r.max = Math.max(r.max, v);
                if (v != 0) {
                    r.absMinNonzero = Math.min(r.absMinNonzero, Math.abs(v));
                }
            }
        }
        if (n == 0) {
            return;
        }
        double mean = sum / n;
        double m2 = 0;
        for (int i = 0; i < len; i++) {
            float v = buf[i];
            if (Math.abs(v) <= Float.MAX_VALUE) {
                int bits = Float.floatToRawIntBits(v);
                r.fine[bits >>> SHIFT]++;
                if ((bits & 0x7fffffff) == 0) {
                    r.zeros++;
                }
                m2 += (v - mean) * (v - mean);
            }
        }
        r.add(n, mean, m2);
    }

    /** Folds the signed fine histogram onto |w|: key k counts values whose |w| bits >>> SHIFT is k. */
    private static int[] absKeys(int[] fine) {
        int[] abs = new int[SIGN_KEY];
        for (int k = 0; k < SIGN_KEY; k++) {
            abs[k] = fine[k] + fine[k | SIGN_KEY];
        }
        return abs;
    }

    private static float keyLow(int k) {
        return Float.intBitsToFloat(k << SHIFT);
    }

    private static float keyHigh(int k) {
        return Float.intBitsToFloat(((k + 1) << SHIFT) - 1);
    }

    /**
     * Lower edge of the first occupied |w| bucket: within 2^-10 below the smallest nonzero |w|.
     * (Tracking it exactly costs a third more time in the hot loop, for a figure only used to
     * place the log histogram's lower edge.)
     */
    private static double smallestKey(int[] abs, long zeros) {
        for (int k = 0; k < abs.length; k++) {
            long c = k == 0 ? abs[0] - zeros : abs[k];
            if (c > 0) {
                return k == 0 ? Float.MIN_VALUE : keyLow(k);
            }
        }
        return 0;
    }

    private static double percentile(double p, long finite, long zeros, int[] abs, double absMinNonzero, double absMax) {
        if (finite == 0) {
            return Double.NaN;
        }
        // Nearest rank on the sorted finite |w|, interpolated inside the fine bucket.
        long rank = Math.max(1, (long) Math.ceil(p / 100.0 * finite));
        if (rank <= zeros) {
            return 0;
        }
        long need = rank - zeros;
        long cum = 0;
        for (int k = 0; k < abs.length; k++) {
            long c = k == 0 ? abs[0] - zeros : abs[k];
            if (c > 0 && cum + c >= need) {
                double lo = Math.max(keyLow(k), absMinNonzero);
                double hi = Math.min(keyHigh(k), absMax);
                double frac = c == 1 ? 0.5 : (need - cum - 1) / (double) (c - 1);
                return lo + frac * (hi - lo);
            }
            cum += c;
        }
        return absMax;
    }

    private static Histogram logHistogram(int bins, int[] abs, long zeros, long nonzero, double absMinNonzero, double absMax) {
        if (nonzero == 0) {
            return new Histogram(-1, 0, new long[bins], true, zeros);
        }
        double lo = Math.log10(absMinNonzero);
        double hi = Math.log10(absMax);
        if (hi <= lo) {
            lo -= 0.5;
            hi += 0.5;
        }
        long[] counts = new long[bins];
        double scale = bins / (hi - lo);
        for (int k = 0; k < abs.length; k++) {
            long c = k == 0 ? abs[0] - zeros : abs[k];
            if (c == 0) {
                continue;
            }
            double mid = Math.sqrt(Math.max(keyLow(k), absMinNonzero) * Math.min(keyHigh(k), absMax));
            int b = (int) ((Math.log10(mid) - lo) * scale);
            counts[Math.min(Math.max(b, 0), bins - 1)] += c;
        }
        return new Histogram(lo, hi, counts, true, zeros);
    }

    private static Histogram linearHistogram(TensorData t, int bins, Partial a, int threads) {
        double lo = a.finite == 0 ? 0 : a.min;
        double hi = a.finite == 0 ? 0 : a.max;
        if (hi <= lo) {
            double pad = lo == 0 ? 0.5 : Math.abs(lo) * 1e-3;
            lo -= pad;
            hi += pad;
        }
        double width = (hi - lo) / bins;
        double extreme = Math.max(Math.abs(lo), Math.abs(hi));
        // A fine bucket spans 2^-10 of its value; beyond 1/8 of a bin, redo the bins exactly.
        if (extreme * 0x1p-10 > width / 8) {
            final double flo = lo;
            final double fhi = hi;
            List<long[]> parts = Parallel.map(t.count(), threads, (s, e) -> exactBins(t, s, e, bins, flo, fhi));
            long[] counts = new long[bins];
            for (long[] p : parts) {
                for (int i = 0; i < bins; i++) {
                    counts[i] += p[i];
                }
            }
            return new Histogram(lo, hi, counts, false, 0);
        }
        long[] counts = new long[bins];
        double scale = bins / (hi - lo);
        for (int k = 0; k < KEYS; k++) {
            int c = a.fine[k];
            if (c == 0) {
                continue;
            }
            int mag = k & (SIGN_KEY - 1);
            double low = Math.max(keyLow(mag), 0);
            double high = keyHigh(mag);
            double mid = (k & SIGN_KEY) != 0 ? -(low + high) / 2 : (low + high) / 2;
            mid = Math.min(Math.max(mid, a.min), a.max);
            int b = (int) ((mid - lo) * scale);
            counts[Math.min(Math.max(b, 0), bins - 1)] += c;
        }
        return new Histogram(lo, hi, counts, false, 0);
    }

    private static long[] exactBins(TensorData t, long start, long end, int bins, double lo, double hi) {
        long[] counts = new long[bins];
        float[] buf = new float[CHUNK];
        double scale = bins / (hi - lo);
        for (long pos = start; pos < end; pos += CHUNK) {
            int len = (int) Math.min(CHUNK, end - pos);
            t.readFloats(pos, buf, 0, len);
            for (int i = 0; i < len; i++) {
                float v = buf[i];
                if (Math.abs(v) <= Float.MAX_VALUE) {
                    int b = (int) ((v - lo) * scale);
                    counts[Math.min(Math.max(b, 0), bins - 1)]++;
                }
            }
        }
        return counts;
    }
}
