package dev.whittle.core.quant;

/**
 * Scale and zero point from a clipping range, as docs/recipes.md fixes them. Scales are
 * computed in double and stored as float; the zero point is computed from the stored scale.
 */
final class ScaleMath {
    private ScaleMath() {
    }

    /** Symmetric: scale = max(|lo|, |hi|) / qmax; an all-zero range gets scale 1. */
    static float symmetricScale(double lo, double hi, int qmax) {
        double c = Math.max(Math.abs(lo), Math.abs(hi));
        return guard((float) (c / qmax));
    }

    /** Asymmetric: the range widened to contain 0, scale = (hi - lo) / qmax. */
    static float asymmetricScale(double lo, double hi, int qmax) {
        double l = Math.min(lo, 0);
        double h = Math.max(hi, 0);
        return guard((float) ((h - l) / qmax));
    }

    /** Asymmetric zero point: round(-lo / scale) clamped to [0, qmax]. */
    static int zeroPoint(double lo, float scale, int qmax) {
        double l = Math.min(lo, 0);
        double z = Math.rint(-l / scale);
        return (int) Math.max(0, Math.min(qmax, z));
    }

    private static float guard(float s) {
        return s > 0 && s <= Float.MAX_VALUE ? s : 1f;
    }

    /** Quantizes one value: clamp(rint(v / s) + zp, qmin, qmax) (NaN goes to the zero point). */
    static int code(float v, float s, int zp, int qmin, int qmax) {
        double q = Math.rint(v / s) + zp;
        if (q < qmin) {
            return qmin;
        }
        if (q > qmax) {
            return qmax;
        }
        return q == q ? (int) q : zp;
    }
}
