package dev.whittle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.testing.TinyModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchOpenCommandTest {
    @TempDir
    Path dir;

    private int run(StringWriter out, StringWriter err, String... args) {
        return WhittleCli.run(args, new PrintWriter(out), new PrintWriter(err));
    }

    @Test
    void benchOpenReportsTheMedianOpenTime() {
        Path model = TinyModels.write(TinyModels.matmul(8, 4), dir.resolve("tiny.onnx"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(0, run(out, err, "bench-open", model.toString(), "--runs", "3"));
        assertTrue(out.toString().matches("(?s)tiny\\.onnx .*1 weight layers\\): open median [0-9.]+ ms over 3 runs.*"), out.toString());
    }

    @Test
    void benchOpenOfABadFileExitsWith2AndOneSentence() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.onnx"), "not a model");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(2, run(out, err, "bench-open", bad.toString()));
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertTrue(err.toString().contains("bad.onnx"), err.toString());
    }

    @Test
    void benchOpenIsListedInHelpLikeTheOtherBenchmarks() {
        StringWriter out = new StringWriter();
        run(out, new StringWriter(), "--help");
        assertTrue(out.toString().contains("bench-open"), out.toString());
    }
}
