package dev.whittle.core;

/**
 * Root of Whittle's typed errors. Every message is one sentence a user can act on; the CLI
 * prints it as-is and the UI shows it in a dialog, with the cause as expandable details.
 */
public abstract class WhittleException extends RuntimeException {
    protected WhittleException(String message, Throwable cause) {
        super(message, cause);
    }
}
