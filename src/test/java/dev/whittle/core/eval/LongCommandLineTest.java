package dev.whittle.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * ONNX Runtime 1.29's environment start-up recurses once per character of the command line: a
 * JVM started with a long -cp crashed (SIGSEGV, exit 139, no hs_err) on its 1 MB thread stacks
 * unless -Xss4m was given. A child JVM with an 8,000-character -cp and default stacks must now
 * create the environment and exit normally.
 */
class LongCommandLineTest {
    /** The child: creates the environment on its main thread's default stack. */
    public static final class Child {
        public static void main(String[] args) {
            System.out.println("ort " + EvalSession.ortVersion());
        }
    }

    @Test
    void aLongClassPathNoLongerCrashesTheEnvironmentsStartUp() throws Exception {
        StringBuilder cp = new StringBuilder(System.getProperty("java.class.path"));
        for (int i = 0; cp.length() < 8_000; i++) {
            cp.append(File.pathSeparator).append("/nonexistent/padding-to-make-the-command-line-long-").append(i);
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(List.of(java.toString(), "-cp", cp.toString(), Child.class.getName()))
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child JVM finishes");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "exit status (139 = the SIGSEGV); output: " + out);
        assertTrue(out.contains("ort " + EvalSession.ortVersion()), out);
    }
}
