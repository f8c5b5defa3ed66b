package dev.whittle.core.eval;

import dev.whittle.core.BadInputException;

/**
 * Per-chunk metrics of a streaming evaluation. A recording's output track is its chunks'
 * outputs one after another; against a baseline run the same way: the cosine of the two tracks
 * per recording (mean and min over recordings), SQNR over every output value (dB, +Infinity when
 * equal), the largest difference, and decision agreement: the share of output values on the
 * same side of the threshold ({@code value > threshold}). Against labels (one per chunk, 0 or 1)
 * the accuracy of the decisions, for outputs of one value per chunk. Sums in double.
 */
final class StreamMetrics {
    private final double threshold;
    private final long length;
    private double dot;
    private double refNorm;
    private double norm;
    private long tracks;
    private double cosineSum;
    private double minCosine = Double.POSITIVE_INFINITY;
    private double signal;
    private double noise;
    private double maxAbs;
    private long values;
    private long agree;
    private long labelled;
    private long correct;

    /** @param length chunks per recording (its track) */
    StreamMetrics(double threshold, long length) {
        this.threshold = threshold;
        this.length = length;
    }

    /** Chunk {@code chunk}'s outputs: the baseline's (or null) and the model's. */
    void add(long chunk, float[] ref, float[] x) {
        if (ref == null) {
            return;
        }
        if (ref.length != x.length) {
            throw new BadInputException("The model's output has " + x.length + " values per chunk but the baseline's has "
                    + ref.length + "; they cannot be compared.");
        }
        if (chunk % length == 0 && chunk > 0) {
            endTrack();
        }
        for (int i = 0; i < x.length; i++) {
            double r = ref[i];
            double v = x[i];
            dot += r * v;
            refNorm += r * r;
            norm += v * v;
            double d = r - v;
            signal += r * r;
            noise += d * d;
            double a = Math.abs(d);
            if (a > maxAbs || Double.isNaN(a)) {
                maxAbs = a;
            }
            if ((r > threshold) == (v > threshold)) {
                agree++;
            }
            values++;
        }
    }

    /** Chunk {@code chunk}'s label against the model's decision on its only output value. */
    void label(long chunk, long label, float[] x) {
        if (x.length != 1) {
            throw new BadInputException("Labels of a stream are one decision (0 or 1) per chunk, but the output has " + x.length
                    + " values per chunk.");
        }
        if (label != 0 && label != 1) {
            throw new BadInputException("Label " + label + " of chunk " + chunk + " is not a decision (0 or 1).");
        }
        labelled++;
        if ((x[0] > threshold) == (label == 1)) {
            correct++;
        }
    }

    private void endTrack() {
        double c = refNorm == 0 && norm == 0 ? 1 : refNorm == 0 || norm == 0 ? 0 : dot / (Math.sqrt(refNorm) * Math.sqrt(norm));
        cosineSum += c;
        minCosine = Math.min(minCosine, c);
        tracks++;
        dot = 0;
        refNorm = 0;
        norm = 0;
    }

    /** Closes the last recording's track; call once, after the last chunk. */
    void finish() {
        if (values > 0) {
            endTrack();
        }
    }

    long tracks() {
        return tracks;
    }

    Double meanCosine() {
        return tracks == 0 ? null : cosineSum / tracks;
    }

    Double minCosine() {
        return tracks == 0 ? null : minCosine;
    }

    Double sqnrDb() {
        return values == 0 ? null : noise == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(signal / noise);
    }

    Double maxAbsDiff() {
        return values == 0 ? null : maxAbs;
    }

    Double agreement() {
        return values == 0 ? null : (double) agree / values;
    }

    Long correct() {
        return labelled == 0 ? null : correct;
    }

    Double accuracy() {
        return labelled == 0 ? null : (double) correct / labelled;
    }
}
