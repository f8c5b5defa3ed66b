package dev.whittle.ui;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.job.CancelToken;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.GraphBuilder;
import dev.whittle.core.plan.ResolvedPlan;
import dev.whittle.core.prune.PruneSpec;
import dev.whittle.core.prune.Pruner;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Weights tab's images of an N:M plan: the pruner's own pattern, groups shown whole when sampled. */
class HeatmapsTest {
    /** A MatMul weight [in, out] of nonzero values. */
    private static WeightLayer matmul(int in, int out) {
        Random rnd = new Random(5);
        float[] w = new float[in * out];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (rnd.nextGaussian() * 0.1 + (rnd.nextBoolean() ? 0.01 : -0.01));
        }
        return new GraphBuilder("mm").opset(17)
                .input("x", dev.whittle.core.model.DataType.FLOAT, 1, in)
                .initializer("w", w, in, out)
                .node("MatMul", "x", "w").name("mm").outputs("y").done()
                .output("y", dev.whittle.core.model.DataType.FLOAT, 1, out)
                .toModel().graph().weightLayers().get(0);
    }

    private static Heatmaps nOfM(WeightLayer l, int n, int m) {
        var e = new ResolvedPlan.Effective(l, PruneSpec.nOfM(n, m), null, null, null, null, null);
        return Heatmaps.compute(l, e, 0, null, 0, new CancelToken());
    }

    /** The weight at row (output channel) c, column (input position) j of a MatMul [in, out]. */
    private static float at(float[] w, int out, long j, int c) {
        return w[(int) (j * out + c)];
    }

    @Test
    void aSmallLayerShowsExactlyWhatThePrunerKeeps() {
        WeightLayer l = matmul(16, 8);
        Heatmaps h = nOfM(l, 2, 4);
        assertTrue(h.notes().isEmpty(), h.notes().toString());
        assertEquals(8, h.rows());
        assertEquals(16, h.cols());
        float[] w = l.tensor().toFloatArray();
        float[] pruned = w.clone();
        Pruner.nOfM(l, pruned, 2, 4);
        for (int r = 0; r < h.rows(); r++) {
            for (int k = 0; k < h.cols(); k++) {
                assertEquals(at(w, 8, k, r), h.before()[r * h.cols() + k]);
                assertEquals(at(pruned, 8, k, r), h.after()[r * h.cols() + k], "row " + r + ", column " + k);
            }
            for (int g = 0; g < 16; g += 4) {
                int zeros = 0;
                for (int k = g; k < g + 4; k++) {
                    zeros += h.after()[r * h.cols() + k] == 0f ? 1 : 0;
                }
                assertEquals(2, zeros, "2 of each 4 zeroed, row " + r + ", group " + g / 4);
            }
        }
    }

    @Test
    void aSampledLayerShowsWholeGroupsSideBySide() {
        WeightLayer l = matmul(1024, 48);
        Heatmaps h = nOfM(l, 2, 4);
        assertEquals(4, h.group());
        assertTrue(h.cols() <= Heatmaps.MAX && h.cols() % 4 == 0 && h.colStep() > 1, h.cols() + " / " + h.colStep());
        float[] w = l.tensor().toFloatArray();
        for (int k = 0; k < h.cols(); k += 4) {
            long first = h.column(k);
            assertEquals(0, first % 4, "a group starts on a group boundary");
            for (int j = 1; j < 4; j++) {
                assertEquals(first + j, h.column(k + j), "a group's columns are adjacent");
            }
            for (int r = 0; r < h.rows(); r++) {
                int zeros = 0;
                for (int j = 0; j < 4; j++) {
                    int i = r * h.cols() + k + j;
                    assertEquals(at(w, 48, first + j, r), h.before()[i]);
                    zeros += h.after()[i] == 0f ? 1 : 0;
                }
                assertEquals(2, zeros, "row " + r + ", columns " + first + "..");
            }
        }
        assertTrue(h.column(h.cols() - 1) < 1024);
    }

    @Test
    void aLayerWhoseInputIsNotAMultipleOfMSaysSoAndDrawsNoChange() {
        WeightLayer l = matmul(18, 8);
        Heatmaps h = nOfM(l, 2, 4);
        assertTrue(h.notes().get(0).contains("not a multiple of 4"), h.notes().toString());
        assertArrayEquals(h.before(), h.after());
    }
}
