package dev.whittle.core.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.BadInputException;
import dev.whittle.core.eval.Dataset;
import dev.whittle.core.eval.EvalRequest;
import dev.whittle.core.eval.Evaluator;
import dev.whittle.core.eval.HostTensor;
import dev.whittle.core.eval.TinyModels;
import dev.whittle.core.job.CancelToken;
import dev.whittle.core.job.ProgressSink;
import dev.whittle.core.onnx.InitializerEdits;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.select.LayerSelector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SensitivityTest {
    @Test
    void pruningToSparsityZeroesExactlyFloorOfSTimesNSmallestWithTiesByPosition() {
        Random r = new Random(3);
        for (double s : new double[] {0, 0.1, 0.33, 0.5, 0.999, 1}) {
            float[] w = new float[101];
            for (int i = 0; i < w.length; i++) {
                w[i] = (r.nextInt(9) - 4) * 0.5f; // many ties
            }
            float[] p = w.clone();
            MagnitudeLayerPruner.prune(p, s);
            int k = (int) Math.floor(s * w.length);
            int zeroed = 0;
            for (int i = 0; i < w.length; i++) {
                if (p[i] != w[i]) {
                    zeroed++;
                    assertEquals(0f, p[i]);
                }
            }
            // independent check: the k pruned positions are the first k of a stable sort by |w|
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < w.length; i++) {
                order.add(i);
            }
            order.sort((a, b) -> Float.compare(Math.abs(w[a]), Math.abs(w[b])));
            for (int j = 0; j < w.length; j++) {
                int i = order.get(j);
                assertEquals(j < k ? 0f : w[i], p[i], "s=" + s + " position " + i);
            }
            assertTrue(zeroed <= k);
        }
    }

    @Test
    void replacingAnInitializerChangesOnlyThatTensor() {
        OnnxModel m = TinyModels.linear(TinyModels.randomWeights(12, 1), new float[] {1, 2, 3}, 4, 3);
        OnnxModel e = InitializerEdits.replaceFloats(m, "b", new float[] {7, 8, 9});
        assertEquals(8f, e.graph().constant("b").orElseThrow().toFloatArray()[1]);
        assertEquals(2f, m.graph().constant("b").orElseThrow().toFloatArray()[1], "the input model is unchanged");
        assertEquals(m.graph().constant("W").orElseThrow().toFloatArray()[5], e.graph().constant("W").orElseThrow().toFloatArray()[5]);
        assertThrows(BadInputException.class, () -> InitializerEdits.replaceFloats(m, "nope", new float[1]));
        assertThrows(BadInputException.class, () -> InitializerEdits.replaceFloats(m, "b", new float[2]));
    }

    @Test
    void sensitivityTableHasEveryLayerAndLevelWithLevelZeroTheUnmodifiedModelAndGapsExplained() {
        int in = 8;
        int c = 5;
        int n = 200;
        float[] w = TinyModels.randomWeights(in * c, 1);
        float[] b = {0.1f, 0.5f, 0.2f, 0.3f, 0.4f};
        float[] x = TinyModels.randomWeights(n * in, 2);
        long[] y = new long[n];
        Random r = new Random(4);
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(c);
        }
        Dataset d = new Dataset(Map.of("input", HostTensor.ofFloats(new long[] {n, in}, x)), HostTensor.ofLongs(new long[] {n}, y), "t");
        OnnxModel m = TinyModels.linear(w, b, in, c);
        Evaluator ev = new Evaluator();
        // core.prune takes sparsities in [0, 1): a level of 1 is refused before any work
        BadInputException one = assertThrows(BadInputException.class, () -> new SensitivityRequest(EvalRequest.of(m, d, 32),
                "prune", List.of(0.0, 1.0), LayerSelector.all()));
        assertTrue(one.getMessage().contains("between 0 and 1"), one.getMessage());
        SensitivityRequest req = new SensitivityRequest(EvalRequest.of(m, d, 32), "prune", List.of(0.0, 0.5), LayerSelector.all());
        List<Long> progress = new ArrayList<>();
        SensitivityTable t = new SensitivityAnalysis(ev).run(req, (done, total, s) -> progress.add(done), CancelToken.none());
        assertEquals("accuracy", t.metric());
        assertEquals(List.of("mm"), t.layers());
        assertEquals(t.baseline(), t.value("mm", 0.0), "sparsity 0 is the unmodified model");
        assertTrue(t.value("mm", 0.5) < t.baseline() + 0.05);
        assertEquals(3L, progress.get(progress.size() - 1));
        assertEquals(1, ev.cache().computations(), "the unmodified model's outputs are computed once");
        assertTrue(t.rows().stream().anyMatch(row -> row.metric().equals("meanCosine") && row.level() == 0.5));
    }

    @Test
    void pruneSensitivityThroughCorePruneMatchesTheIndependentReference() {
        int in = 16;
        int c = 10;
        int n = 300;
        float[] x = TinyModels.randomWeights(n * in, 5);
        long[] y = new long[n];
        Random r = new Random(6);
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(c);
        }
        Dataset d = new Dataset(Map.of("input", HostTensor.ofFloats(new long[] {n, in}, x)), HostTensor.ofLongs(new long[] {n}, y), "t");
        OnnxModel m = TinyModels.linear(TinyModels.randomWeights(in * c, 7), TinyModels.randomWeights(c, 8), in, c);
        LayerCompressors.register("prune-reference", new MagnitudeLayerPruner());
        List<Double> levels = List.of(0.25, 0.5, 0.9);
        Evaluator ev = new Evaluator();
        SensitivityTable real = new SensitivityAnalysis(ev).run(new SensitivityRequest(EvalRequest.of(m, d, 50), "prune", levels,
                LayerSelector.all()), ProgressSink.NONE, CancelToken.none());
        SensitivityTable ref = new SensitivityAnalysis(ev).run(new SensitivityRequest(EvalRequest.of(m, d, 50), "prune-reference",
                levels, LayerSelector.all()), ProgressSink.NONE, CancelToken.none());
        assertEquals(ref.rows(), real.rows());
    }

    @Test
    void lowRankSensitivityKeepsFullRankExactAndLeavesAGapForARankTheLayerLacks() {
        int in = 6;
        int c = 8;
        Dataset d = new Dataset(Map.of("input", HostTensor.ofFloats(new long[] {40, in}, TinyModels.randomWeights(40 * in, 1))),
                null, "t");
        OnnxModel m = TinyModels.linear(TinyModels.randomWeights(in * c, 2), new float[c], in, c);
        SensitivityTable t = new SensitivityAnalysis().run(new SensitivityRequest(EvalRequest.of(m, d, 8), "lowrank",
                List.of(1.0, 6.0, 7.0), LayerSelector.all()), ProgressSink.NONE, CancelToken.none());
        assertEquals("meanCosine", t.metric());
        assertTrue(t.value("mm", 1.0) < 0.99, "rank 1 of 6 changes the outputs: " + t.value("mm", 1.0));
        assertEquals(1.0, t.value("mm", 6.0), 1e-5, "full rank reproduces the layer");
        assertEquals(null, t.value("mm", 7.0), "a [6, 8] weight has no rank 7");
        assertTrue(t.notes().stream().anyMatch(s -> s.startsWith("mm at 7.0")), t.notes().toString());
    }

    @Test
    void quantizeSensitivityLosesLessAtEightBitsThanAtFourAndGapsOtherWidths() {
        int in = 32;
        int c = 16;
        Dataset d = new Dataset(Map.of("input", HostTensor.ofFloats(new long[] {64, in}, TinyModels.randomWeights(64 * in, 3))),
                null, "t");
        OnnxModel m = TinyModels.linear(TinyModels.randomWeights(in * c, 4), new float[c], in, c);
        SensitivityTable t = new SensitivityAnalysis().run(new SensitivityRequest(EvalRequest.of(m, d, 16), "quantize",
                List.of(8.0, 4.0), LayerSelector.all()), ProgressSink.NONE, CancelToken.none());
        double q8 = t.rows().stream().filter(row -> row.level() == 8.0 && row.metric().equals("outputSqnrDb")).findFirst()
                .orElseThrow().value();
        double q4 = t.rows().stream().filter(row -> row.level() == 4.0 && row.metric().equals("outputSqnrDb")).findFirst()
                .orElseThrow().value();
        // Uniform quantization gains about 6 dB per bit; 4 bits fewer is well over 15 dB worse.
        assertTrue(q8 > 30 && q8 - q4 > 15, "SQNR 8-bit " + q8 + " dB, 4-bit " + q4 + " dB");
        assertThrows(BadInputException.class, () -> new SensitivityRequest(EvalRequest.of(m, d, 16), "quantize",
                List.of(8.0, 5.0), LayerSelector.all()), "5 bits is refused before any work");
        assertThrows(BadInputException.class, () -> LayerCompressors.get("magic"));
    }
}
