package dev.whittle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.whittle.core.model.DataType;
import dev.whittle.core.onnx.GraphBuilder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchBaselineCommandTest {
    @TempDir
    Path dir;

    /** input [N, 64] through {@code layers} MatMuls with 64x64 weights. */
    static Path chain(Path file, int layers) {
        GraphBuilder b = new GraphBuilder("chain").opset(17).input("input", DataType.FLOAT, "N", 64L);
        String x = "input";
        for (int i = 0; i < layers; i++) {
            float[] w = new float[64 * 64];
            for (int k = 0; k < 64; k++) {
                w[k * 64 + k] = 1f;
            }
            b.initializer("w" + i, w, 64, 64);
            String y = i == layers - 1 ? "output" : "h" + i;
            b.node("MatMul", x, "w" + i).name("mm" + i).outputs(y);
            x = y;
        }
        b.output("output", DataType.FLOAT, "N", 64L);
        b.toModel().save(file);
        return file;
    }

    @Test
    void baselineComparisonPrintsBothMediansAndTheRatio() throws Exception {
        Path a = chain(dir.resolve("a.onnx"), 2);
        Path b = chain(dir.resolve("b.onnx"), 2);
        CliTestSupport.Result r = CliTestSupport.run("bench", a.toString(), "--baseline", b.toString(), "--batch", "1,4",
                "--runs", "5", "--rounds", "2", "--warmup", "1", "--provider", "cpu", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("a.onnx", j.get("model").asText());
        assertEquals("b.onnx", j.get("baseline").asText());
        assertEquals(2, j.get("rounds").asInt());
        assertEquals(2, j.get("results").size());
        JsonNode first = j.get("results").get(0);
        assertEquals(2, first.get("roundRatios").size());
        double ratio = first.get("ratio").asDouble();
        double r0 = first.get("roundRatios").get(0).asDouble();
        double r1 = first.get("roundRatios").get(1).asDouble();
        assertEquals((r0 + r1) / 2, ratio, 1e-12);
    }

    @Test
    void aClearlySlowerModelGetsOneSlowerLine() {
        Path slow = chain(dir.resolve("slow.onnx"), 300);
        Path fast = chain(dir.resolve("fast.onnx"), 1);
        CliTestSupport.Result r = CliTestSupport.run("bench", slow.toString(), "--baseline", fast.toString(), "--runs", "10",
                "--rounds", "3", "--provider", "cpu");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("3 alternating rounds of 10 runs"), r.out());
        long lines = r.out().lines().filter(l -> l.startsWith("slower: slow.onnx is slower than fast.onnx")).count();
        assertEquals(1, lines, r.out());
        CliTestSupport.Result back = CliTestSupport.run("bench", fast.toString(), "--baseline", slow.toString(), "--runs",
                "10", "--provider", "cpu");
        assertEquals(0, back.code(), back.err());
        assertFalse(back.out().contains("slower:"), back.out());
    }

    @Test
    void roundsWithoutABaselineIsAnError() {
        Path a = chain(dir.resolve("a.onnx"), 1);
        CliTestSupport.Result r = CliTestSupport.run("bench", a.toString(), "--rounds", "5");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--rounds is only used with --baseline"), r.err());
    }

    @Test
    void quantizeWithBenchTimesTheWrittenModelAgainstTheSource() throws Exception {
        Path a = chain(dir.resolve("a.onnx"), 3);
        Path q = dir.resolve("q.onnx");
        Path report = dir.resolve("q.json");
        CliTestSupport.Result r = CliTestSupport.run("quantize", a.toString(), "-o", q.toString(), "--bench",
                "--bench-batch", "1,2", "--report", report.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("q.onnx (") && r.out().contains("against a.onnx"), r.out());
        JsonNode bench = new ObjectMapper().readTree(report.toFile()).get("bench");
        assertEquals(2, bench.get("results").size());
        assertTrue(bench.get("results").get(1).get("ratio").asDouble() > 0);
        assertEquals(3, bench.get("rounds").asInt());
    }
}
