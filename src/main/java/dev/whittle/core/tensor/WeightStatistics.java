package dev.whittle.core.tensor;

import dev.whittle.core.model.TensorData;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Computes {@link WeightStats} in two streaming passes over the tensor, split over the cores.
 * Pass 1 finds counts, range and sum; pass 2 fills the linear histogram, the exact sum of
 * squared deviations, and a fine histogram of |w| keyed by the float's bit pattern. Positive
 * floats order like their bits, and the top bits of a float are its octave and leading mantissa
 * bits, so that histogram is logarithmic without computing a log per element; percentiles and
 * the log10 histogram are read from it (resolution 2^-11 of the value, about 0.05%).
 */
public final class WeightStatistics {
    private static final int CHUNK = 1 << 16;
    private static final int FINE_BITS = 18;

    private WeightStatistics() {
    }

    public static WeightStats compute(TensorData t, int bins) {
        return compute(t, bins, 0);
    }

    /** @param threads 0 for all cores */
    public static WeightStats compute(TensorData t, int bins, int threads) {
        if (bins < 1 || bins > 100_000) {
            throw new dev.whittle.core.BadInputException("bins must be between 1 and 100000, got " + bins + ".");
        }
        if (!t.isNumeric()) {
            throw new dev.whittle.core.BadInputException("Tensor '" + t.name() + "' of type " + t.type()
                    + " has no numeric values to summarize.");
        }
        long n = t.count();
        Pass1 a = Parallel.map(n, threads, (s, e) -> pass1(t, s, e)).stream().reduce(Pass1::merge).orElseThrow();
        double mean = a.finite == 0 ? Double.NaN : a.sum / a.finite;
        double lo = a.finite == 0 ? 0 : a.min;
        double hi = a.finite == 0 ? 0 : a.max;
        if (hi <= lo) {
            double pad = lo == 0 ? 0.5 : Math.abs(lo) * 1e-3;
            lo -= pad;
            hi += pad;
        }
        int loBits = a.nonzero == 0 ? 0 : Float.floatToRawIntBits((float) a.absMinNonzero);
        int hiBits = a.nonzero == 0 ? 0 : Float.floatToRawIntBits((float) a.absMax);
        int range = hiBits - loBits + 1;
        int shift = Math.max(0, 32 - Integer.numberOfLeadingZeros(range) - FINE_BITS);
        int fineSize = (range >>> shift) + 1;
        final double flo = lo;
        final double fhi = hi;
        List<Pass2> parts = Parallel.map(n, threads, (s, e) -> pass2(t, s, e, bins, flo, fhi, mean, loBits, shift, fineSize));
        Pass2 b = parts.get(0);
        for (int i = 1; i < parts.size(); i++) {
            b.merge(parts.get(i));
        }
        double std = a.finite == 0 ? Double.NaN : Math.sqrt(b.sq / a.finite);
        Map<Double, Double> pct = new LinkedHashMap<>();
        for (double p : WeightStats.PERCENTS) {
            pct.put(p, percentile(p, a.finite, a.finite - a.nonzero, b.fine, loBits, shift));
        }
        Histogram logHist = logHistogram(bins, a, b.fine, loBits, shift);
        return new WeightStats(t.name(), n, a.finite, a.finite == 0 ? Double.NaN : a.min,
                a.finite == 0 ? Double.NaN : a.max, mean, std, a.zeros, a.nans, a.infs,
                a.absMinNonzero, a.absMax, pct, new Histogram(lo, hi, b.hist, false, 0), logHist);
    }

    private static final class Pass1 {
        long finite;
        long nonzero;
        long zeros;
        long nans;
        long infs;
        double sum;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double absMinNonzero = Double.POSITIVE_INFINITY;
        double absMax;

        Pass1 merge(Pass1 o) {
            finite += o.finite;
            nonzero += o.nonzero;
            zeros += o.zeros;
            nans += o.nans;
            infs += o.infs;
            sum += o.sum;
            min = Math.min(min, o.min);
            max = Math.max(max, o.max);
            absMinNonzero = Math.min(absMinNonzero, o.absMinNonzero);
            absMax = Math.max(absMax, o.absMax);
            if (nonzero == 0) {
                absMinNonzero = 0;
            }
            return this;
        }
    }

