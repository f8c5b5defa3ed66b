package dev.whittle.core.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.eval.LoadCheck;
import dev.whittle.core.lowrank.LowRank;
import dev.whittle.core.lowrank.LowRankSpec;
import dev.whittle.core.model.DataType;
import dev.whittle.core.prune.PruneSpec;
import dev.whittle.core.prune.Pruner;
import dev.whittle.core.quant.QuantFormat;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.quant.QuantizeStep;
import dev.whittle.core.quant.Quantizer;
import dev.whittle.core.quant.WeightSpec;
import dev.whittle.core.select.LayerSelector;
import dev.whittle.testing.Ort;
import dev.whittle.testing.Tensor;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transforms of a large model write their new weights to a temporary spill file as they go
 * ({@link Spill}). Forced on small models here: the result must be the same model, byte for
 * byte once written, and usable everywhere an in-memory model is.
 */
class SpillTest {
    @TempDir
    Path tmp;

    @AfterEach
    void restore() {
        Spill.overrideThreshold(null);
        RuntimeCopy.inlineOverride = -1;
    }

    /** Three MatMul layers (1 MiB, 1 MiB and 256 KiB of float32: above the spill's minimum, and so are their int4 codes). */
    static OnnxModel stack() {
        return new GraphBuilder("stack")
                .input("x", DataType.FLOAT, "N", 512)
                .initializer("w0", Tensor.random(1, 512 * 512).data(), 512, 512)
                .initializer("w1", Tensor.random(2, 512 * 512).data(), 512, 512)
                .initializer("w2", Tensor.random(3, 512 * 128).data(), 512, 128)
                .initializer("b2", Tensor.random(4, 128).data(), 128)
                .node("MatMul", "x", "w0").name("fc0").outputs("h0").done()
                .node("MatMul", "h0", "w1").name("fc1").outputs("h1").done()
                .node("MatMul", "h1", "w2").name("fc2").outputs("h2").done()
                .node("Add", "h2", "b2").name("bias").outputs("y").done()
                .output("y", DataType.FLOAT, "N", 128)
                .toModel();
    }

    static Stream<Map.Entry<String, UnaryOperator<OnnxModel>>> transforms() {
        return Stream.of(
                Map.entry("prune", m -> Pruner.apply(m, LayerSelector.all(), PruneSpec.sparsity(0.5)).model()),
                Map.entry("lowrank", m -> LowRank.apply(m, LayerSelector.all(), LowRankSpec.rank(64)).model()),
                Map.entry("int8", m -> Quantizer.apply(m, List.of(new QuantizeStep(LayerSelector.all(),
                        QuantizeSpec.weights(WeightSpec.of(8, dev.whittle.core.quant.Granularity.CHANNEL))))).model()),
                Map.entry("int4", m -> Quantizer.apply(m, List.of(new QuantizeStep(LayerSelector.all(),
                        new QuantizeSpec(WeightSpec.blocks(4, 32), null, QuantFormat.MATMULNBITS)))).model()),
                Map.entry("prune then int4", m -> Quantizer.apply(
                        Pruner.apply(m, LayerSelector.all(), PruneSpec.sparsity(0.5)).model(),
                        List.of(new QuantizeStep(LayerSelector.all(),
                                new QuantizeSpec(WeightSpec.blocks(4, 32), null, QuantFormat.MATMULNBITS)))).model()));
    }

    @Test
    void spilledResultsAreWrittenByteForByteAsTheInMemoryOnes() throws Exception {
        List<Path> before = runtimeCopiesLeft();
        OnnxModel source = stack();
        Tensor x = Tensor.random(9, 3, 512);
        for (var t : transforms().toList()) {
            Spill.overrideThreshold(Long.MAX_VALUE);
            OnnxModel kept = t.getValue().apply(source);
            Spill.overrideThreshold(0L);
            OnnxModel spilled = t.getValue().apply(source);
            assertFalse(kept.spilled(), t.getKey());
            assertTrue(spilled.spilled(), t.getKey() + ": nothing was spilled");
            assertTrue(spilled.serializedBytes() < kept.serializedBytes() / 2, t.getKey() + ": the graph still holds the weights");
            Path a = tmp.resolve(t.getKey() + "-kept.onnx");
            Path b = tmp.resolve(t.getKey() + "-spilled.onnx");
            kept.save(a);
            spilled.save(b);
            assertEquals(-1, Files.mismatch(a, b), t.getKey() + ": the written files differ");
            assertFalse(Files.exists(tmp.resolve(b.getFileName() + ".data")), t.getKey());
            // the size a spilled model reports is the size it is written at
            assertEquals(Files.size(b), spilled.graph().fileBytes(), t.getKey());
            assertEquals(kept.graph().fileBytes(), spilled.graph().fileBytes(), t.getKey());
            // ONNX Runtime runs it from memory as from the file: spilled bytes inline, or (when
            // they are too many for the heap) through a temporary written copy
            Tensor fromFile = Ort.run(a, Map.of("x", x)).get("y");
            Tensor.assertClose(fromFile, Ort.run(spilled, Map.of("x", x)).get("y"), 1e-7, 1e-7);
            assertEquals(LoadCheck.Outcome.LOADED, LoadCheck.require(spilled, t.getKey()));
            RuntimeCopy.inlineOverride = 0;
            try (RuntimeCopy copy = RuntimeCopy.of(spilled)) {
                assertTrue(Files.exists(copy.folder().resolve("model.onnx.data")), t.getKey());
            }
            Tensor.assertClose(fromFile, Ort.run(spilled, Map.of("x", x)).get("y"), 1e-7, 1e-7);
            assertEquals(LoadCheck.Outcome.LOADED, LoadCheck.require(spilled, t.getKey()));
            RuntimeCopy.inlineOverride = -1;
        }
        assertEquals(before, runtimeCopiesLeft(), "temporary copies for ONNX Runtime were left behind");
    }

