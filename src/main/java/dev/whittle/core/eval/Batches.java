package dev.whittle.core.eval;

import ai.onnxruntime.OrtException;
import dev.whittle.core.BadInputException;
import dev.whittle.core.job.CancelToken;
import dev.whittle.core.job.CancelledException;
import dev.whittle.core.job.ProgressSink;
import java.util.Map;

/** The batch loop every evaluation shares: slice, run, hand the output over, report, check the token. */
final class Batches {
    private Batches() {
    }

    @FunctionalInterface
    interface Handler {
        /** One batch's output for samples [from, to); {@code nanos} is the run's wall time. */
        void accept(long from, long to, EvalSession.Output out, long nanos);
    }

    static void run(EvalSession s, Dataset d, int batch, String output, Terminator t, CancelToken cancel,
                    ProgressSink progress, String stage, Handler h) {
        long n = d.samples();
        progress.update(0, n, stage);
        for (long from = 0; from < n; from += batch) {
            cancel.throwIfCancelled();
            long to = Math.min(n, from + batch);
            Map<String, HostTensor> in = d.batch(from, to);
            long t0 = System.nanoTime();
            EvalSession.Output out;
            try {
                out = s.run(in, output, t);
            } catch (OrtException e) {
                if (cancel.isCancelled()) {
                    throw new CancelledException();
                }
                throw new BadInputException("ONNX Runtime failed on samples " + from + ".." + (to - 1) + " (" + stage + "): "
                        + EvalSession.firstLine(e.getMessage()), e);
            }
            long nanos = System.nanoTime() - t0;
            h.accept(from, to, out, nanos);
            progress.update(to, n, stage);
        }
        cancel.throwIfCancelled();
    }
}
