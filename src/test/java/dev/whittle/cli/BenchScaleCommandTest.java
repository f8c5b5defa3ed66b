package dev.whittle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class BenchScaleCommandTest {
    private static int run(StringWriter out, StringWriter err, String... args) {
        return WhittleCli.run(args, new PrintWriter(out), new PrintWriter(err));
    }

    private static Set<Path> benchFolders() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("whittle-bench-scale")).collect(Collectors.toSet());
        }
    }

    @Test
    void aGeneratedStackIsOpenedMeasuredQuantizedAndPrunedAndNothingIsLeftBehind() throws IOException {
        Set<Path> before = benchFolders();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(0, run(out, err, "bench-scale", "--layers", "3", "--dim", "64", "--dtype", "float16"), err.toString());
        String text = out.toString();
        assertTrue(text.contains("generated 3 MatMul layers of 64 x 64 float16"), text);
        assertTrue(text.matches("(?s).*\\nopen +[0-9.]+s +[0-9.]+ [KMG]?i?B +12,288 parameters in 3 weight layers.*"), text);
        assertTrue(text.matches("(?s).*\\nstats +[0-9.]+s .*every layer.*"), text);
        assertTrue(text.matches("(?s).*\\nint4 +[0-9.]+s .*written, .*"), text);
        assertTrue(text.matches("(?s).*\\nprune +[0-9.]+s .*written, .*"), text);
        assertEquals(before, benchFolders(), "the generated model and the outputs are removed");
    }

    @Test
    void anUnknownTypeIsOneSentence() {
        StringWriter err = new StringWriter();
        assertEquals(2, run(new StringWriter(), err, "bench-scale", "--dtype", "float8"));
        assertTrue(err.toString().startsWith("--dtype must be float32 or float16, not 'float8'."), err.toString());
    }
}
