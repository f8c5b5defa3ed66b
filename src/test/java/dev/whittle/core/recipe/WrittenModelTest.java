package dev.whittle.core.recipe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.WhittleVersion;
import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.transform.LayerReport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue 17: a written model says who made it and how, and names what low-rank made of a layer. */
class WrittenModelTest {
    static final Path CNN = Path.of("sample-models/fashion-cnn.onnx");

    static final String RECIPE = """
            whittle: 1
            steps:
              - select: {names: [fc1]}
                lowrank: {rank: 32}
              - select: {}
                quantize:
                  weights: {bits: 8, granularity: channel}
            """;

    /** The same meaning, written differently: comments, block style, other key order, a provenance block. */
    static final String SAME_MEANING = """
            # tuned by hand
            whittle: 1
            model: {file: somewhere-else.onnx}
            steps:
              - lowrank:
                  rank: 32          # fc1 in two
                select:
                  names: fc1
              - quantize:
                  weights:
                    granularity: channel
                    bits: 8
                select: {}
            provenance: {whittle: 0.0.1, date: 2020-01-01T00:00:00Z}
            """;

    static RecipeRunner.Result run(String yaml) {
        return RecipeRunner.run(Recipe.parse("r.yaml", yaml), OnnxReader.read(CNN));
    }

    @Test
    void theProducerIsWhittleAndTheSourceFiguresAreMarked() {
        ModelGraph before = OnnxReader.read(CNN).graph();
        assertEquals("0.9045", before.metadata().get("accuracy"));
        ModelGraph g = run(RECIPE).model().graph();
        assertEquals("whittle", g.producer());
        assertEquals(WhittleVersion.get(), g.producerVersion());
        assertFalse(g.metadata().containsKey("accuracy"), "the source's accuracy does not hold for this model");
        assertEquals("0.9045", g.metadata().get("source.accuracy"), "kept, marked as the source model's");
        assertEquals("whittle-train 0.1.0-SNAPSHOT", g.metadata().get("source.producer"));
        assertEquals(before.metadata().get("classes"), g.metadata().get("classes"), "what still holds stays");
    }

    @Test
    void theRecipeIsRecordedCanonicallyWithItsSha256() throws Exception {
        Map<String, String> md = run(RECIPE).model().graph().metadata();
        String recipe = md.get("whittle.recipe");
        assertTrue(recipe.startsWith("{\"whittle\":1,\"steps\":[{\"select\":{\"names\":[\"fc1\"]},\"lowrank\":{\"rank\":32"), recipe);
        assertFalse(recipe.contains("\n"), "compact");
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(recipe.getBytes(StandardCharsets.UTF_8)));
        assertEquals(sha, md.get("whittle.recipe.sha256"));
        assertTrue(md.keySet().stream().noneMatch(k -> k.contains("date") || k.contains("time")), md.keySet().toString());
    }

    @Test
    void twoSpellingsOfOneRecipeGiveTheSameBytes() {
        assertArrayEquals(run(RECIPE).model().toBytes(), run(SAME_MEANING).model().toBytes());
    }

    @Test
    void lowRankNamesBothFactorsAfterTheLayerAndALaterRecipeFindsThemByIt() {
        RecipeRunner.Result r = RecipeRunner.run(Recipe.parse("r.yaml", """
                whittle: 1
                steps:
                  - select: {names: [fc1]}
                    lowrank: {rank: 32}
                """), OnnxReader.read(CNN));
        ModelGraph g = r.model().graph();
        List<String> nodes = g.weightLayers().stream().map(WeightLayer::node).toList();
        assertTrue(nodes.contains("fc1.u") && nodes.contains("fc1.v"), nodes.toString());
        assertFalse(nodes.contains("fc1") || nodes.contains("fc1_lowrank"), nodes.toString());
        assertEquals(List.of("fc1.u", "fc1.v"), r.report().factors().get("fc1"));
        assertEquals("fc1.u\nfc1.v", g.metadata().get("whittle.factors.fc1"));
        // A recipe applied to the written model selects the factored layer by its original name.
        RecipePlan later = RecipePlan.of(Recipe.parse("later.yaml", """
                whittle: 1
                steps:
                  - select: {names: [fc1]}
                    prune: {sparsity: 0.5}
                """), r.model());
        assertTrue(later.problems().isEmpty(), later.problems().toString());
        assertEquals(List.of("fc1.u", "fc1.v"), later.steps().get(0).selected());
    }

    @Test
    void weightsAndQuantizationDataAreCountedApart() {
        RecipeReport rep = run(RECIPE).report();
        assertTrue(rep.quantParamsAfter() > 0, "scales and zero points are counted");
        ModelGraph g = run(RECIPE).model().graph();
        assertEquals(g.params(), rep.paramsAfter() + rep.quantParamsAfter());
        long scales = g.weightLayers().stream().mapToLong(l -> l.shape()[l.axis()] * 2).sum();   // per channel: scale + zero point
        assertEquals(scales, rep.quantParamsAfter());
    }

    @Test
    void channelPruningSaysWhatHappenedToEachLayer() {
        RecipeRunner.Result r = RecipeRunner.run(Recipe.parse("r.yaml", """
                whittle: 1
                steps:
                  - select: {names: [fc1, fc2]}
                    prune: {sparsity: 0.3, structure: channel}
                """), OnnxReader.read(CNN));
        for (RecipeReport.Entry e : r.report().layers()) {
            LayerReport l = e.transform();
            if (l.node().equals("fc3")) {
                assertTrue(l.paramsAfter() < l.paramsBefore(), "fc3's inputs shrank");
                assertEquals(null, l.skipped(), "fc3 was changed, not skipped");
                assertTrue(l.note().contains("inputs"), l.note());
            }
            if (l.node().equals("fc1")) {
                assertTrue(l.note().contains("removed 36 of 120 output channels"), l.note());
            }
        }
    }
}
