package dev.whittle.core.eval;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.whittle.core.InternalException;
import dev.whittle.core.job.CancelToken;

/**
 * The RunOptions of one job, wired to its cancel token: cancelling sets ONNX Runtime's
 * terminate flag so a long run stops inside the runtime, not only at the next batch. Closing is
 * synchronized with the cancel callback so the flag is never set on freed native options.
 */
final class Terminator implements AutoCloseable {
    private final OrtSession.RunOptions options;
    private final CancelToken.Registration registration;
    private boolean closed;

    Terminator(CancelToken token) {
        try {
            options = new OrtSession.RunOptions();
        } catch (OrtException e) {
            throw new InternalException("ONNX Runtime run options failed: " + e.getMessage(), e);
        }
        registration = token.onCancel(this::terminate);
    }

    OrtSession.RunOptions options() {
        return options;
    }

    private synchronized void terminate() {
        if (closed) {
            return;
        }
        try {
            options.setTerminate(true);
        } catch (OrtException e) {
            // The token is cancelled anyway; the job stops at its next check.
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        registration.close();
        options.close();
    }
}
