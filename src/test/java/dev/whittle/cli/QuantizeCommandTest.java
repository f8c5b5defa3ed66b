package dev.whittle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuantizeCommandTest {
    static final String MLP = "sample-models/fashion-mlp.onnx";
    static final String CNN = "sample-models/fashion-cnn.onnx";
    static final String CALIB = "sample-models/fashion-calib-x.npy";
    final ObjectMapper mapper = new ObjectMapper();

    @Test
    void int8PerChannelShrinksTheFileAndReportsEveryLayer(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("mlp-int8.onnx");
        Path report = dir.resolve("r.json");
        var r = CliTestSupport.run("quantize", MLP, "-o", out.toString(), "--report", report.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.size(out) * 3.5 < Files.size(Path.of(MLP)), "about 4x smaller");
        assertTrue(r.out().contains("3 layers quantized"), r.out());
        JsonNode j = mapper.readTree(report.toFile());
        assertEquals(3, j.get("layers").size());
        JsonNode fc1 = j.get("layers").get(0);
        for (String key : new String[] {"bits", "granularity", "scaleMin", "scaleMax", "clipped", "sqnrDb", "bytesAfter",
                "zeroPointMin", "clipLo", "clipHi", "scales", "zeroPoints"}) {
            assertTrue(fc1.has(key), "layer is missing " + key);
        }
        assertEquals(8, fc1.get("bits").asInt());
        assertEquals("channel", fc1.get("granularity").asText());
        assertEquals(256, fc1.get("scales").size());
        assertEquals(784 * 256 + 256 * 4 + 256, fc1.get("bytesAfter").asLong());
        assertTrue(fc1.get("sqnrDb").asDouble() > 35);
        assertEquals("1", j.get("ortConfig").get("session.qdq_matmulnbits_accuracy_level").asText());
    }

    @Test
    void staticQuantizationCalibratesEveryInputActivation(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("cnn-w8a8.onnx");
        Path report = dir.resolve("r.json");
        var r = CliTestSupport.run("quantize", CNN, "-o", out.toString(), "--activations", "percentile:99.9", "--calib", CALIB,
                "--calib-samples", "64", "--act-override", "relu4_out=exclude", "--report", report.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode acts = mapper.readTree(report.toFile()).get("activations");
        assertEquals(4, acts.size(), "five layers, one input excluded");
        for (JsonNode a : acts) {
            assertEquals("percentile:99.9", a.get("calibration").asText());
            assertEquals(4, a.get("ranges").size());
            assertEquals(64 * (a.get("values").asLong() / 64), a.get("values").asLong());
        }
        assertTrue(r.err().contains("relu4_out"), r.err());
    }

    @Test
    void matMulNBitsDefaultsToFourBitBlocks(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("mlp-nbits.onnx");
        var r = CliTestSupport.run("quantize", MLP, "-o", out.toString(), "--format", "matmulnbits", "--block", "16");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("matmulnbits  4 sym  block 16"), r.out());
        var inspect = CliTestSupport.run("inspect", out.toString(), "--json");
        assertEquals(3, mapper.readTree(inspect.out()).get("opCounts").get("com.microsoft::MatMulNBits").asInt());
    }

    @Test
    void anAlreadyQuantizedModelIsLeftAloneAndNothingIsWritten(@TempDir Path dir) {
        Path once = dir.resolve("once.onnx");
        assertEquals(0, CliTestSupport.run("quantize", MLP, "-o", once.toString()).code());
        Path twice = dir.resolve("twice.onnx");
        var r = CliTestSupport.run("quantize", once.toString(), "-o", twice.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("already quantized (3 DequantizeLinear)"), r.err());
        assertFalse(Files.exists(twice));
    }

    @Test
    void badSettingsExitWithTwoAndOneSentence(@TempDir Path dir) {
        String out = dir.resolve("x.onnx").toString();
        assertBad("weights.bits must be 8 or 4, got 3", "quantize", MLP, "-o", out, "--bits", "3");
        assertBad("--activations needs calibration data", "quantize", MLP, "-o", out, "--activations", "entropy");
        assertBad("format dynamic needs weights.bits 8", "quantize", MLP, "-o", out, "--format", "dynamic", "--bits", "4");
        assertBad("--block is only used with --granularity block", "quantize", MLP, "-o", out, "--block", "32");
        assertBad("is an input of this command", "quantize", MLP, "-o", MLP);
        assertBad("range [lo, hi] needs finite lo < hi", "quantize", MLP, "-o", out, "--range", "0.5,-0.5");
    }

    private static void assertBad(String part, String... args) {
        var r = CliTestSupport.run(args);
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains(part), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }
}