    private static Pass1 pass1(TensorData t, long start, long end) {
        Pass1 r = new Pass1();
        float[] buf = new float[CHUNK];
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        float minAbs = Float.POSITIVE_INFINITY;
        long bad = 0;
        long zeros = 0;
        for (long pos = start; pos < end; pos += CHUNK) {
            int len = (int) Math.min(CHUNK, end - pos);
            t.readFloats(pos, buf, 0, len);
            double s0 = 0;
            double s1 = 0;
            int i = 0;
            for (; i + 1 < len; i += 2) {
                float v0 = buf[i];
                float v1 = buf[i + 1];
                // NaN and Inf fail this test; they are sorted out below, off the hot path.
                if (Math.abs(v0) <= Float.MAX_VALUE && Math.abs(v1) <= Float.MAX_VALUE) {
                    s0 += v0;
                    s1 += v1;
                    min = Math.min(min, Math.min(v0, v1));
                    max = Math.max(max, Math.max(v0, v1));
                    float a0 = Math.abs(v0);
                    float a1 = Math.abs(v1);
                    minAbs = Math.min(minAbs, Math.min(a0 == 0 ? Float.POSITIVE_INFINITY : a0, a1 == 0 ? Float.POSITIVE_INFINITY : a1));
                    zeros += (v0 == 0 ? 1 : 0) + (v1 == 0 ? 1 : 0);
                } else {
                    bad += one(r, v0) + one(r, v1);
                    if (Math.abs(v0) <= Float.MAX_VALUE) {
                        s0 += v0;
                        min = Math.min(min, v0);
                        max = Math.max(max, v0);
                        if (v0 == 0) {
                            zeros++;
                        } else {
                            minAbs = Math.min(minAbs, Math.abs(v0));
                        }
                    }
                    if (Math.abs(v1) <= Float.MAX_VALUE) {
                        s1 += v1;
                        min = Math.min(min, v1);
                        max = Math.max(max, v1);
                        if (v1 == 0) {
                            zeros++;
                        } else {
                            minAbs = Math.min(minAbs, Math.abs(v1));
                        }
                    }
                }
            }
            for (; i < len; i++) {
                float v = buf[i];
                if (Math.abs(v) <= Float.MAX_VALUE) {
                    s0 += v;
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                    if (v == 0) {
                        zeros++;
                    } else {
                        minAbs = Math.min(minAbs, Math.abs(v));
                    }
                } else {
                    bad += one(r, v);
                }
            }
            r.sum += s0 + s1;
        }
        long n = end - start;
        r.zeros = zeros;
        r.finite = n - bad;
        r.nonzero = r.finite - zeros;
        r.min = min;
        r.max = max;
        r.absMinNonzero = r.nonzero == 0 ? Double.POSITIVE_INFINITY : minAbs;
        r.absMax = r.finite == 0 ? 0 : Math.max(Math.abs((double) min), Math.abs((double) max));
        return r;
    }

    /** Counts one non-finite value; returns 1 if v is NaN or infinite. */
    private static int one(Pass1 r, float v) {
        if (Float.isNaN(v)) {
            r.nans++;
            return 1;
        }
        if (Float.isInfinite(v)) {
            r.infs++;
            return 1;
        }
        return 0;
    }

    private static final class Pass2 {
        final long[] hist;
        final int[] fine;
        double sq;

        Pass2(int bins, int fineSize) {
            hist = new long[bins];
            fine = new int[fineSize];
        }

        void merge(Pass2 o) {
            for (int i = 0; i < hist.length; i++) {
                hist[i] += o.hist[i];
            }
            for (int i = 0; i < fine.length; i++) {
                fine[i] += o.fine[i];
            }
            sq += o.sq;
        }
    }

    private static Pass2 pass2(TensorData t, long start, long end, int bins, double lo, double hi, double mean,
                               int loBits, int shift, int fineSize) {
        Pass2 r = new Pass2(bins, fineSize);
        float[] buf = new float[CHUNK];
        long[] hist = r.hist;
        int[] fine = r.fine;
        float flo = (float) lo;
        float scale = (float) (bins / (hi - lo));
        float fmean = (float) mean;
        int last = bins - 1;
        int lastFine = fineSize - 1;
        for (long pos = start; pos < end; pos += CHUNK) {
            int len = (int) Math.min(CHUNK, end - pos);
            t.readFloats(pos, buf, 0, len);
            double sq = 0;
            for (int i = 0; i < len; i++) {
                float v = buf[i];
                if (!(Math.abs(v) <= Float.MAX_VALUE)) {
                    continue;
                }
                int b = (int) ((v - flo) * scale);
                hist[Math.min(Math.max(b, 0), last)]++;
                float d = v - fmean;
                sq += (double) d * d;
                int bits = Float.floatToRawIntBits(v) & 0x7fffffff;
                if (bits != 0) {
                    fine[Math.min(Math.max((bits - loBits) >>> shift, 0), lastFine)]++;
                }
            }
            r.sq += sq;
        }
        return r;
    }

    private static double percentile(double p, long finite, long zeros, int[] fine, int loBits, int shift) {
        if (finite == 0) {
            return Double.NaN;
        }
        // Nearest rank on the sorted finite |w|, interpolated inside the fine bucket.
        double rank = Math.max(1, Math.ceil(p / 100.0 * finite));
        if (rank <= zeros) {
            return 0;
        }
        double need = rank - zeros;
        long cum = 0;
        for (int i = 0; i < fine.length; i++) {
            if (cum + fine[i] >= need) {
                double frac = fine[i] == 0 ? 0 : (need - cum) / fine[i];
                long bits = loBits + ((long) i << shift) + (long) Math.floor(frac * ((1L << shift) - 1));
                return Float.intBitsToFloat((int) Math.min(bits, 0x7f7fffffL));
            }
            cum += fine[i];
        }
        return Float.intBitsToFloat(loBits + ((fine.length - 1) << shift));
    }

    private static Histogram logHistogram(int bins, Pass1 a, int[] fine, int loBits, int shift) {
        long zeros = a.finite - a.nonzero;
        if (a.nonzero == 0) {
            return new Histogram(-1, 0, new long[bins], true, zeros);
        }
        double lo = Math.log10(a.absMinNonzero);
        double hi = Math.log10(a.absMax);
        if (hi <= lo) {
            lo -= 0.5;
            hi += 0.5;
        }
        long[] counts = new long[bins];
        double scale = bins / (hi - lo);
        double half = shift == 0 ? 0 : (1L << (shift - 1));
        for (int i = 0; i < fine.length; i++) {
            if (fine[i] == 0) {
                continue;
            }
            double mid = Float.intBitsToFloat((int) Math.min(loBits + ((long) i << shift) + (long) half, 0x7f7fffffL));
            int b = (int) ((Math.log10(mid) - lo) * scale);
            counts[Math.min(Math.max(b, 0), bins - 1)] += fine[i];
        }
        return new Histogram(lo, hi, counts, true, zeros);
    }
}
