package dev.whittle.core.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.whittle.core.BadInputException;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.select.LayerSelector;
import dev.whittle.testing.QuantModels;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Wanda against a plain-loop reference: sort each output row's (score, position) pairs and zero the lowest. */
class WandaTest {
    private static final int K = 16;
    private static final int N = 6;

    @Test
    void unstructuredMatchesReference() {
        OnnxModel m = QuantModels.load(QuantModels.matmul(K, N, 3, 13));
        WeightLayer l = m.graph().weightLayers().get(0);
        float[] w = l.tensor().toFloatArray();
        double[] norms = new double[K];
        for (int j = 0; j < K; j++) {
            norms[j] = 0.1 + (j * 7 % 5);
        }
        OnnxModel out = Pruner.apply(m, LayerSelector.all(), PruneSpec.wanda(0.5, null), Map.of(l.node(), norms)).model();
        float[] got = out.graph().weightLayers().get(0).tensor().toFloatArray();
        float[] want = w.clone();
        int total = (int) Math.floor(0.5 * w.length);
        for (int o = 0; o < N; o++) {
            List<double[]> row = new ArrayList<>();
            for (int j = 0; j < K; j++) {
                // MatMul weight [K, N]: element (j, o).
                row.add(new double[] {(float) (Math.abs(w[j * N + o]) * norms[j]), j});
            }
            row.sort(Comparator.<double[]>comparingDouble(a -> a[0]).thenComparingDouble(a -> a[1]));
            int k = total / N + (o < total % N ? 1 : 0);
            for (int i = 0; i < k; i++) {
                want[(int) row.get(i)[1] * N + o] = 0f;
            }
        }
        assertArrayEquals(want, got);
        int zeros = 0;
        for (float v : got) {
            zeros += v == 0f ? 1 : 0;
        }
        assertEquals(total, zeros);
    }

    @Test
    void nOfMKeepsHighestScoresInEachGroup() {
        OnnxModel m = QuantModels.load(QuantModels.matmul(K, N, 4, 13));
        WeightLayer l = m.graph().weightLayers().get(0);
        float[] w = l.tensor().toFloatArray();
        double[] norms = new double[K];
        for (int j = 0; j < K; j++) {
            norms[j] = j % 4 == 0 ? 100 : 0.01;
        }
        float[] got = Pruner.apply(m, LayerSelector.all(), PruneSpec.wanda(null, "2:4"), Map.of(l.node(), norms)).model()
                .graph().weightLayers().get(0).tensor().toFloatArray();
        for (int o = 0; o < N; o++) {
            for (int g = 0; g < K; g += 4) {
                // The heavily used input of each group survives whatever its magnitude (weights are non-zero).
                assertEquals(w[g * N + o], got[g * N + o]);
                int kept = 0;
                for (int j = g; j < g + 4; j++) {
                    kept += got[j * N + o] != 0f ? 1 : 0;
                }
                assertEquals(2, kept);
            }
        }
    }

    @Test
    void missingStatisticsAreRefused() {
        OnnxModel m = QuantModels.load(QuantModels.matmul(K, N, 3, 13));
        assertThrows(BadInputException.class, () -> Pruner.apply(m, LayerSelector.all(), PruneSpec.wanda(0.5, null), Map.of()));
        assertThrows(BadInputException.class, () -> new PruneSpec(0.5, null, null, "global", "wanda", null, null, null));
    }
}
