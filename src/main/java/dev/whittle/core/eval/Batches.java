package dev.whittle.core.eval;

import ai.onnxruntime.OrtException;
import dev.whittle.core.BadInputException;
import dev.whittle.core.job.CancelToken;
import dev.whittle.core.job.CancelledException;
import dev.whittle.core.job.ProgressSink;

/** The batch loop every evaluation shares: slice, run, hand the output over, report, check the token. */
final class Batches {
    private Batches() {
    }

    @FunctionalInterface
    interface Handler {
        /**
         * One batch's output for samples [from, to); {@code nanos} is the run's wall time. The
         * output's arrays may be reused by the next batch: copy what you keep.
         */
        void accept(long from, long to, EvalSession.Output out, long nanos);
    }

    static void run(EvalSession s, Dataset d, int batch, String output, Terminator t, CancelToken cancel,
                    ProgressSink progress, String stage, Handler h) {
        long n = d.samples();
        progress.update(0, n, stage);
        try (BatchFeeds feeds = new BatchFeeds(d, batch); OutputPins pins = new OutputPins(batch, output, t, cancel)) {
            for (long from = 0; from < n; from += batch) {
                long to = Math.min(n, from + batch);
                one(s, feeds, pins, from, to, cancel, stage, h);
                progress.update(to, n, stage);
            }
        }
        cancel.throwIfCancelled();
    }

    // One batch, in its own method: a loop method is called once per evaluation, so the JIT
    // compiles it fully only late, while a method called per batch is compiled early.
    private static void one(EvalSession s, BatchFeeds feeds, OutputPins pins, long from, long to, CancelToken cancel,
                            String stage, Handler h) {
        cancel.throwIfCancelled();
        EvalSession.Output out;
        long t0 = System.nanoTime();
        try {
            out = pins.run(s, feeds.tensors(from, to), (int) (to - from));
        } catch (OrtException e) {
            if (cancel.isCancelled()) {
                throw new CancelledException();
            }
            throw new BadInputException("ONNX Runtime failed on samples " + from + ".." + (to - 1) + " (" + stage + "): "
                    + EvalSession.firstLine(e.getMessage()), e);
        } finally {
            feeds.release();
        }
        h.accept(from, to, out, System.nanoTime() - t0);
    }
}
