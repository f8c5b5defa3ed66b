package dev.whittle.core;

/** A bug or an environment failure (I/O, native library) rather than bad input. */
public class InternalException extends WhittleException {
    public InternalException(String message, Throwable cause) {
        super(message, cause);
    }
}
