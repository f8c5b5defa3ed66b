package dev.whittle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchPreviewCommandTest {
    @Test
    void jsonHoldsTheThreeSlidersWithInstantAndExactTimes() throws Exception {
        CliTestSupport.Result r = CliTestSupport.run("bench-preview", "sample-models/fashion-mlp.onnx", "--json",
                "--events", "50", "--exact-runs", "1");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("fc1", j.get("layer").asText(), "the largest layer by default");
        for (String k : List.of("prune", "quantize", "rank")) {
            for (String f : List.of("instantP50Ms", "instantP99Ms", "exactMs")) {
                assertTrue(j.get(k).get(f).asDouble() >= 0, k + "." + f);
            }
            assertTrue(j.get(k).get("instantP50Ms").asDouble() <= j.get(k).get("instantP99Ms").asDouble());
        }
    }

    @Test
    void anUnknownLayerIsOneSentence() {
        CliTestSupport.Result r = CliTestSupport.run("bench-preview", "sample-models/fashion-mlp.onnx", "--layer", "nope");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("no weight layer 'nope'"), r.err());
    }
}
