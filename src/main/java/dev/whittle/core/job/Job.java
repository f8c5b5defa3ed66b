package dev.whittle.core.job;

/**
 * A unit of background work: evaluation, a benchmark, a sensitivity sweep. It reports progress
 * to the sink, checks the token at least once per batch, and throws {@link CancelledException}
 * when cancelled. It must release what it opened (sessions, native tensors) on every exit path.
 * Run it directly ({@code job.run(sink, token)}) or through {@link Jobs#start}.
 *
 * @param <T> the result, an immutable record
 */
@FunctionalInterface
public interface Job<T> {
    T run(ProgressSink progress, CancelToken cancel);
}
