package dev.whittle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProfileCommandTest {
    private static final String CNN = "sample-models/fashion-cnn.onnx";

    @Test
    void jsonListsEveryLayerWithSharesThatFitInTheRun() throws Exception {
        CliTestSupport.Result r = CliTestSupport.run("profile", CNN, "--runs", "3", "--warmup", "1", "--batch", "2", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("fashion-cnn.onnx", j.get("model").asText());
        assertEquals(2, j.get("batch").asInt());
        assertEquals(3, j.get("runs").asInt());
        List<String> layers = new ArrayList<>();
        double sum = 0;
        for (JsonNode l : j.get("layers")) {
            layers.add(l.get("layer").asText());
            sum += l.get("ms").asDouble();
            assertEquals(l.get("ms").asDouble() / j.get("runMs").asDouble(), l.get("share").asDouble(), 1e-9);
        }
        assertEquals(List.of("conv1", "conv2", "fc1", "fc2", "fc3"), layers);
        assertEquals(sum, j.get("layersMs").asDouble(), 1e-9);
        assertTrue(sum > 0 && sum <= j.get("kernelMs").asDouble() && j.get("kernelMs").asDouble() <= j.get("runMs").asDouble());
        double ops = 0;
        for (JsonNode o : j.get("ops")) {
            ops += o.get("ms").asDouble();
        }
        assertEquals(j.get("kernelMs").asDouble(), ops, 1e-9);
        assertTrue(j.has("ortVersion"), r.out());
    }

    @Test
    void aRecipeIsProfiledBesideTheOriginalInText() {
        CliTestSupport.Result r = CliTestSupport.run("profile", CNN, "--runs", "2", "--warmup", "0",
                "--recipe", "sample-models/recipes/fashion-cnn-lowrank.yaml");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("(with the recipe)"), r.out());
        assertTrue(r.out().contains("original ms") && r.out().contains("recipe ms"), r.out());
        assertTrue(r.out().contains("By op type, with the recipe"), r.out());
    }

    @Test
    void badCountsAreRefusedWithOneSentence() {
        CliTestSupport.Result r = CliTestSupport.run("profile", CNN, "--runs", "0");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("profiled runs >= 1"), r.err());
        r = CliTestSupport.run("profile", "no-such.onnx");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("no-such.onnx"), r.err());
    }
}
