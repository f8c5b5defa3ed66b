package dev.whittle.core.eval;

import java.util.Arrays;

/**
 * Latency of timed runs at one batch size, in milliseconds per run (one run = one batch).
 * Percentiles interpolate linearly between ranks.
 *
 * @param batch      samples per run
 * @param runs       timed runs (warm-up runs excluded)
 * @param throughput samples per second: batch * runs / total timed seconds
 */
public record LatencyStats(int batch, int runs, double p50, double p90, double p99, double mean, double min,
                           double throughput) {

    /** Stats of run durations in nanoseconds, all of {@code batch} samples. */
    public static LatencyStats of(int batch, long[] nanos) {
        if (nanos.length == 0) {
            return null;
        }
        // Plain loops: this runs once per evaluation, where stream setup would be visible on tiny models.
        double[] ms = new double[nanos.length];
        double total = 0;
        for (int i = 0; i < nanos.length; i++) {
            ms[i] = nanos[i] / 1e6;
            total += ms[i];
        }
        Arrays.sort(ms);
        return new LatencyStats(batch, ms.length, Metrics.percentile(ms, 50), Metrics.percentile(ms, 90),
                Metrics.percentile(ms, 99), total / ms.length, ms[0], total == 0 ? 0 : batch * ms.length / (total / 1000));
    }
}
