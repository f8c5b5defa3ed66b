package dev.whittle.core.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.model.DataType;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.onnx.GraphBuilder;
import dev.whittle.core.select.LayerSelector;
import dev.whittle.core.transform.TransformResult;
import dev.whittle.testing.Ort;
import dev.whittle.testing.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ONNX Runtime 1.29 loads sparse_initializer weights: the option really shrinks the file. */
class SparseStorageTest {
    @TempDir
    Path tmp;

    static OnnxModel wide() {
        return new GraphBuilder("wide")
                .input("x", DataType.FLOAT, "N", 256)
                .initializer("W", Tensor.random(21, 256 * 128).data(), 256, 128)
                .initializer("b", Tensor.random(22, 128).data(), 128)
                .node("MatMul", "x", "W").name("fc").outputs("h").done()
                .node("Add", "h", "b").name("bias").outputs("y").done()
                .output("y", DataType.FLOAT, "N", 128)
                .toModel();
    }

    @Test
    void sparseInitializersLoadInOnnxRuntimeAndShrinkTheFile() throws Exception {
        OnnxModel m = wide();
        TransformResult dense = Pruner.apply(m, LayerSelector.all(), PruneSpec.sparsity(0.9));
        TransformResult sparse = Pruner.apply(m, LayerSelector.all(), PruneSpec.sparsity(0.9).withStorage("sparse"));
        Path d = tmp.resolve("dense.onnx");
        Path s = tmp.resolve("sparse.onnx");
        dense.model().save(d);
        sparse.model().save(s);
        long dBytes = Files.size(d);
        long sBytes = Files.size(s);
        // 10% of 32768 weights kept: 3277 x (4 value + 8 index bytes) instead of 32768 x 4.
        assertTrue(sBytes < dBytes * 0.4, "sparse " + sBytes + " vs dense " + dBytes);
        assertEquals(3277 * 12, sparse.report().layers().get(0).bytesAfter());
        // Whittle reads it back as the same dense values.
        assertArrayEquals(dense.model().graph().constant("W").orElseThrow().toFloatArray(),
                OnnxReader.read(s).graph().constant("W").orElseThrow().toFloatArray());
        Tensor x = Tensor.random(23, 4, 256);
        Tensor fromDense = Ort.run(d, Map.of("x", x)).get("y");
        Tensor fromSparse = Ort.run(s, Map.of("x", x)).get("y");
        Tensor.assertClose(fromDense, fromSparse, 1e-6, 1e-6);
    }
}
