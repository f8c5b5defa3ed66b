package dev.whittle.core.eval;

/**
 * Running comparison of a model's outputs with a baseline's on the same samples. Sums are in
 * double. SQNR (dB) = 10 log10(sum ref^2 / sum (ref - x)^2) over every output element; it is
 * +Infinity when the outputs are identical.
 */
final class Fidelity {
    private long samples;
    private long agree;
    private boolean classification = true;
    private double cosineSum;
    private double minCosine = Double.POSITIVE_INFINITY;
    private double signal;
    private double noise;
    private double maxAbs;

    /** Adds one batch: raw outputs of the baseline and the model, and their per-sample vectors. */
    void add(float[] ref, float[] x, long[] shape, float[][] refVec, float[][] xVec, boolean argmaxComparable) {
        if (ref.length != x.length) {
            throw new dev.whittle.core.BadInputException("The model's output has " + x.length + " values per batch but the"
                    + " baseline's has " + ref.length + "; they cannot be compared.");
        }
        for (int i = 0; i < ref.length; i++) {
            double d = (double) ref[i] - x[i];
            signal += (double) ref[i] * ref[i];
            noise += d * d;
            double a = Math.abs(d);
            if (a > maxAbs || Double.isNaN(a)) {
                maxAbs = a;
            }
        }
        classification &= argmaxComparable;
        for (int s = 0; s < refVec.length; s++) {
            double c = cosine(refVec[s], xVec[s]);
            cosineSum += c;
            minCosine = Math.min(minCosine, c);
            if (argmaxComparable && Metrics.argmax(refVec[s], 0, refVec[s].length) == Metrics.argmax(xVec[s], 0, xVec[s].length)) {
                agree++;
            }
        }
        samples += refVec.length;
    }

    /** Cosine similarity; 1 when both vectors are zero, 0 when only one is. */
    static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        if (na == 0 && nb == 0) {
            return 1;
        }
        if (na == 0 || nb == 0) {
            return 0;
        }
        return dot / (Math.sqrt(na) * Math.sqrt(nb));
    }

    Double agreement() {
        return samples == 0 || !classification ? null : (double) agree / samples;
    }

    Double meanCosine() {
        return samples == 0 ? null : cosineSum / samples;
    }

    Double minCosine() {
        return samples == 0 ? null : minCosine;
    }

    Double sqnrDb() {
        if (samples == 0) {
            return null;
        }
        return noise == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(signal / noise);
    }

    Double maxAbsDiff() {
        return samples == 0 ? null : maxAbs;
    }
}
