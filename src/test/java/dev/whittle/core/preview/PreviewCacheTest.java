package dev.whittle.core.preview;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.job.CancelToken;
import dev.whittle.core.job.CancelledException;
import dev.whittle.core.job.ProgressSink;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreviewCacheTest {
    static final OnnxModel MLP = OnnxReader.read(Path.of("sample-models/fashion-mlp.onnx"));

    static LayerFacts facts(PreviewCache c, WeightLayer l) {
        return c.facts(l).run(ProgressSink.NONE, CancelToken.none());
    }

    @Test
    void factsAreComputedOnceThenLookedUp() {
        PreviewCache c = new PreviewCache();
        WeightLayer fc1 = MLP.graph().layer("fc1").orElseThrow();
        assertTrue(c.peekFacts("fc1").isEmpty());
        LayerFacts f = facts(c, fc1);
        assertSame(f, c.peekFacts("fc1").orElseThrow());
        assertSame(f, facts(c, fc1));
        assertEquals(f.memoryBytes(), c.usedBytes());
    }

    @Test
    void theLeastRecentlyUsedGoFirstWhenTheBudgetIsFull() {
        List<WeightLayer> layers = MLP.graph().weightLayers();
        long one = LayerFacts.compute(layers.get(0), CancelToken.none()).memoryBytes();
        long two = LayerFacts.compute(layers.get(1), CancelToken.none()).memoryBytes();
        long three = LayerFacts.compute(layers.get(2), CancelToken.none()).memoryBytes();
        PreviewCache c = new PreviewCache(one + two + three - 1);
        facts(c, layers.get(0));
        facts(c, layers.get(1));
        c.peekFacts(layers.get(0).node()); // layer 0 is now the most recently used
        facts(c, layers.get(2));
        assertTrue(c.peekFacts(layers.get(0).node()).isPresent());
        assertFalse(c.peekFacts(layers.get(1).node()).isPresent());
        assertTrue(c.peekFacts(layers.get(2).node()).isPresent());
        assertTrue(c.usedBytes() <= c.budgetBytes());
        c.clear();
        assertEquals(0, c.usedBytes());
    }

    @Test
    void factsOfALargeLayerTakeAFractionOfItsWeights() {
        // 2000 x 2000 floats (16 MB): samples, group ranges and the 1 MiB |w| histogram, not a copy.
        float[] w = new float[2000 * 2000];
        java.util.Random rnd = new java.util.Random(5);
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rnd.nextGaussian();
        }
        OnnxModel big = dev.whittle.core.onnx.OnnxReader.read(dev.whittle.testing.TinyModels.write(
                dev.whittle.testing.TinyModels.model(ai.onnx.proto.OnnxMl.GraphProto.newBuilder().setName("g")
                        .addInput(dev.whittle.testing.TinyModels.value("X", dev.whittle.testing.TinyModels.FLOAT, 1, 2000))
                        .addInitializer(dev.whittle.testing.TinyModels.floats("W", w, 2000, 2000))
                        .addNode(dev.whittle.testing.TinyModels.node("MatMul", "mm", new String[] {"X", "W"}, "Y"))
                        .addOutput(dev.whittle.testing.TinyModels.value("Y", dev.whittle.testing.TinyModels.FLOAT, 1, 2000))
                        .build()), tmp.resolve("big.onnx")));
        LayerFacts f = LayerFacts.compute(big.graph().weightLayers().get(0), CancelToken.none());
        assertTrue(f.memoryBytes() < 4L * w.length * 0.6, "facts of " + f.memoryBytes() + " bytes");
    }

    @org.junit.jupiter.api.io.TempDir
    Path tmp;

    @Test
    void aCancelledJobStopsWithoutAResult() {
        PreviewCache c = new PreviewCache();
        CancelToken t = new CancelToken();
        t.cancel();
        assertThrows(CancelledException.class, () -> c.facts(MLP.graph().layer("fc1").orElseThrow()).run(ProgressSink.NONE, t));
        assertTrue(c.peekFacts("fc1").isEmpty());
    }
}
