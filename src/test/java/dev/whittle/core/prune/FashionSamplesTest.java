package dev.whittle.core.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.select.LayerSelector;
import dev.whittle.core.tensor.Npy;
import dev.whittle.core.transform.TransformResult;
import dev.whittle.testing.Ort;
import dev.whittle.testing.RefEval;
import dev.whittle.testing.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The committed Fashion-MNIST samples, pruned, run in ONNX Runtime like the reference evaluator
 * on the original graph with the equivalent dense weights, on 8 real test images.
 */
class FashionSamplesTest {
    static Tensor images;

    @BeforeAll
    static void load() {
        float[] x = Npy.read(Path.of("sample-models/fashion-test-x.npy")).toFloatArray();
        images = new Tensor(new long[] {8, 1, 28, 28}, Arrays.copyOf(x, 8 * 784));
    }

    static OnnxModel model(String name) {
        return OnnxReader.read(Path.of("sample-models", name));
    }

    static Tensor constant(OnnxModel m, String name) {
        var t = m.graph().constant(name).orElseThrow();
        return new Tensor(t.dims(), t.toFloatArray());
    }

    @Test
    void unstructuredAndTwoOfFourPrunedSamplesMatchTheReference() {
        for (String name : new String[] {"fashion-mlp.onnx", "fashion-cnn.onnx"}) {
            OnnxModel m = model(name);
            for (PruneSpec spec : new PruneSpec[] {PruneSpec.sparsity(0.5), PruneSpec.global(0.7, null, null)}) {
                TransformResult r = Pruner.apply(m, LayerSelector.all(), spec);
                Map<String, Tensor> dense = new HashMap<>();
                for (WeightLayer l : m.graph().weightLayers()) {
                    dense.put(l.weight(), constant(r.model(), l.weight()));
                }
                Tensor.assertClose(RefEval.run1(m, "input", images, dense), Ort.run1(r.model(), "input", images), 1e-4, 1e-4);
            }
        }
    }

    @Test
    void channelPrunedCnnMatchesTheOriginalWithRemovedInputsZeroed() {
        OnnxModel m = model("fashion-cnn.onnx");
        TransformResult r = Pruner.apply(m, LayerSelector.all(), PruneSpec.channel(0.25, "l1"));
        Set<Integer> c1 = ChannelPrunerTest.removed(ChannelPrunerTest.l1(constant(m, "conv1.weight"), 0), 0.25);
        Set<Integer> c2 = ChannelPrunerTest.removed(ChannelPrunerTest.l1(constant(m, "conv2.weight"), 0), 0.25);
        Set<Integer> f1 = ChannelPrunerTest.removed(ChannelPrunerTest.l1(constant(m, "fc1.weight"), 0), 0.25);
        Set<Integer> f2 = ChannelPrunerTest.removed(ChannelPrunerTest.l1(constant(m, "fc2.weight"), 0), 0.25);
        Map<String, Tensor> dense = Map.of(
                "conv2.weight", ChannelPrunerTest.zeroed(constant(m, "conv2.weight"), 1, c1, 1, 0),
                "fc1.weight", ChannelPrunerTest.zeroed(constant(m, "fc1.weight"), 1, c2, 25, 0),   // 16 x 5 x 5 features
                "fc2.weight", ChannelPrunerTest.zeroed(constant(m, "fc2.weight"), 1, f1, 1, 0),
                "fc3.weight", ChannelPrunerTest.zeroed(constant(m, "fc3.weight"), 1, f2, 1, 0));
        Tensor.assertClose(RefEval.run1(m, "input", images, dense), Ort.run1(r.model(), "input", images), 1e-4, 1e-4);
        assertArrayEquals(new long[] {90, 300}, constant(r.model(), "fc1.weight").shape());
        assertTrue(r.report().modelBytesAfter() < 0.6 * r.report().modelBytesBefore());
    }
}