    @Test
    void aSpilledModelIsEditedAgainAndReadBack() {
        Spill.overrideThreshold(0L);
        OnnxModel pruned = Pruner.apply(stack(), LayerSelector.all(), PruneSpec.sparsity(0.5)).model();
        assertEquals(dev.whittle.core.model.Storage.EXTERNAL, pruned.graph().constant("w1").orElseThrow().storage());
        float[] w1 = pruned.graph().constant("w1").orElseThrow().toFloatArray();
        // a second transform reads the spilled weights, and appends to the same file
        OnnxModel again = Pruner.apply(pruned, LayerSelector.all(), PruneSpec.sparsity(0.75)).model();
        assertEquals(pruned.spills(), again.spills());
        float[] w1again = again.graph().constant("w1").orElseThrow().toFloatArray();
        long zeros = 0;
        for (int i = 0; i < w1.length; i++) {
            zeros += w1again[i] == 0 ? 1 : 0;
            assertTrue(w1again[i] == 0 || w1again[i] == w1[i]);
        }
        assertEquals(w1.length * 3 / 4, zeros);
        // small tensors stay inline
        assertEquals(dev.whittle.core.model.Storage.INITIALIZER, again.graph().constant("b2").orElseThrow().storage());
    }

    @Test
    void externalDataOfASpilledModelHoldsItsWeights() {
        Spill.overrideThreshold(0L);
        OnnxModel pruned = Pruner.apply(stack(), LayerSelector.all(), PruneSpec.sparsity(0.5)).model();
        Path out = tmp.resolve("ext.onnx");
        assertTrue(pruned.save(out, true));
        assertTrue(Files.exists(tmp.resolve("ext.onnx.data")));
        OnnxModel back = OnnxReader.read(out);
        for (String w : List.of("w0", "w1", "w2", "b2")) {
            assertArrayEquals(pruned.graph().constant(w).orElseThrow().toFloatArray(),
                    back.graph().constant(w).orElseThrow().toFloatArray(), w);
        }
        assertFalse(back.spilled());
    }

    @Test
    void aFileOnDiskCannotPointIntoASpill() throws Exception {
        Spill.overrideThreshold(0L);
        OnnxModel pruned = Pruner.apply(stack(), LayerSelector.all(), PruneSpec.sparsity(0.5)).model();
        // the in-memory protobuf, spill locations and all, written as a file: its references must not resolve
        Path f = tmp.resolve("forged.onnx");
        try (OutputStream os = Files.newOutputStream(f)) {
            pruned.proto().writeTo(os);
        }
        InvalidModelException e = assertThrows(InvalidModelException.class, () -> OnnxReader.read(f));
        assertEquals(ModelProblem.MISSING_EXTERNAL_DATA, e.problem());
    }

    @Test
    void theSpillFileIsDeletedOnceNoModelRefersToIt() throws Exception {
        Spill.overrideThreshold(0L);
        OnnxModel pruned = Pruner.apply(stack(), LayerSelector.all(), PruneSpec.sparsity(0.5)).model();
        Path file = pruned.spills().get(0).file();
        assertTrue(Files.size(file) >= 2 * 512 * 512 * 4);
        pruned = null;
        for (int i = 0; i < 100 && Files.exists(file); i++) {
            System.gc();
            Thread.sleep(50);
        }
        assertFalse(Files.exists(file), "the spill file outlived its models");
    }

    private static List<Path> runtimeCopiesLeft() throws Exception {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("whittle-runtime-")).toList();
        }
    }
}
