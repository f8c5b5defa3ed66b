package dev.whittle.core.job;

import dev.whittle.core.WhittleException;

/** Thrown by a {@link Job} that stopped because its {@link CancelToken} was cancelled. */
public final class CancelledException extends WhittleException {
    public CancelledException() {
        super("The job was cancelled.", null);
    }
}
