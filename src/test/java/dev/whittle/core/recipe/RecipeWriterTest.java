package dev.whittle.core.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecipeWriterTest {
    static final String RECIPE = """
            whittle: 1
            model: {file: "my model.onnx", sha256: abc123}
            calibration: {data: calib/x.npy, samples: 64}
            steps:
              - select: {ops: [Conv, Gemm], names: ["classifier\\\\..*", "123"], exclude: ["fc: 3"]}
                prune: {sparsity: 0.5, scope: global, maxSparsity: 0.9}
              - select: {}
                prune: {structure: "2:4"}
              - select: {names: [conv2]}
                prune: {sparsity: 0.25, structure: channel, criterion: l2}
                lowrank: {energy: 0.95, method: spatial}
              - select: {names: ["true"]}
                lowrank: {rank: 8}
            """;

    @Test
    void aWrittenRecipeReadsBackEqualWithEverySettingSpelledOut() {
        Recipe r = Recipe.parse("r.yaml", RECIPE);
        String yaml = RecipeWriter.toYaml(r, null);
        Recipe back = Recipe.parse("back.yaml", yaml);
        assertEquals(r, back, yaml);
        assertTrue(yaml.contains("structure: \"2:4\"") || yaml.contains("structure: '2:4'"), yaml);
        assertTrue(yaml.contains("criterion: l2") && yaml.contains("storage: dense"), yaml);
        assertTrue(yaml.startsWith("whittle: 1\nmodel:\n"), yaml);
    }

    @Test
    void provenanceIsWrittenInAFixedOrderAndTheSameInputGivesTheSameText(@TempDir Path tmp) throws Exception {
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("accuracy", 0.8812);
        metrics.put("bytesAfter", 123456L);
        Provenance p = new Provenance("1.2.3", "1.29.0", "2025-01-02T03:04:05Z", metrics);
        Recipe r = Recipe.parse("r.yaml", RECIPE);
        Path f = tmp.resolve("out/r.yaml");
        RecipeWriter.write(r, p, f);
        String text = Files.readString(f);
        assertEquals(RecipeWriter.toYaml(r, p), text);
        assertTrue(text.endsWith("""
                provenance:
                  whittle: 1.2.3
                  onnxruntime: 1.29.0
                  date: 2025-01-02T03:04:05Z
                  metrics:
                    accuracy: 0.8812
                    bytesAfter: 123456
                """), text);
        Recipe back = Recipe.read(f);
        assertEquals(0.8812, back.provenance().get("metrics").get("accuracy").asDouble());
        assertEquals(r.steps(), back.steps());
        assertEquals(text, RecipeWriter.toYaml(back, null), "a recipe read back is written out the same");
    }
}
