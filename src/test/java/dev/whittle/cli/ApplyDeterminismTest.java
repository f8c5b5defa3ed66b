package dev.whittle.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same recipe applied to the same model in two separate JVMs gives byte-identical files.
 * The recipe mixes every kind of step that runs arithmetic (magnitude pruning, global
 * pruning, channel pruning, N:M, LAPACK and randomized SVD, int8 and int4 weights with MSE
 * ranges, activations calibrated in ONNX Runtime). The class path goes in the
 * CLASSPATH environment variable: ONNX Runtime 1.29 crashes at start-up with a long -cp.
 */
class ApplyDeterminismTest {
    @TempDir
    Path tmp;

    @Test
    void applyingARecipeInTwoJvmsGivesByteIdenticalModels() throws Exception {
        Path recipe = tmp.resolve("mixed.yaml");
        Files.writeString(recipe, """
                whittle: 1
                calibration: {data: %s, samples: 64}
                steps:
                  - select: {ops: [MatMul]}
                    prune: {sparsity: 0.4, scope: global}
                  - select: {names: [fc2]}
                    prune: {sparsity: 0.25, structure: channel}
                  - select: {names: [fc3]}
                    prune: {structure: "2:4"}
                  - select: {names: [fc1]}
                    lowrank: {rank: 32}
                  - select: {names: [fc2]}
                    lowrank: {energy: 0.8}
                  - select: {}
                    quantize:
                      weights: {bits: 8, granularity: channel, range: mse}
                      activations: {calibration: entropy}
                  - select: {names: [fc1]}
                    quantize:
                      weights: {bits: 4, granularity: block, block: 32}
                """.formatted(Path.of("sample-models/fashion-calib-x.npy").toAbsolutePath()));
        Path model = Path.of("sample-models/fashion-mlp.onnx");
        Path a = tmp.resolve("a.onnx");
        Path b = tmp.resolve("b.onnx");
        Process pa = start(recipe, model, a, tmp.resolve("a.log"));
        Process pb = start(recipe, model, b, tmp.resolve("b.log"));
        finish(pa, tmp.resolve("a.log"));
        finish(pb, tmp.resolve("b.log"));
        assertTrue(Files.size(a) < Files.size(model));
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), "two JVMs wrote different bytes");
    }

    private static Process start(Path recipe, Path model, Path out, Path log) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx1g", WhittleCli.class.getName(), "apply", "--recipe",
                recipe.toString(), model.toString(), "-o", out.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("CLASSPATH", System.getProperty("java.class.path"));
        return pb.start();
    }

    private static void finish(Process p, Path log) throws Exception {
        boolean done = p.waitFor(120, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        String text = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(done, "whittle apply did not finish in 120 s: " + text);
        assertEquals(0, p.exitValue(), text);
    }
}
