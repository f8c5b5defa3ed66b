package dev.whittle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.eval.KernelCounts;
import dev.whittle.core.eval.SessionSpec;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.recipe.RecipeFile;
import dev.whittle.core.recipe.RecipeWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Static W8A8 of the sample CNN with {@code --placement graph}: ONNX Runtime's optimized graph
 * runs every weight layer in int8 with no conversion but the input's (layer placement leaves
 * conv2 in float and converts around the pools), one range per chain, the same accuracy.
 */
class GraphPlacementTest {
    private static final String CNN = "sample-models/fashion-cnn.onnx";
    private static final String CALIB = "sample-models/fashion-calib-x.npy";

    private static KernelCounts kernels(Path p) {
        return KernelCounts.of(OnnxReader.read(p), SessionSpec.defaults(), SessionSpec.OptLevel.ALL);
    }

    /** The scale column of one activation row of quantize's report. */
    private static String scale(String report, String tensor) {
        Matcher m = Pattern.compile("(?m)^" + tensor + "\\s+8\\s+minmax(?: of \\S+)?\\s+\\[[^]]+\\]\\s+(\\S+)").matcher(report);
        assertTrue(m.find(), tensor + " not in\n" + report);
        return m.group(1);
    }

    private static double accuracy(Path model) {
        var r = CliTestSupport.run("eval", model.toString(), "--inputs", "sample-models/fashion-test-x.npy",
                "--labels", "sample-models/fashion-test-y.npy");
        assertEquals(0, r.code(), r.err());
        Matcher m = Pattern.compile("accuracy\\s+([0-9.]+) %").matcher(r.out());
        assertTrue(m.find(), r.out());
        return Double.parseDouble(m.group(1));
    }

    @Test
    void everyWeightLayerRunsInInt8AndTheChainsShareOneRange(@TempDir Path dir) {
        Path graph = dir.resolve("graph.onnx");
        Path layers = dir.resolve("layers.onnx");
        var g = CliTestSupport.run("quantize", CNN, "-o", graph.toString(), "--activations", "minmax", "--calib", CALIB,
                "--placement", "graph");
        assertEquals(0, g.code(), g.err());
        assertEquals(0, CliTestSupport.run("quantize", CNN, "-o", layers.toString(), "--activations", "minmax",
                "--calib", CALIB).code());

        KernelCounts kg = kernels(graph);
        assertEquals(5, kg.int8(), kg.toString());
        assertTrue(kg.floatNodes().isEmpty(), kg.toString());
        assertTrue(kg.quantizeLinear() + kg.dequantizeLinear() <= 1, "only the input is converted: " + kg);
        KernelCounts kl = kernels(layers);
        assertTrue(kl.floatNodes().size() == 1 && kl.quantizeLinear() + kl.dequantizeLinear() > 1,
                "layer placement leaves conv2 in float: " + kl);

        // relu1 -> MaxPool -> conv2's input: one range, the Relu output's (the pool keeps the scale)
        assertEquals(scale(g.out(), "relu1_out"), scale(g.out(), "pool1_out"));
        assertEquals(scale(g.out(), "relu2_out"), scale(g.out(), "pool2_out"));
        assertEquals(scale(g.out(), "relu2_out"), scale(g.out(), "flat"));
        assertTrue(g.out().contains("minmax of relu1_out"), g.out());

        double flt = accuracy(Path.of(CNN));
        double acc = accuracy(graph);
        assertTrue(Math.abs(acc - flt) <= 0.5, "accuracy " + acc + " against float " + flt);
    }

    @Test
    void aLayerWhoseInputIsExcludedWritesFloatSoTheNextLayerGetsItsOwnRange(@TempDir Path dir) {
        Path out = dir.resolve("o.onnx");
        var r = CliTestSupport.run("quantize", CNN, "-o", out.toString(), "--activations", "minmax", "--calib", CALIB,
                "--placement", "graph", "--act-override", "input=exclude");
        assertEquals(0, r.code(), r.err());
        // conv1 runs in float, so nothing int8 flows from it through relu1 and pool1: conv2's input has its own range
        assertTrue(Pattern.compile("(?m)^pool1_out\\s+8\\s+minmax\\s").matcher(r.out()).find(), r.out());
        assertFalse(Pattern.compile("(?m)^relu1_out\\s").matcher(r.out()).find(), r.out());
        KernelCounts k = kernels(out);
        assertEquals(4, k.int8(), "conv2 and the three Gemms: " + k);
    }

    @Test
    void aRecipeChoosesGraphPlacementAndWritesItBackAndABadValueIsNamed(@TempDir Path dir) throws Exception {
        Path recipe = dir.resolve("r.yaml");
        Files.writeString(recipe, """
                whittle: 1
                calibration: {data: %s}
                steps:
                  - select: {}
                    quantize:
                      weights: {bits: 8}
                      activations: {calibration: minmax, placement: graph}
                """.formatted(Path.of(CALIB).toAbsolutePath()));
        var v = CliTestSupport.run("validate", recipe.toString(), CNN);
        assertEquals(0, v.code(), v.err());
        assertTrue(v.out().contains("placed through the graph"), v.out());
        var recipeBack = RecipeWriter.toYaml(RecipeFile.read(recipe).recipe(), null);
        assertTrue(recipeBack.contains("placement: graph"), recipeBack);

        Path out = dir.resolve("o.onnx");
        assertEquals(0, CliTestSupport.run("apply", "--recipe", recipe.toString(), CNN, "-o", out.toString()).code());
        assertTrue(kernels(out).floatNodes().isEmpty());

        Files.writeString(recipe, Files.readString(recipe).replace("placement: graph", "placement: everywhere"));
        var bad = CliTestSupport.run("validate", recipe.toString(), CNN);
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("activations.placement must be layers, graph, speed, measured or measured:N (N samples a run), got 'everywhere'"), bad.err());

        Files.writeString(recipe, Files.readString(recipe).replace("placement: everywhere", "placement: measured:16"));
        var measured = CliTestSupport.run("validate", recipe.toString(), CNN);
        assertEquals(0, measured.code(), measured.err());
        assertTrue(measured.out().contains("faster than float on this machine at batch 16"), measured.out());
        String measuredBack = RecipeWriter.toYaml(RecipeFile.read(recipe).recipe(), null);
        assertTrue(measuredBack.contains("placement: measured:16"), measuredBack);
        Files.writeString(recipe, Files.readString(recipe).replace("placement: measured:16", "placement: measured:0"));
        var zero = CliTestSupport.run("validate", recipe.toString(), CNN);
        assertEquals(2, zero.code());
        assertTrue(zero.err().contains("activations.placement: measured:N") && zero.err().contains("got '0'"), zero.err());
    }
}
