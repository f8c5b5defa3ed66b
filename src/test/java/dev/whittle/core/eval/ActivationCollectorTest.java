package dev.whittle.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.whittle.core.onnx.ExposedOutputs;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.testing.QuantModels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ActivationCollectorTest {
    /** {@code count * rows} samples of x [*, 32]; {@code same}: every batch of {@code rows} holds the same values. */
    static Dataset data(int count, int rows, boolean same) {
        float[] v = new float[count * rows * 32];
        for (int i = 0; i < count; i++) {
            System.arraycopy(QuantModels.random(same ? 0 : i, rows * 32, 1), 0, v, i * rows * 32, rows * 32);
        }
        return new Dataset(Map.of("x", HostTensor.ofFloats(new long[] {count * rows, 32}, v)), null, "test");
    }

    @Test
    void everyRequestedTensorOfEveryBatchReachesTheSink() {
        OnnxModel m = QuantModels.load(QuantModels.mlp(32, 16, 4, 1, 13));
        List<String> tensors = List.of("x", "h1", "r1");
        List<String> seen = new ArrayList<>();
        List<Double> progress = new ArrayList<>();
        try (ActivationCollector c = new ActivationCollector(ExposedOutputs.serialize(m, tensors), null)) {
            c.collect(m.graph(), tensors, data(3, 5, false), 5, (name, v) -> seen.add(name + ":" + v.remaining()), progress::add, null);
        }
        assertEquals(9, seen.size());
        assertEquals(List.of("x:160", "h1:80", "r1:80"), seen.subList(0, 3), "inputs as fed first, then the exposed tensors");
        assertEquals(List.of(1 / 3.0, 2 / 3.0, 1.0), progress);
    }

    @Test
    void pinnedOutputsAfterTheFirstBatchGiveTheSameValues() {
        OnnxModel m = QuantModels.load(QuantModels.mlp(32, 16, 4, 1, 13));
        List<float[]> seen = new ArrayList<>();
        try (ActivationCollector c = new ActivationCollector(ExposedOutputs.serialize(m, List.of("r1")), null)) {
            c.collect(m.graph(), List.of("r1"), data(3, 6, true), 6, (name, v) -> {
                float[] copy = new float[v.remaining()];
                v.get(copy);
                seen.add(copy);
            }, null, null);
        }
        assertEquals(3, seen.size());
        org.junit.jupiter.api.Assertions.assertArrayEquals(seen.get(0), seen.get(1));
        org.junit.jupiter.api.Assertions.assertArrayEquals(seen.get(0), seen.get(2));
    }

    @Test
    void cancellingStopsBeforeTheNextBatch() {
        OnnxModel m = QuantModels.load(QuantModels.mlp(32, 16, 4, 1, 13));
        AtomicInteger runs = new AtomicInteger();
        try (ActivationCollector c = new ActivationCollector(ExposedOutputs.serialize(m, List.of("h1")), null)) {
            assertThrows(CancellationException.class, () -> c.collect(m.graph(), List.of("h1"), data(4, 2, false), 2,
                    (name, v) -> runs.incrementAndGet(), null, () -> runs.get() >= 2));
        }
        assertEquals(2, runs.get());
    }

    @Test
    void cancelFromTheSinkStopsTheRemainingBatches() {
        OnnxModel m = QuantModels.load(QuantModels.mlp(32, 16, 4, 1, 13));
        AtomicInteger runs = new AtomicInteger();
        try (ActivationCollector c = new ActivationCollector(ExposedOutputs.serialize(m, List.of("h1")), null)) {
            assertThrows(CancellationException.class, () -> c.collect(m.graph(), List.of("h1"), data(4, 2, false), 2,
                    (name, v) -> {
                        runs.incrementAndGet();
                        c.cancel();
                    }, null, null));
        }
        assertEquals(1, runs.get());
    }
}
