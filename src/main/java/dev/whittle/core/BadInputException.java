package dev.whittle.core;

/** The user's input (a file, an argument, a spec) is wrong; the message says where and how. */
public class BadInputException extends WhittleException {
    public BadInputException(String message) {
        super(message, null);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
