package dev.whittle.core.onnx;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.model.TensorData;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The reader's promise: tensor bytes are views of the file's mapping, not heap copies. */
class AliasingTest {
    @Test
    void rawTensorBytesOfAnOpenedModelAreViewsOfTheFileMapping() {
        OnnxModel m = OnnxReader.read(Path.of("sample-models/minilm/all-minilm-l6-v2.onnx"));
        long checked = 0;
        for (TensorData t : m.graph().constants()) {
            if (t.raw() != null && t.bytes() > 4096) {
                assertTrue(t.raw().isDirect(), t.name() + " was copied onto the heap");
                checked++;
            }
        }
        assertTrue(checked > 30, "only " + checked + " large raw tensors");
    }

    @Test
    void openingMiniLmLeavesTheHeapSmall() {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long before = rt.totalMemory() - rt.freeMemory();
        OnnxModel m = OnnxReader.read(Path.of("sample-models/minilm/all-minilm-l6-v2.onnx"));
        System.gc();
        long after = rt.totalMemory() - rt.freeMemory();
        // 87 MiB of weights; the graph structure itself needs a few MiB.
        assertTrue(after - before < 40L << 20, "heap grew by " + ((after - before) >> 20) + " MiB");
        assertTrue(m.graph().params() > 20_000_000);
    }
}
