package dev.whittle.core.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.function.Executable;

/** Assertions shared by the bad-input tests: exception type, problem, and a one-sentence message naming the file. */
final class Rejections {
    private Rejections() {
    }

    static InvalidModelException rejects(Path file, ModelProblem problem) {
        return rejects(InvalidModelException.class, file, problem);
    }

    static <T extends InvalidModelException> T rejects(Class<T> type, Path file, ModelProblem problem) {
        return rejects(type, () -> OnnxReader.read(file), String.valueOf(file.getFileName()), problem);
    }

    static <T extends InvalidModelException> T rejects(Class<T> type, Executable action, String fileName, ModelProblem problem) {
        T e = assertThrows(type, action);
        assertEquals(type, e.getClass(), "exception type; message: " + e.getMessage());
        assertEquals(problem, e.problem(), "problem; message: " + e.getMessage());
        assertOneSentenceNaming(e.getMessage(), fileName);
        return e;
    }

    /** One sentence: no line break, ends with a period, no ". X" sentence break inside; names the file. */
    static void assertOneSentenceNaming(String message, String fileName) {
        assertTrue(message.contains(fileName), "message does not name " + fileName + ": " + message);
        assertFalse(message.contains("\n"), "message spans lines: " + message);
        assertTrue(message.endsWith("."), "message is not a sentence: " + message);
        String body = message.substring(0, message.length() - 1);
        assertFalse(body.matches("(?s).*[.!?] [A-Z].*"), "message has more than one sentence: " + message);
    }
}
