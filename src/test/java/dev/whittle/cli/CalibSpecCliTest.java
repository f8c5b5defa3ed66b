package dev.whittle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.whittle.core.tensor.Npy;
import dev.whittle.core.tensor.NpyArray;
import dev.whittle.testing.StateModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code whittle quantize --calib SPEC.yaml}: a stream spec calibrates; a bad spec names its file and key. */
class CalibSpecCliTest {
    @TempDir
    Path dir;

    Path setUp() throws Exception {
        Path model = dir.resolve("state.onnx");
        Files.write(model, StateModels.vad(StateModels.WO, false).proto().toByteArray());
        Random r = new Random(7);
        float[] x = new float[24 * 4];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        Npy.write(dir.resolve("x.npy"), NpyArray.ofFloats(x, 24, 4));
        Npy.write(dir.resolve("sr.npy"), NpyArray.ofLongs(new long[] {16000}));
        return model;
    }

    @Test
    void aStreamSpecCalibratesTheCarriedStateAndBadKeysAreNamed() throws Exception {
        Path model = setUp();
        Files.writeString(dir.resolve("stream.yaml"), "inputs: {x: x.npy, sr: sr.npy}\nstream: {carry: {state: stateN}}\n");
        Path report = dir.resolve("r.json");
        var ok = CliTestSupport.run("quantize", model.toString(), "-o", dir.resolve("q.onnx").toString(), "--activations",
                "minmax", "--calib", dir.resolve("stream.yaml").toString(), "--report", report.toString());
        assertEquals(0, ok.code(), ok.err());
        // The recurrent MatMul reads g = state[0]: carried, its range is h's (nonzero); with zeros only it would be [0, 0].
        JsonNode g = null;
        for (JsonNode a : new ObjectMapper().readTree(report.toFile()).get("activations")) {
            if (a.get("tensor").asText().equals("g")) {
                g = a;
            }
        }
        assertTrue(g != null && g.get("max").asDouble() - g.get("min").asDouble() > 0.1, String.valueOf(g));

        Files.writeString(dir.resolve("bad.yaml"), "inputs: {x: x.npy, sr: sr.npy}\nstream: {carry: {memory: stateN}}\n");
        var bad = CliTestSupport.run("quantize", model.toString(), "-o", dir.resolve("q2.onnx").toString(), "--activations",
                "minmax", "--calib", dir.resolve("bad.yaml").toString());
        assertNotEquals(0, bad.code());
        assertTrue(bad.err().contains("--calib bad.yaml: ") && bad.err().contains("'stream.carry'")
                && bad.err().contains("'memory'"), bad.err());
    }
}
