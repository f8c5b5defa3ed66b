package dev.whittle.ui;

/**
 * The textbook formulas the Explain panel and the grid overlay show, for a clip range
 * [lo, hi] and b bits: symmetric scale = max(|lo|, |hi|) / (2^(b-1) - 1) with levels k x scale;
 * asymmetric scale = (hi - lo) / (2^b - 1), zero point round(-lo / scale), levels
 * (q - zero point) x scale for q = 0 .. 2^b - 1. Display only: the quantizer itself lives in
 * core.quant, and the figures shown (SQNR, clipped fraction) come from the core's previews.
 */
final class QuantMath {
    private QuantMath() {
    }

    static double scale(double lo, double hi, int bits, boolean symmetric) {
        return symmetric ? Math.max(Math.abs(lo), Math.abs(hi)) / ((1 << (bits - 1)) - 1)
                : (hi - lo) / ((1 << bits) - 1);
    }

    static long zeroPoint(double lo, double hi, int bits) {
        double s = scale(lo, hi, bits, false);
        return s > 0 ? Math.round(-lo / s) : 0;
    }

    /** The representable values in ascending order. */
    static double[] levels(double lo, double hi, int bits, boolean symmetric) {
        double s = scale(lo, hi, bits, symmetric);
        if (!(s > 0) || !Double.isFinite(s)) {
            return new double[0];
        }
        if (symmetric) {
            int q = (1 << (bits - 1)) - 1;
            double[] out = new double[2 * q + 1];
            for (int k = -q; k <= q; k++) {
                out[k + q] = k * s;
            }
            return out;
        }
        long zp = zeroPoint(lo, hi, bits);
        double[] out = new double[1 << bits];
        for (int q = 0; q < out.length; q++) {
            out[q] = (q - zp) * s;
        }
        return out;
    }
}
