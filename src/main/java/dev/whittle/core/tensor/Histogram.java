package dev.whittle.core.tensor;

/**
 * Counts of values in equal-width bins. For a linear histogram the bins split [lo, hi] of the
 * values; for a log histogram they split [lo, hi] of log10(|w|) over the nonzero values, and
 * {@link #zeros()} counts the exact zeros kept out of the bins.
 *
 * @param lo     lower edge of bin 0 (a value, or a log10 of a magnitude)
 * @param hi     upper edge of the last bin
 * @param counts counts per bin; the array is owned by the record, do not modify
 * @param log    whether edges are log10(|w|)
 * @param zeros  exact zeros (log histograms only; 0 for linear ones)
 */
public record Histogram(double lo, double hi, long[] counts, boolean log, long zeros) {
    public int bins() {
        return counts.length;
    }

    public double binWidth() {
        return (hi - lo) / counts.length;
    }

    /** Lower edge of bin i, in value units (10^edge for a log histogram). */
    public double lowerEdge(int i) {
        double e = lo + i * binWidth();
        return log ? Math.pow(10, e) : e;
    }

    public double upperEdge(int i) {
        return lowerEdge(i + 1);
    }

    public long total() {
        long n = zeros;
        for (long c : counts) {
            n += c;
        }
        return n;
    }

    public long maxCount() {
        long m = 0;
        for (long c : counts) {
            m = Math.max(m, c);
        }
        return m;
    }
}
