package dev.whittle.core.quant;

import java.util.Arrays;

/** Chooses each group's clipping range [lo, hi] for a {@link RangeSpec}. */
final class RangeChoice {
    /** Clip ratios tried by the MSE search: a coarse pass, then a fine pass around the best. */
    private static final double COARSE = 0.05;
    private static final double FINE = 0.005;
    private static final double MIN_RATIO = 0.05;

    private RangeChoice() {
    }

    /**
     * Whether {@code q}'s ranges are those minmax gives: then a percentile or MSE range had no
     * effect on this layer (a percentile of 100, or the largest magnitudes tied), which the
     * quantizer reports rather than leave a user believing something was clipped.
     */
    static boolean sameAsMinMax(WeightAnalysis a, QuantizedWeight q) {
        GroupRanges r = a.ranges(q.grouping());
        for (int i = 0; i < q.hi().length; i++) {
            if (q.hi()[i] != r.max()[i] || q.lo()[i] != r.min()[i]) {
                return false;
            }
        }
        return true;
    }

    /** Returns {lo[], hi[]} per group. */
    static float[][] choose(WeightAnalysis a, Grouping g, WeightSpec spec) {
        GroupRanges r = a.ranges(g);
        float[] lo = WeightQuantizer.copy(r.min());
        float[] hi = WeightQuantizer.copy(r.max());
        RangeSpec range = spec.range();
        if (range instanceof RangeSpec.Explicit e) {
            for (int i = 0; i < lo.length; i++) {
                lo[i] = (float) Math.max(lo[i], e.lo());
                hi[i] = (float) Math.min(hi[i], e.hi());
                if (spec.symmetric()) {
                    // The symmetric clip is max(|lo|, |hi|) of the explicit range, capped by the data.
                    float c = (float) Math.min(Math.max(Math.abs(e.lo()), Math.abs(e.hi())),
                            Math.max(Math.abs(r.min()[i]), Math.abs(r.max()[i])));
                    lo[i] = -c;
                    hi[i] = c;
                }
            }
        } else if (range instanceof RangeSpec.Percentile p) {
            GroupedValues gv = a.grouped(g);
            float[] abs = new float[gv.values().length];
            for (int i = 0; i < abs.length; i++) {
                abs[i] = Math.abs(gv.values()[i]);
            }
            for (int i = 0; i < lo.length; i++) {
                int from = gv.start()[i];
                int to = gv.start()[i + 1];
                if (to == from) {
                    continue;
                }
                Arrays.sort(abs, from, to);
                int n = to - from;
                // Interpolated between ranks (numpy's default), not nearest rank: with nearest rank a
                // group of fewer than 1,000 values clipped nothing at 99.9, silently the same as minmax.
                double h = p.percent() / 100.0 * (n - 1);
                int r0 = (int) Math.floor(h);
                int r1 = Math.min(r0 + 1, n - 1);
                float c = (float) (abs[from + r0] + (h - r0) * ((double) abs[from + r1] - abs[from + r0]));
                lo[i] = Math.max(lo[i], -c);
                hi[i] = Math.min(hi[i], c);
            }
        } else if (range instanceof RangeSpec.Mse) {
            GroupedValues gv = a.grouped(g);
            for (int i = 0; i < lo.length; i++) {
                double ratio = bestRatio(gv.values(), gv.start()[i], gv.start()[i + 1], lo[i], hi[i], spec);
                lo[i] = (float) (lo[i] * ratio);
                hi[i] = (float) (hi[i] * ratio);
            }
        }
        return new float[][] {lo, hi};
    }

    /** The clip ratio in [MIN_RATIO, 1] with the least squared error (ties keep the wider range). */
    static double bestRatio(float[] v, int from, int to, float lo, float hi, WeightSpec spec) {
        if (to == from || (lo == 0 && hi == 0)) {
            return 1;
        }
        double best = 1;
        double bestErr = error(v, from, to, lo, hi, 1, spec);
        for (double r = 1 - COARSE; r >= MIN_RATIO - 1e-9; r -= COARSE) {
            double e = error(v, from, to, lo, hi, r, spec);
            if (e < bestErr) {
                bestErr = e;
                best = r;
            }
        }
        double center = best;
        for (double r = Math.min(1, center + COARSE); r >= Math.max(MIN_RATIO, center - COARSE) - 1e-9; r -= FINE) {
            double e = error(v, from, to, lo, hi, r, spec);
            if (e < bestErr) {
                bestErr = e;
                best = r;
            }
        }
        return best;
    }

    private static double error(float[] v, int from, int to, float lo, float hi, double r, WeightSpec spec) {
        double l = lo * r;
        double h = hi * r;
        float s;
        int zp = 0;
        if (spec.symmetric()) {
            s = ScaleMath.symmetricScale(l, h, spec.levels());
            zp = spec.symmetricZeroPoint();
        } else {
            s = ScaleMath.asymmetricScale(l, h, spec.qmax());
            zp = ScaleMath.zeroPoint(l, s, spec.qmax());
        }
        return WeightQuantizer.groupError(v, from, to, s, zp, spec.qmin(), spec.qmax());
    }
}
