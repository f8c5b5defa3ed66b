package dev.whittle.ui;

import dev.whittle.core.WhittleException;
import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * What an error dialog shows: a title, one sentence for the user, and the stack trace as
 * expandable details. Whittle's own exceptions already carry a user-facing sentence; anything
 * else is an internal error and says so.
 */
public record ErrorReport(String title, String message, String details) {
    public static ErrorReport of(String title, Throwable e) {
        String message;
        if (e instanceof WhittleException && e.getMessage() != null) {
            message = e.getMessage();
        } else if (e instanceof OutOfMemoryError) {
            message = "Whittle ran out of memory; start it with a larger heap (-Xmx) to open this model.";
        } else {
            message = "Internal error (" + e.getClass().getSimpleName() + "): "
                    + (e.getMessage() == null ? "no message" : e.getMessage())
                    + ". Please report it with the details below.";
        }
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        return new ErrorReport(title, message, trace.toString());
    }
}
