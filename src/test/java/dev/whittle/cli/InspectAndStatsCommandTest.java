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

class InspectAndStatsCommandTest {
    static final Path MINILM = Path.of("sample-models/minilm/all-minilm-l6-v2.onnx");
    final ObjectMapper mapper = new ObjectMapper();

    @Test
    void inspectJsonHasTheDocumentedKeys() throws Exception {
        var r = CliTestSupport.run("inspect", MINILM.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = mapper.readTree(r.out());
        for (String key : new String[] {"params", "weightLayers", "opsets", "inputs", "outputs"}) {
            assertTrue(j.has(key), "missing key " + key);
        }
        assertEquals(22_713_926, j.get("params").asLong());
        assertEquals(14, j.get("opsets").get("").asInt());
        assertEquals(40, j.get("weightLayers").size(), "36 MatMul, the pooler's Gemm and 3 Gather embedding tables");
        JsonNode words = j.get("weightLayers").get(0);
        assertEquals("Gather", words.get("op").asText());
        assertEquals("embeddings.word_embeddings.weight", words.get("weight").asText());
        assertEquals("[30522,384]", words.get("shape").toString());
        assertEquals(0, words.get("axis").asInt(), "each gathered row is a channel");
        JsonNode first = j.get("weightLayers").get(3);
        for (String key : new String[] {"node", "op", "weight", "shape", "params", "dtype", "storage", "axis", "quantized"}) {
            assertTrue(first.has(key), "layer is missing " + key);
        }
        assertEquals("MatMul", first.get("op").asText());
        assertEquals("[384,384]", first.get("shape").toString());
        assertEquals(1, first.get("axis").asInt());
        assertEquals("float32", first.get("dtype").asText());
        assertEquals("initializer", first.get("storage").asText());
        assertFalse(first.get("quantized").asBoolean());
        assertEquals("input_ids", j.get("inputs").get(0).get("name").asText());
    }

    @Test
    void inspectTextShowsTheLayerTable() {
        var r = CliTestSupport.run("inspect", MINILM.toString());
        assertEquals(0, r.code());
        assertTrue(r.out().contains("22,713,926 parameters"));
        assertTrue(r.out().contains("/encoder/layer.0/attention/self/query/MatMul"));
    }

    @Test
    void statsOfOneLayerAsJsonAgreeWithTheTensor() throws Exception {
        var r = CliTestSupport.run("stats", MINILM.toString(), "--layer", "/encoder/layer.0/intermediate/dense/MatMul",
                "--bins", "20", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode layer = mapper.readTree(r.out()).get("layers").get(0);
        assertEquals(589_824, layer.get("count").asLong());
        assertEquals(20, layer.get("histogram").get("counts").size());
        long total = 0;
        for (JsonNode c : layer.get("histogram").get("counts")) {
            total += c.asLong();
        }
        assertEquals(589_824, total);
        assertTrue(layer.get("absPercentiles").has("p99.9"));
        assertTrue(layer.get("std").asDouble() > 0);
    }

    @Test
    void unknownLayerIsABadInputWithExitCodeTwo() {
        var r = CliTestSupport.run("stats", MINILM.toString(), "--layer", "nope");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("whittle: No weight layer named 'nope'"), r.err());
        assertFalse(r.err().contains("at dev."), "no stack trace without --debug");
    }

    @Test
    void badFileGivesOneSentenceAndExitCodeTwo(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("broken.onnx");
        Files.write(bad, new byte[] {0x08, (byte) 0x96});
        var r = CliTestSupport.run("inspect", bad.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("broken.onnx"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        var debug = CliTestSupport.run("inspect", bad.toString(), "--debug");
        assertTrue(debug.err().contains("at dev.whittle"), "--debug shows the stack trace");
    }

    @Test
    void badArgumentsExitWithTwo() {
        assertEquals(2, CliTestSupport.run("inspect").code());
        assertEquals(2, CliTestSupport.run("stats", MINILM.toString(), "--bins", "0").code());
    }
}
