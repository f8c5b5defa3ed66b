package dev.whittle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

/** {@code whittle eval} on models with state and configuration inputs, a fixed batch, and streams. */
class StateEvalCommandTest {
    @TempDir
    Path dir;

    static float[] random(int n) {
        Random r = new Random(5);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    @Test
    void aModelThatFixesBatchOneIsEvaluatedAtBatchOneWhateverTheDefault() {
        Path m = dir.resolve("fixed.onnx");
        StateModels.fixedBatch(1).save(m);
        Path x = dir.resolve("x.npy");
        Npy.write(x, NpyArray.ofFloats(random(40), 10, 4));
        CliTestSupport.Result r = CliTestSupport.run("eval", m.toString(), "--inputs", x.toString(), "--baseline", m.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("10 samples, batch 1"), r.out());
        assertTrue(r.err().contains("note: the model fixes the batch size to 1: evaluated at batch 1 instead of 32"), r.err());
    }

    @Test
    void stateAndSampleRateArraysFeedTheModelAlongTheirOwnAxes() {
        Path m = dir.resolve("vad.onnx");
        StateModels.vad(StateModels.WO, true).save(m);
        Npy.write(dir.resolve("x.npy"), NpyArray.ofFloats(random(24), 6, 4));
        Npy.write(dir.resolve("state.npy"), NpyArray.ofFloats(random(36), 2, 6, 3));
        Npy.write(dir.resolve("sr.npy"), NpyArray.ofLongs(new long[] {16000}));
        CliTestSupport.Result r = CliTestSupport.run("eval", m.toString(), "--input", "x=" + dir.resolve("x.npy"),
                "--input", "state=" + dir.resolve("state.npy"), "--input", "sr=" + dir.resolve("sr.npy"), "--batch", "4");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("6 samples, batch 4"), r.out());
        assertTrue(r.err().contains("'sr' is a scalar"), r.err());
    }

    @Test
    void aStreamingSpecEvaluatesChunkByChunkAgainstTheOriginal() throws Exception {
        Path orig = dir.resolve("vad.onnx");
        StateModels.vad(StateModels.WO, false).save(orig);
        Path variant = dir.resolve("variant.onnx");
        StateModels.vad(new float[] {0.4f, -1.6f, 0.5f}, false).save(variant);
        Npy.write(dir.resolve("x.npy"), NpyArray.ofFloats(random(80), 20, 4));
        Npy.write(dir.resolve("sr.npy"), NpyArray.ofLongs(new long[] {16000}));
        Npy.write(dir.resolve("y.npy"), NpyArray.ofLongs(new long[20], 20));
        Path spec = Files.writeString(dir.resolve("stream.yaml"), "inputs:\n  x: x.npy\n  sr: sr.npy\nlabels: y.npy\n"
                + "stream:\n  carry:\n    state: stateN\n  threshold: 0.5\n  reset: 10\n");
        CliTestSupport.Result text = CliTestSupport.run("eval", variant.toString(), "--data", spec.toString(), "--baseline",
                orig.toString());
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("20 chunks, streamed") && text.out().contains("decision agreement")
                && text.out().contains("track cosine mean"), text.out());
        assertTrue(text.err().contains("2 recordings of 10"), text.err());
        CliTestSupport.Result json = CliTestSupport.run("eval", orig.toString(), "--data", spec.toString(), "--baseline",
                orig.toString(), "--json");
        assertEquals(0, json.code(), json.err());
        JsonNode j = new ObjectMapper().readTree(json.out());
        assertEquals(0.5, j.get("threshold").asDouble());
        assertEquals(1.0, j.get("agreement").asDouble());
        assertEquals(1.0, j.get("meanCosine").asDouble(), 1e-12);
        assertEquals("Infinity", j.get("outputSqnrDb").asText());
        assertEquals(20, j.get("samples").asInt());
        assertEquals(1, j.get("batch").asInt());
    }

    @Test
    void aStreamCarryingAnInputTheModelLacksIsRefusedWithExitTwo() throws Exception {
        Path m = dir.resolve("vad.onnx");
        StateModels.vad(StateModels.WO, false).save(m);
        Npy.write(dir.resolve("x.npy"), NpyArray.ofFloats(random(8), 2, 4));
        Npy.write(dir.resolve("sr.npy"), NpyArray.ofLongs(new long[] {16000}));
        Path spec = Files.writeString(dir.resolve("s.yaml"), "inputs:\n  x: x.npy\n  sr: sr.npy\nstream:\n  carry: {h: hn}\n");
        CliTestSupport.Result r = CliTestSupport.run("eval", m.toString(), "--data", spec.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("'h'") && r.err().contains("stream.carry"), r.err());
    }
}
