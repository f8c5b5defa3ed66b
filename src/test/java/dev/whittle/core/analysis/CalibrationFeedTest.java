package dev.whittle.core.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.BadInputException;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.quant.ActivationHistogram;
import dev.whittle.core.tensor.Npy;
import dev.whittle.core.tensor.NpyArray;
import dev.whittle.testing.StateModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Calibration feeds data as evaluation does: a state sampled along axis 1, a scalar sample rate
 * passed whole, a stream run chunk by chunk with its state carried. Ranges (min/max of each
 * observed tensor) are checked against a plain Java loop over the same samples.
 */
class CalibrationFeedTest {
    static final int N = 10;
    static final long SR = 8000;
    static final List<String> TENSORS = List.of("x", "state", "g", "pre", "h", "z");

    @TempDir
    Path dir;

    static float[] random(long seed, int n) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * 1.3);
        }
        return v;
    }

    /** Running min/max per tensor name, in the model's formulas (StateModels). */
    static final class Ranges {
        final Map<String, double[]> r = new LinkedHashMap<>();

        void add(String name, double v) {
            double[] m = r.computeIfAbsent(name, k -> new double[] {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY});
            m[0] = Math.min(m[0], v);
            m[1] = Math.max(m[1], v);
        }

        /** One sample: x[4], state {h, g} [2][3]; returns the next state. */
        float[][] step(float[] x, float[][] state, long sr) {
            for (float v : x) {
                add("x", v);
            }
            for (float[] row : state) {
                for (float v : row) {
                    add("state", v);
                }
            }
            float[] g = state[0];
            float[] h = new float[3];
            double logit = 0;
            for (int j = 0; j < 3; j++) {
                add("g", g[j]);
                double s = 0;
                for (int i = 0; i < 4; i++) {
                    s += (double) x[i] * StateModels.WX[i * 3 + j];
                }
                for (int i = 0; i < 3; i++) {
                    s += (double) g[i] * StateModels.WH[i * 3 + j];
                }
                add("pre", s);
                h[j] = (float) Math.tanh(s);
                add("h", h[j]);
                logit += (double) h[j] * StateModels.WO[j];
            }
            add("z", logit * sr / 16000.0);
            return new float[][] {h, g.clone()};
        }
    }

    static void assertRanges(Ranges want, Map<String, ActivationHistogram> got) {
        for (String t : TENSORS) {
            double[] w = want.r.get(t);
            assertEquals(w[0], got.get(t).min(), 1e-5, t + " min");
            assertEquals(w[1], got.get(t).max(), 1e-5, t + " max");
        }
    }

    void writeArrays(float[] x, float[] state) {
        Npy.write(dir.resolve("x.npy"), NpyArray.ofFloats(x, N, 4));
        if (state != null) {
            Npy.write(dir.resolve("state.npy"), NpyArray.ofFloats(state, 2, N, 3));
        }
        Npy.write(dir.resolve("sr.npy"), NpyArray.ofLongs(new long[] {SR}));
    }

    @Test
    void aStateOnAxisOneAndAScalarInputGiveTheRangesOfAPlainLoop() throws Exception {
        float[] x = random(1, N * 4);
        float[] state = random(2, 2 * N * 3);
        writeArrays(x, state);
        Files.writeString(dir.resolve("axes.yaml"), "inputs: {x: x.npy, state: state.npy, sr: sr.npy}\n"
                + "axes: {state: 1, sr: none}\n");
        Ranges want = new Ranges();
        for (int i = 0; i < N; i++) {
            float[][] s = new float[2][3];
            for (int l = 0; l < 2; l++) {
                for (int j = 0; j < 3; j++) {
                    s[l][j] = state[(l * N + i) * 3 + j]; // state[l, i, j]: sample i along axis 1
                }
            }
            want.step(java.util.Arrays.copyOfRange(x, i * 4, i * 4 + 4), s, SR);
        }
        // The spec's axes on a model with named dims, and an .npz with unnamed dims (axes from
        // the model's shapes, as Silero v5 declares them); batch 3 leaves a short last batch.
        OnnxModel named = StateModels.vad(StateModels.WO, true);
        CalibrationData spec = CalibrationFiles.load(named.graph(), List.of("axes.yaml"), dir, 3, 0);
        assertEquals(N, spec.samples());
        assertRanges(want, ActivationCalibration.collect(named, TENSORS, spec, null, null, null));

        Npy.writeNpz(dir.resolve("calib.npz"), Map.of("x", NpyArray.ofFloats(x, N, 4), "state",
                NpyArray.ofFloats(state, 2, N, 3), "sr", NpyArray.ofLongs(new long[] {SR})), false);
        OnnxModel unnamed = StateModels.vad(StateModels.WO, false);
        CalibrationData npz = CalibrationFiles.load(unnamed.graph(), List.of("calib.npz"), dir, 4, 0);
        assertEquals(1, npz.dataset().axis("state"));
        assertRanges(want, ActivationCalibration.collect(unnamed, TENSORS, npz, null, null, null));
    }

    @Test
    void aStreamIsCalibratedChunkByChunkWithItsStateCarried() throws Exception {
        float[] x = random(3, N * 4);
        writeArrays(x, null);
        Files.writeString(dir.resolve("stream.yaml"), "inputs: {x: x.npy, sr: sr.npy}\n"
                + "stream: {carry: {state: stateN}, reset: 6}\n");
        Ranges carried = new Ranges();
        Ranges zeros = new Ranges();
        float[][] s = new float[2][3];
        for (int i = 0; i < N; i++) {
            if (i % 6 == 0) {
                s = new float[2][3];
            }
            float[] xi = java.util.Arrays.copyOfRange(x, i * 4, i * 4 + 4);
            s = carried.step(xi, s, SR);
            zeros.step(xi, new float[2][3], SR);
        }
        OnnxModel m = StateModels.vad(StateModels.WO, false);
        CalibrationData d = CalibrationFiles.load(m.graph(), List.of("stream.yaml"), dir, 32, 0);
        Map<String, ActivationHistogram> got = ActivationCalibration.collect(m, TENSORS, d, null, null, null);
        assertRanges(carried, got);
        assertEquals(N * 6L, got.get("state").count(), "one state [2, 1, 3] per chunk");
        // With zeros only, the state read by the model would be 0; carried, it spans h's range.
        assertEquals(0.0, zeros.r.get("g")[1]);
        assertNotEquals(0.0, got.get("g").max());
        assertTrue(got.get("g").max() - got.get("g").min() > 0.1, "the carried state is seen, not zeros");
    }

    @Test
    void theDataAwareCollectorSeesTheCarriedStateOfAStream() throws Exception {
        float[] x = random(6, N * 4);
        writeArrays(x, null);
        Files.writeString(dir.resolve("stream.yaml"), "inputs: {x: x.npy, sr: sr.npy}\nstream: {carry: {state: stateN}}\n");
        // Java recurrence: the recurrent MatMul 'inh' reads g = state[0]; its XᵀX over the chunks.
        double[] xtx = new double[9];
        float[][] s = new float[2][3];
        Ranges r = new Ranges();
        for (int i = 0; i < N; i++) {
            for (int a = 0; a < 3; a++) {
                for (int b = 0; b < 3; b++) {
                    xtx[a * 3 + b] += (double) s[0][a] * s[0][b];
                }
            }
            s = r.step(java.util.Arrays.copyOfRange(x, i * 4, i * 4 + 4), s, SR);
        }
        OnnxModel m = StateModels.vad(StateModels.WO, false);
        CalibrationData d = CalibrationFiles.load(m.graph(), List.of("stream.yaml"), dir, 32, 0);
        var layers = m.graph().weightLayers().stream().filter(l -> l.node().equals("inh")).toList();
        var got = LayerInputs.collect(m, layers, true, d, LayerInputs.DEFAULT_BUDGET, null, null).get("inh");
        assertEquals(N, got.rows());
        for (int k = 0; k < 9; k++) {
            assertEquals(xtx[k], got.xtx()[k], 1e-4 * (1 + Math.abs(xtx[k])), "XᵀX[" + k + "]");
        }
        assertTrue(xtx[0] > 0.1, "the carried state is not zeros");
    }

    @Test
    void aFixedBatchIsUsedWhateverBatchIsAsked() throws Exception {
        OnnxModel m = StateModels.fixedBatch(4);
        float[] x = random(8, N * 4);
        Npy.write(dir.resolve("fx.npy"), NpyArray.ofFloats(x, N, 4));
        CalibrationData d = CalibrationFiles.load(m.graph(), List.of("fx.npy"), dir, 32, 0);
        Map<String, ActivationHistogram> got = ActivationCalibration.collect(m, List.of("x", "y"), d, null, null, null);
        // Batches of 4: the 2 samples of a short last batch are left out, as evaluation does.
        assertEquals(8 * 4, got.get("x").count());
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < 8; i++) {
            for (int j = 0; j < 3; j++) {
                double v = 0;
                for (int k = 0; k < 4; k++) {
                    v += (double) x[i * 4 + k] * StateModels.WX[k * 3 + j];
                }
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        assertEquals(lo, got.get("y").min(), 1e-5);
        assertEquals(hi, got.get("y").max(), 1e-5);
    }

    @Test
    void specErrorsNameTheFileAndTheKey() throws Exception {
        writeArrays(random(4, N * 4), random(5, 2 * N * 3));
        OnnxModel m = StateModels.vad(StateModels.WO, false);
        Files.writeString(dir.resolve("bad-axis.yaml"), "inputs: {x: x.npy, state: state.npy, sr: sr.npy}\n"
                + "axes: {state: sideways}\n");
        Files.writeString(dir.resolve("bad-carry.yaml"), "inputs: {x: x.npy, sr: sr.npy}\n"
                + "stream: {carry: {memory: stateN}}\n");
        Files.writeString(dir.resolve("bad-dim.yaml"), "inputs: {x: x.npy, state: state.npy, sr: sr.npy}\n"
                + "axes: {state: 5}\n");
        Map<String, String> want = Map.of("bad-axis.yaml", "'axes.state'", "bad-carry.yaml", "'stream.carry'",
                "bad-dim.yaml", "no axis 5");
        for (var e : want.entrySet()) {
            BadInputException ex = assertThrows(BadInputException.class,
                    () -> CalibrationFiles.load(m.graph(), List.of(e.getKey()), dir, 8, 0, "calibration.data"));
            assertTrue(ex.getMessage().startsWith("calibration.data " + e.getKey() + ": ") && ex.getMessage().contains(e.getValue()),
                    ex.getMessage());
        }
    }
}
