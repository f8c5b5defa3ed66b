package dev.whittle.core.tensor;

import java.util.Map;

/**
 * Statistics of one weight tensor. NaN and infinite values are counted and excluded from every
 * other figure (min, max, mean, std, histograms, percentiles), so one bad value does not hide
 * the shape of the rest.
 *
 * @param count          all elements, NaN and Inf included
 * @param finite         elements that are neither NaN nor infinite
 * @param zeros          elements exactly 0 (either sign)
 * @param absMinNonzero  smallest nonzero |w|, as a lower bound within 0.1% (exact when the
 *                       tensor holds NaN or infinity); 0 when every finite value is zero
 * @param absMax         largest finite |w|
 * @param absPercentiles percent (e.g. 99.9) to the |w| at that percentile of the finite values,
 *                       accurate to about 0.1% of the value (see {@link WeightStatistics})
 * @param histogram      linear histogram of w over [min, max]
 * @param logHistogram   histogram of log10|w| over the nonzero finite values, zeros apart
 */
public record WeightStats(String tensor, long count, long finite, double min, double max,
                          double mean, double std, long zeros, long nans, long infs,
                          double absMinNonzero, double absMax, Map<Double, Double> absPercentiles,
                          Histogram histogram, Histogram logHistogram) {
    /** Share of all elements that are exactly zero. */
    public double zeroFraction() {
        return count == 0 ? 0 : (double) zeros / count;
    }

    /** The |w| percentiles computed for every tensor. */
    public static final double[] PERCENTS = {1, 5, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99};
}
