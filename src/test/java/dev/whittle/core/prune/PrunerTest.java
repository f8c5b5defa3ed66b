package dev.whittle.core.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.select.LayerSelector;
import dev.whittle.core.transform.LayerReport;
import dev.whittle.core.transform.TransformResult;
import dev.whittle.testing.Ort;
import dev.whittle.testing.RefEval;
import dev.whittle.testing.Tensor;
import dev.whittle.testing.TestModels;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrunerTest {
    static float[] weight(OnnxModel m, String name) {
        return m.graph().constant(name).orElseThrow().toFloatArray();
    }

    static long zeros(float[] w) {
        long z = 0;
        for (float v : w) {
            z += v == 0f ? 1 : 0;
        }
        return z;
    }

    /** ORT on the pruned model equals the reference evaluator on the original graph with the pruned weights. */
    static void assertRunsLikeReference(OnnxModel original, TransformResult r, String input, Tensor x) {
        Map<String, Tensor> dense = new HashMap<>();
        for (WeightLayer l : original.graph().weightLayers()) {
            float[] w = weight(r.model(), l.weight());
            dense.put(l.weight(), new Tensor(l.shape(), w));
        }
        Tensor expected = RefEval.run1(original, input, x, dense);
        Tensor actual = Ort.run1(r.model(), input, x);
        Tensor.assertClose(expected, actual, 1e-4, 1e-5);
    }

    @Test
    void perLayerSparsityZeroesExactlyFloorOfSTimesNSmallestWeights() {
        OnnxModel m = TestModels.mlp();
        TransformResult r = Pruner.apply(m, LayerSelector.all(), PruneSpec.sparsity(0.3));
        for (WeightLayer l : m.graph().weightLayers()) {
            float[] before = weight(m, l.weight());
            float[] after = weight(r.model(), l.weight());
            long k = (long) Math.floor(0.3 * before.length);
            assertEquals(k, zeros(after), l.node());
            float maxPruned = 0;
            float minKept = Float.MAX_VALUE;
            for (int i = 0; i < before.length; i++) {
                if (after[i] == 0) {
                    maxPruned = Math.max(maxPruned, Math.abs(before[i]));
                } else {
                    assertEquals(before[i], after[i]);
                    minKept = Math.min(minKept, Math.abs(before[i]));
                }
            }
            assertTrue(maxPruned <= minKept, "no kept weight is smaller than a pruned one in " + l.node());
        }
        LayerReport fc1 = r.report().layers().get(0);
        assertEquals("fc1", fc1.node());
        assertEquals(57, fc1.zeros());
        assertEquals(57.0 / 192, fc1.sparsity(), 1e-12);
        assertNull(fc1.skipped());
        assertTrue(fc1.relError() > 0 && fc1.relError() < 0.3);
        assertRunsLikeReference(m, r, "x", Tensor.random(7, 3, 16));
    }

    @Test
    void tiesArePrunedEarlierPositionFirst() {
        float[] w = {1, -1, 1, 0.5f, -1, 1};
        Magnitude.zeroSmallest(w, 3);
        assertArrayEquals(new float[] {0, 0, 1, 0, -1, 1}, w);
    }

    @Test
    void thresholdZeroesWeightsWithMagnitudeAtMostT() {
        OnnxModel m = TestModels.mlp();
        TransformResult r = Pruner.apply(m, LayerSelector.names("fc2"), PruneSpec.threshold(0.5));
        float[] before = weight(m, "W2");
        float[] after = weight(r.model(), "W2");
        for (int i = 0; i < before.length; i++) {
            assertEquals(Math.abs(before[i]) <= 0.5 ? 0f : before[i], after[i]);
        }
        assertArrayEquals(weight(m, "W1"), weight(r.model(), "W1"), "unselected layers are untouched");
        assertEquals(1, r.report().layers().size());
    }

    @Test
    void globalScopeUsesOneThresholdAndReachesTheTotalExactly() {
        OnnxModel m = TestModels.mlp();
        TransformResult r = Pruner.apply(m, LayerSelector.all(), PruneSpec.global(0.5, null, null));
        long total = 0;
        long pruned = 0;
        float maxPruned = 0;
        float minKept = Float.MAX_VALUE;
        for (WeightLayer l : m.graph().weightLayers()) {
            float[] before = weight(m, l.weight());
            float[] after = weight(r.model(), l.weight());
            total += before.length;
            pruned += zeros(after);
            for (int i = 0; i < before.length; i++) {
                if (after[i] == 0) {
                    maxPruned = Math.max(maxPruned, Math.abs(before[i]));
                } else {
                    minKept = Math.min(minKept, Math.abs(before[i]));
                }
            }
        }
        assertEquals((long) Math.floor(0.5 * total), pruned);
        assertTrue(maxPruned <= minKept);
        assertRunsLikeReference(m, r, "x", Tensor.random(8, 2, 16));
    }

    @Test
    void globalScopeRespectsPerLayerMinimumAndMaximum() {
        OnnxModel m = TestModels.mlp();
        TransformResult r = Pruner.apply(m, LayerSelector.all(), PruneSpec.global(0.5, 0.4, 0.6));
        long total = 0;
        long pruned = 0;
        for (LayerReport l : r.report().layers()) {
            assertTrue(l.zeros() >= Math.floor(0.4 * l.paramsBefore()) && l.zeros() <= Math.floor(0.6 * l.paramsBefore()),
                    l.node() + " sparsity " + l.sparsity());
            total += l.paramsBefore();
            pruned += l.zeros();
        }
        assertEquals((long) Math.floor(0.5 * total), pruned);
    }

    @Test
    void twoOfFourKeepsTheTwoLargestOfEveryFourAlongTheInputDimension() {
        OnnxModel m = TestModels.mlp();
        TransformResult r = Pruner.apply(m, LayerSelector.all(), PruneSpec.nOfM(2, 4));
        // fc1: Gemm transB=1, W1 [out 12, in 16]: groups run along axis 1.
        checkTwoOfFour(weight(m, "W1"), weight(r.model(), "W1"), 12, 16, false);
        // fc2: Gemm transB=0, W2 [in 12, out 8]: groups run along axis 0.
        checkTwoOfFour(weight(m, "W2"), weight(r.model(), "W2"), 12, 8, true);
        // fc3: MatMul, W3 [in 8, out 4]: along axis 0.
        checkTwoOfFour(weight(m, "W3"), weight(r.model(), "W3"), 8, 4, true);
        r.report().layers().forEach(l -> assertEquals(0.5, l.sparsity(), 1e-12));
        assertRunsLikeReference(m, r, "x", Tensor.random(9, 2, 16));
    }

    static void checkTwoOfFour(float[] before, float[] after, int rows, int cols, boolean alongRows) {
        int lines = alongRows ? cols : rows;
        int len = alongRows ? rows : cols;
        for (int line = 0; line < lines; line++) {
            for (int g = 0; g < len; g += 4) {
                float[] abs = new float[4];
                int kept = 0;
                float minKept = Float.MAX_VALUE;
                float maxPruned = 0;
                for (int j = 0; j < 4; j++) {
                    int at = alongRows ? (g + j) * cols + line : line * cols + g + j;
                    abs[j] = Math.abs(before[at]);
                    if (after[at] != 0) {
                        kept++;
                        minKept = Math.min(minKept, abs[j]);
                    } else {
                        maxPruned = Math.max(maxPruned, abs[j]);
                    }
                }
                assertEquals(2, kept);
                assertTrue(maxPruned <= minKept);
            }
        }
    }

    @Test
    void twoOfFourOnAGroupedConvRunsInOnnxRuntimeLikeTheReference() {
        OnnxModel m = TestModels.cnn();
        TransformResult r = Pruner.apply(m, LayerSelector.names("conv2", "fc"), PruneSpec.nOfM(2, 4));
        assertEquals(List.of("conv2", "fc"), r.report().layers().stream().map(LayerReport::node).toList());
        assertRunsLikeReference(m, r, "x", Tensor.random(10, 2, 4, 8, 8));
        TransformResult u = Pruner.apply(m, LayerSelector.all(), PruneSpec.sparsity(0.7));
        assertRunsLikeReference(m, u, "x", Tensor.random(11, 2, 4, 8, 8));
    }

    @Test
    void theInputModelIsNotChanged() {
        OnnxModel m = TestModels.mlp();
        float[] before = weight(m, "W1");
        Pruner.apply(m, LayerSelector.all(), PruneSpec.sparsity(0.9));
        assertArrayEquals(before, weight(m, "W1"));
    }
}
