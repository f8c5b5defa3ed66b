package dev.whittle.core.quant;

/**
 * Chooses an activation's range [lo, hi] from its {@link ActivationHistogram}. Every method
 * returns a range within the observed [min, max]; symmetric quantization then uses
 * max(|lo|, |hi|), asymmetric widens the range to contain 0.
 */
public final class Calibrators {
    /** Candidate thresholds the MSE search evaluates at most. */
    private static final int MSE_CANDIDATES = 512;

    private Calibrators() {
    }

    public static double[] range(ActivationHistogram h, Calibration c, int bits, boolean symmetric) {
        if (h.count() == 0 || h.range() == 0) {
            return new double[] {h.min(), h.max()};
        }
        if (c instanceof Calibration.MinMax) {
            return new double[] {h.min(), h.max()};
        }
        if (c instanceof Calibration.Percentile p) {
            return percentile(h, p.percent(), symmetric);
        }
        if (c instanceof Calibration.Entropy) {
            return clip(h, entropyThreshold(h, quantizedBins(h, bits, symmetric)));
        }
        return mse(h, bits, symmetric);
    }

    /** Symmetric: [-t, t] with t the percentile of |x|; asymmetric: the (100-p) and p percentiles of x. */
    static double[] percentile(ActivationHistogram h, double p, boolean symmetric) {
        if (symmetric) {
            double t = quantile(h.absCounts(), 0, h.range(), p / 100);
            return clip(h, t);
        }
        long[] c = h.counts();
        double lo = quantile(c, -h.range(), h.range(), (100 - p) / 100);
        double hi = quantile(c, -h.range(), h.range(), p / 100);
        // Within one bin of the observed end, the histogram cannot tell them apart: keep the end
        // (so a ReLU output's low end stays exactly 0).
        double w = h.binWidth();
        lo = lo - h.min() < w ? h.min() : lo;
        hi = h.max() - hi < w ? h.max() : hi;
        return new double[] {Math.max(h.min(), lo), Math.min(h.max(), hi)};
    }

    /** The value below which a fraction q of the counts lie, interpolated inside its bin. */
    static double quantile(long[] counts, double lo, double hi, double q) {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        double need = q * total;
        double w = (hi - lo) / counts.length;
        long cum = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0 && cum + counts[i] >= need) {
                double frac = Math.max(0, (need - cum) / counts[i]);
                return lo + (i + frac) * w;
            }
            cum += counts[i];
        }
        return hi;
    }

    /** [-t, t] intersected with the observed range. */
    private static double[] clip(ActivationHistogram h, double t) {
        return new double[] {Math.max(h.min(), -t), Math.min(h.max(), t)};
    }

    /** Levels available on the side of zero the data occupies (both signs: half the codes). */
    static int quantizedBins(ActivationHistogram h, int bits, boolean symmetric) {
        boolean oneSided = h.min() >= 0 || h.max() <= 0;
        return !symmetric && oneSided ? 1 << bits : 1 << (bits - 1);
    }

    /**
     * The TensorRT entropy method on the |x| histogram: for each candidate threshold bin i, the
     * reference distribution P is bins [0, i) with the outliers added to bin i-1, Q is bins
     * [0, i) (without the outliers) merged into {@code levels} bins and spread back over P's
     * nonzero bins; the threshold is the upper edge of the i with the least KL(P || Q).
     */
    static double entropyThreshold(ActivationHistogram h, int levels) {
        long[] hist = h.absCounts();
        int n = hist.length;
        int last = n;
        while (last > 1 && hist[last - 1] == 0) {
            last--;
        }
        double w = h.range() / n;
        if (last <= levels) {
            return last * w;
        }
        long[] tail = new long[n + 1];
        for (int i = n - 1; i >= 0; i--) {
            tail[i] = tail[i + 1] + hist[i];
        }
        double bestKl = Double.POSITIVE_INFINITY;
        int best = last;
        double[] p = new double[last];
        double[] q = new double[last];
        for (int i = levels; i <= last; i++) {
            for (int j = 0; j < i; j++) {
                p[j] = hist[j];
            }
            p[i - 1] += tail[i];
            int merged = i / levels;
            for (int b = 0; b < levels; b++) {
                int start = b * merged;
                int stop = b == levels - 1 ? i : start + merged;
                // Q quantizes the bins without the outliers; P carries them in its last bin.
                double sum = 0;
                int nonzero = 0;
                for (int j = start; j < stop; j++) {
                    sum += hist[j];
                    if (p[j] != 0) {
                        nonzero++;
                    }
                }
                for (int j = start; j < stop; j++) {
                    q[j] = p[j] != 0 && nonzero > 0 ? sum / nonzero : 0;
                }
            }
            double kl = kl(p, q, i);
            if (kl < bestKl) {
                bestKl = kl;
                best = i;
            }
        }
        return best * w;
    }

    private static double kl(double[] p, double[] q, int n) {
        double sp = 0;
        double sq = 0;
        for (int j = 0; j < n; j++) {
            sp += p[j];
            sq += q[j];
        }
        if (sp == 0 || sq == 0) {
            return Double.POSITIVE_INFINITY;
        }
        double kl = 0;
        for (int j = 0; j < n; j++) {
            if (p[j] > 0) {
                double pj = p[j] / sp;
                double qj = q[j] / sq;
                kl += qj > 0 ? pj * Math.log(pj / qj) : pj * Math.log(pj / 1e-12);
            }
        }
        return kl;
    }

    /**
     * The clip threshold t with the least expected squared error over the histogram: values
     * inside the quantized range cost scale^2 / 12 (uniform rounding error), values outside cost
     * their squared distance to the nearest representable end.
     */
    static double[] mse(ActivationHistogram h, int bits, boolean symmetric) {
        long[] c = h.counts();
        double w = h.binWidth();
        double maxAbs = Math.max(Math.abs(h.min()), Math.abs(h.max()));
        int qmax = symmetric ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
        double[] best = {h.min(), h.max()};
        double bestErr = Double.POSITIVE_INFINITY;
        for (int k = MSE_CANDIDATES; k >= 1; k--) {
            double t = maxAbs * k / MSE_CANDIDATES;
            double[] r = clip(h, t);
            double lo;
            double hi;
            double s;
            if (symmetric) {
                s = ScaleMath.symmetricScale(r[0], r[1], qmax);
                lo = -qmax * s;
                hi = qmax * s;
            } else {
                s = ScaleMath.asymmetricScale(r[0], r[1], qmax);
                int zp = ScaleMath.zeroPoint(r[0], (float) s, qmax);
                lo = -zp * s;
                hi = (qmax - zp) * s;
            }
            double inside = s * s / 12;
            double err = 0;
            for (int i = 0; i < c.length; i++) {
                if (c[i] == 0) {
                    continue;
                }
                double x = -h.range() + (i + 0.5) * w;
                double d = x < lo ? lo - x : x > hi ? x - hi : 0;
                err += c[i] * (d > 0 ? d * d : inside);
            }
            if (err < bestErr) {
                bestErr = err;
                best = r;
            }
        }
        return best;
    }
}
