package dev.whittle.core.onnx;

import static dev.whittle.testing.TinyModels.FLOAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.model.Storage;
import dev.whittle.core.model.TensorData;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.testing.TinyModels;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model with 3 GiB of weights in external data (a sparse file, so it costs no disk) opens
 * with its weights memory-mapped: the heap stays small while values are read.
 */
class BigExternalModelTest {
    private static final int N = 16384;
    private static final long TENSOR_BYTES = 4L * N * N; // 1 GiB

    @TempDir
    Path dir;

    @Test
    void threeOneGibExternalTensorsOpenMappedAndReadWithoutFillingTheHeap() throws IOException {
        Path data = dir.resolve("big.onnx.data");
        try (RandomAccessFile f = new RandomAccessFile(data.toFile(), "rw")) {
            f.setLength(3 * TENSOR_BYTES);
            for (int k = 0; k < 3; k++) {
                putFloat(f, k * TENSOR_BYTES, k + 1);                          // element 0
                putFloat(f, k * TENSOR_BYTES + TENSOR_BYTES / 2, 100 + k);     // element N*N/2
                putFloat(f, (k + 1) * TENSOR_BYTES - 4, -(k + 1));             // last element
            }
        }
        GraphProto.Builder g = GraphProto.newBuilder().setName("big").addInput(TinyModels.value("X", FLOAT, 1, N));
        String in = "X";
        for (int k = 0; k < 3; k++) {
            g.addInitializer(TinyModels.external("W" + k, FLOAT, "big.onnx.data", k * TENSOR_BYTES, TENSOR_BYTES, N, N));
            g.addNode(TinyModels.node("MatMul", "mm" + k, new String[] {in, "W" + k}, "H" + k));
            in = "H" + k;
        }
        g.addOutput(TinyModels.value(in, FLOAT, 1, N));
        ModelProto m = TinyModels.model(g.build());
        Path file = TinyModels.write(m, dir.resolve("big.onnx"));

        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        long before = mem.getHeapMemoryUsage().getUsed();
        ModelGraph graph = OnnxReader.read(file).graph();
        assertEquals(3, graph.weightLayers().size());
        assertTrue(graph.fileBytes() >= 3 * TENSOR_BYTES, "file bytes count the external data");
        float[] chunk = new float[1 << 20];
        double sum = 0;
        for (int k = 0; k < 3; k++) {
            WeightLayer l = graph.weightLayers().get(k);
            TensorData t = l.tensor();
            assertEquals(Storage.EXTERNAL, l.storage());
            assertEquals((long) N * N, t.count());
            assertTrue(t.raw().isDirect(), "external weights are a mapped (direct) buffer, not heap bytes");
            t.readFloats(0, chunk, 0, 1);
            assertEquals(k + 1, chunk[0]);
            t.readFloats((long) N * N / 2, chunk, 0, 1);
            assertEquals(100 + k, chunk[0]);
            t.readFloats((long) N * N - 1, chunk, 0, 1);
            assertEquals(-(k + 1), chunk[0]);
        }
        // Stream 256 MiB around the middle marker through a 4 MiB buffer: far more than the heap budget.
        TensorData first = graph.weightLayers().get(0).tensor();
        long mid = (long) N * N / 2;
        for (long s = mid - (32L << 20); s < mid + (32L << 20); s += chunk.length) {
            first.readFloats(s, chunk, 0, chunk.length);
            for (float v : chunk) {
                sum += v;
            }
        }
        assertEquals(100, sum, 0.0);
        long grown = mem.getHeapMemoryUsage().getUsed() - before;
        assertTrue(grown < 100L << 20, "heap grew by " + (grown >> 20) + " MiB while opening and reading 3 GiB");
    }

    private static void putFloat(RandomAccessFile f, long at, float v) throws IOException {
        f.seek(at);
        int bits = Float.floatToIntBits(v);
        f.write(new byte[] {(byte) bits, (byte) (bits >>> 8), (byte) (bits >>> 16), (byte) (bits >>> 24)});
    }
}
