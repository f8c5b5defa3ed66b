package dev.whittle.core.job;

/**
 * Receives a job's progress. Called on the job's thread, so an implementation that updates a
 * UI must hand the values over to its own thread. Calls may be frequent (once per batch):
 * implementations throttle what they display.
 */
@FunctionalInterface
public interface ProgressSink {
    /** A sink that ignores everything. */
    ProgressSink NONE = (done, total, stage) -> { };

    /**
     * @param done  units of work done so far (samples, runs, table cells), 0 &lt;= done &lt;= total
     * @param total units of work in this stage, or -1 when unknown
     * @param stage what is being done, for display ("baseline", "model", "latency", ...)
     */
    void update(long done, long total, String stage);
}
