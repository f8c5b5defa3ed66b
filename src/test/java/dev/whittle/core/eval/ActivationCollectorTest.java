package dev.whittle.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.whittle.core.eval.ActivationCollector.Input;
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
    static List<Map<String, Input>> batches(int count, int rows) {
        List<Map<String, Input>> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(Map.of("x", Input.floats(new long[] {rows, 32}, QuantModels.random(i, rows * 32, 1))));
        }
        return out;
    }

    @Test
    void everyRequestedTensorOfEveryBatchReachesTheSink() {
        OnnxModel m = QuantModels.load(QuantModels.mlp(32, 16, 4, 1, 13));
        List<String> tensors = List.of("x", "h1", "r1");
        List<String> seen = new ArrayList<>();
        List<Double> progress = new ArrayList<>();
        try (ActivationCollector c = new ActivationCollector(ExposedOutputs.serialize(m, tensors), null)) {
            c.collect(tensors, batches(3, 5), 3, (name, v) -> seen.add(name + ":" + v.remaining()), progress::add, null);
        }
        assertEquals(9, seen.size());
        assertEquals(List.of("h1:80", "r1:80", "x:160"), seen.subList(0, 3));
        assertEquals(List.of(1 / 3.0, 2 / 3.0, 1.0), progress);
    }

    @Test
    void pinnedOutputsAfterTheFirstBatchGiveTheSameValues() {
        OnnxModel m = QuantModels.load(QuantModels.mlp(32, 16, 4, 1, 13));
        Map<String, Input> batch = batches(1, 6).get(0);
        List<float[]> seen = new ArrayList<>();
        try (ActivationCollector c = new ActivationCollector(ExposedOutputs.serialize(m, List.of("r1")), null)) {
            c.collect(List.of("r1"), List.of(batch, batch, batch), 3, (name, v) -> {
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
            assertThrows(CancellationException.class, () -> c.collect(List.of("h1"), batches(4, 2), 4,
                    (name, v) -> runs.incrementAndGet(), null, () -> runs.get() >= 2));
        }
        assertEquals(2, runs.get());
    }

    @Test
    void cancelFromTheSinkStopsTheRemainingBatches() {
        OnnxModel m = QuantModels.load(QuantModels.mlp(32, 16, 4, 1, 13));
        AtomicInteger runs = new AtomicInteger();
        try (ActivationCollector c = new ActivationCollector(ExposedOutputs.serialize(m, List.of("h1")), null)) {
            assertThrows(CancellationException.class, () -> c.collect(List.of("h1"), batches(4, 2), 4,
                    (name, v) -> {
                        runs.incrementAndGet();
                        c.cancel();
                    }, null, null));
        }
        assertEquals(1, runs.get());
    }
}
