package dev.whittle.core.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.lowrank.LowRank;
import dev.whittle.core.lowrank.LowRankSpec;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.select.LayerSelector;
import dev.whittle.core.transform.TransformResult;
import dev.whittle.testing.EmbeddingModels;
import dev.whittle.testing.QuantModels;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Embedding tables under pruning and low-rank: magnitude pruning works on them; low-rank skips them with a reason. */
class GatherPruneTest {
    static final OnnxModel MODEL = QuantModels.load(QuantModels.model(EmbeddingModels.embeddingWithHead(), 13));
    static final LayerSelector TABLE = new LayerSelector(List.of("Gather"), List.of(), List.of());

    @Test
    void magnitudePruningZeroesTheSmallestEntriesOfTheTable() {
        TransformResult r = Pruner.apply(MODEL, TABLE, PruneSpec.sparsity(0.5));
        float[] after = r.model().graph().constant("table").orElseThrow().toFloatArray();
        int n = EmbeddingModels.TABLE.length;
        assertEquals(n / 2, (int) r.report().layers().get(0).zeros());
        float maxPruned = 0;
        float minKept = Float.MAX_VALUE;
        int zeros = 0;
        for (int i = 0; i < n; i++) {
            float w = EmbeddingModels.TABLE[i];
            if (after[i] == 0f) {
                zeros++;
                maxPruned = Math.max(maxPruned, Math.abs(w));
            } else {
                assertEquals(w, after[i], "a kept entry keeps its value");
                minKept = Math.min(minKept, Math.abs(w));
            }
        }
        assertEquals(n / 2, zeros);
        assertTrue(maxPruned <= minKept, "the smallest magnitudes go first");
    }

    @Test
    void lowRankSkipsTheTableWithAReason() {
        TransformResult r = LowRank.apply(MODEL, TABLE, LowRankSpec.rank(4));
        String skip = r.report().layers().get(0).skipped();
        assertNotNull(skip);
        assertTrue(skip.contains("Gather layers are not factored (supported: Gemm, MatMul, Conv)"), skip);
    }

    @Test
    void channelPruningSkipsTheTableWithAReason() {
        TransformResult r = Pruner.apply(MODEL, TABLE, PruneSpec.channel(0.25, "l1"));
        String skip = r.report().layers().get(0).skipped();
        assertNotNull(skip);
        assertTrue(skip.contains("Gather layers have no output channels to remove"), skip);
    }
}
