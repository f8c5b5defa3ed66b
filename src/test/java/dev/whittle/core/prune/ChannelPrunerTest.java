package dev.whittle.core.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.model.DataType;
import dev.whittle.core.onnx.GraphBuilder;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.select.LayerSelector;
import dev.whittle.core.transform.LayerReport;
import dev.whittle.core.transform.TransformResult;
import dev.whittle.testing.Ort;
import dev.whittle.testing.RefEval;
import dev.whittle.testing.Tensor;
import dev.whittle.testing.TestModels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Channel pruning is checked against the original graph in which every consumer ignores the
 * removed channels (its input columns zeroed): removing a channel physically must give the same
 * outputs. The channels expected to go are ranked here independently from the weights.
 */
class ChannelPrunerTest {
    static Tensor constant(OnnxModel m, String name) {
        var t = m.graph().constant(name).orElseThrow();
        return new Tensor(t.dims(), t.toFloatArray());
    }

    /** Per-channel L1 norm along {@code axis} of {@code t}. */
    static double[] l1(Tensor t, int axis) {
        int c = t.dim(axis);
        int stride = 1;
        for (int d = axis + 1; d < t.rank(); d++) {
            stride *= t.dim(d);
        }
        double[] n = new double[c];
        for (int i = 0; i < t.data().length; i++) {
            n[(i / stride) % c] += Math.abs(t.data()[i]);
        }
        return n;
    }

    /** The floor(s C) channels of lowest score, ties by position. */
    static Set<Integer> removed(double[] score, double s) {
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < score.length; i++) {
            idx.add(i);
        }
        idx.sort((a, b) -> score[a] != score[b] ? Double.compare(score[a], score[b]) : Integer.compare(a, b));
        return new TreeSet<>(idx.subList(0, (int) Math.floor(s * score.length)));
    }

    static double[] sum(double[] a, double[] b) {
        double[] o = a.clone();
        for (int i = 0; i < o.length; i++) {
            o[i] += b[i];
        }
        return o;
    }

    /** Copy of t with entries zeroed whose index along axis, divided by per, is in {@code gone} (shifted by offset). */
    static Tensor zeroed(Tensor t, int axis, Set<Integer> gone, int per, int offset) {
        int c = t.dim(axis);
        int stride = 1;
        for (int d = axis + 1; d < t.rank(); d++) {
            stride *= t.dim(d);
        }
        float[] o = t.data().clone();
        for (int i = 0; i < o.length; i++) {
            int k = (i / stride) % c - offset;
            if (k >= 0 && gone.contains(k / per)) {
                o[i] = 0;
            }
        }
        return new Tensor(t.shape(), o);
    }

    static void assertSameOutputs(OnnxModel original, OnnxModel pruned, Map<String, Tensor> dense, Tensor x) {
        Tensor expected = RefEval.run1(original, "x", x, dense);
        Tensor actual = Ort.run1(pruned, "x", x);
        // Outputs here reach ~100 (random N(0, 1) weights); summation order differs after removal.
        Tensor.assertClose(expected, actual, 1e-4, 1e-4);
    }

    @Test
    void removingHalfTheNeuronsOfGemmLayersShrinksTheModelAndKeepsOutputShapes() {
        OnnxModel m = TestModels.mlp();
        TransformResult r = Pruner.apply(m, LayerSelector.all(), PruneSpec.channel(0.5, "l1"));
        Set<Integer> gone1 = removed(l1(constant(m, "W1"), 0), 0.5);     // transB=1: [out, in]
        Set<Integer> gone2 = removed(l1(constant(m, "W2"), 1), 0.5);     // transB=0: [in, out]
        OnnxModel p = r.model();
        assertArrayEquals(new long[] {6, 16}, constant(p, "W1").shape());
        assertArrayEquals(new long[] {6}, constant(p, "b1").shape());
        assertArrayEquals(new long[] {6, 4}, constant(p, "W2").shape());
        assertArrayEquals(new long[] {4, 4}, constant(p, "W3").shape());
        assertSameOutputs(m, p, Map.of("W2", zeroed(constant(m, "W2"), 0, gone1, 1, 0),
                "W3", zeroed(constant(m, "W3"), 0, gone2, 1, 0)), Tensor.random(41, 3, 16));

        LayerReport fc1 = r.report().layers().get(0);
        assertEquals("6/12", fc1.channels());
        assertEquals(96, fc1.paramsAfter());
        assertNull(fc1.skipped());
        LayerReport fc3 = r.report().layers().get(2);
        assertEquals("fc3", fc3.node());
        assertNull(fc3.skipped(), "its inputs shrank: changed, not skipped");
        assertTrue(fc3.note().contains("graph output 'y'") && fc3.note().startsWith("inputs shrank"), fc3.note());
        assertEquals(16, fc3.paramsAfter(), "its inputs still shrink with fc2's outputs");
        assertTrue(r.report().modelBytesAfter() < r.report().modelBytesBefore());
    }

    @Test
    void convChannelsFollowReluMaxPoolAndFlattenIntoTheGemm() {
        OnnxModel m = TestModels.cnn();
        TransformResult r = Pruner.apply(m, LayerSelector.all(), PruneSpec.channel(0.5, "l1"));
        LayerReport conv1 = r.report().layers().get(0);
        assertTrue(conv1.skipped().contains("grouped Conv"), conv1.skipped());
        Set<Integer> gone = removed(l1(constant(m, "W2"), 0), 0.5);
        OnnxModel p = r.model();
        assertArrayEquals(new long[] {4, 8, 3, 3}, constant(p, "W2").shape());
        assertArrayEquals(new long[] {5, 64}, constant(p, "W3").shape());
        // Each of conv2's channels spans 16 features (4 x 4) of the flattened Gemm input.
        assertSameOutputs(m, p, Map.of("W3", zeroed(constant(m, "W3"), 1, gone, 16, 0)), Tensor.random(42, 2, 4, 8, 8));
    }

    /** x -> convA -> BN -> relu -> convB ; x -> convS ; add(convB, convS) -> relu -> GAP -> flatten -> fc. */
    static OnnxModel residual() {
        return new GraphBuilder("residual")
                .input("x", DataType.FLOAT, "N", 4, 6, 6)
                .initializer("WA", Tensor.random(51, 8 * 4 * 9).data(), 8, 4, 3, 3)
                .initializer("bnS", Tensor.random(52, 8).data(), 8).initializer("bnB", Tensor.random(53, 8).data(), 8)
                .initializer("bnM", Tensor.random(54, 8).data(), 8)
                .initializer("bnV", new float[] {1, 2, 0.5f, 1, 3, 1, 0.7f, 2}, 8)
                .initializer("WB", Tensor.random(55, 8 * 8 * 9).data(), 8, 8, 3, 3)
                .initializer("bB", Tensor.random(56, 8).data(), 8)
                .initializer("WS", Tensor.random(57, 8 * 4).data(), 8, 4, 1, 1)
                .initializer("WF", Tensor.random(58, 3 * 8).data(), 3, 8)
                .initializer("bF", Tensor.random(59, 3).data(), 3)
                .node("Conv", "x", "WA").name("convA").attrInts("pads", 1, 1, 1, 1).outputs("a").done()
                .node("BatchNormalization", "a", "bnS", "bnB", "bnM", "bnV").name("bn").outputs("an").done()
                .node("Relu", "an").name("reluA").outputs("ar").done()
                .node("Conv", "ar", "WB", "bB").name("convB").attrInts("pads", 1, 1, 1, 1).outputs("b").done()
                .node("Conv", "x", "WS").name("convS").outputs("s").done()
                .node("Add", "b", "s").name("add").outputs("sum").done()
                .node("Relu", "sum").name("reluS").outputs("rs").done()
                .node("GlobalAveragePool", "rs").name("gap").outputs("g").done()
                .node("Flatten", "g").name("flat").outputs("f").done()
                .node("Gemm", "f", "WF", "bF").name("fc").attr("transB", 1L).outputs("y").done()
                .output("y", DataType.FLOAT, "N", 3)
                .toModel();
    }

    @Test
    void aResidualAddMakesBothBranchesKeepOneChannelSetAndBatchNormFollows() {
        OnnxModel m = residual();
        TransformResult r = Pruner.apply(m, LayerSelector.names("conv.*"), PruneSpec.channel(0.25, "l1"));
        Set<Integer> goneA = removed(l1(constant(m, "WA"), 0), 0.25);
        Set<Integer> goneBS = removed(sum(l1(constant(m, "WB"), 0), l1(constant(m, "WS"), 0)), 0.25);
        OnnxModel p = r.model();
        assertArrayEquals(new long[] {6, 6, 3, 3}, constant(p, "WB").shape(), "convB loses convA's channels as inputs too");
        assertArrayEquals(new long[] {6, 4, 1, 1}, constant(p, "WS").shape());
        assertArrayEquals(new long[] {6}, constant(p, "bnV").shape());
        assertArrayEquals(new long[] {3, 6}, constant(p, "WF").shape());
        Tensor wb = zeroed(constant(m, "WB"), 1, goneA, 1, 0);
        assertSameOutputs(m, p, Map.of("WB", wb, "WF", zeroed(constant(m, "WF"), 1, goneBS, 1, 0)),
                Tensor.random(60, 2, 4, 6, 6));
        r.report().layers().stream().filter(l -> l.channels() != null).forEach(l -> assertEquals("6/8", l.channels(), l.node()));
    }

    @Test
    void concatenatedOutputsArePrunedEachAtItsOffset() {
        OnnxModel m = new GraphBuilder("concat")
                .input("x", DataType.FLOAT, "N", 4, 5, 5)
                .initializer("WP", Tensor.random(61, 4 * 4).data(), 4, 4, 1, 1)
                .initializer("WQ", Tensor.random(62, 6 * 4).data(), 6, 4, 1, 1)
                .initializer("WR", Tensor.random(63, 5 * 10 * 9).data(), 5, 10, 3, 3)
                .node("Conv", "x", "WP").name("convP").outputs("p").done()
                .node("Conv", "x", "WQ").name("convQ").outputs("q").done()
                .node("Concat", "p", "q").name("cat").attr("axis", 1L).outputs("pq").done()
                .node("Conv", "pq", "WR").name("convR").outputs("y").done()
                .output("y", DataType.FLOAT, "N", 5, 3, 3)
                .toModel();
        TransformResult r = Pruner.apply(m, LayerSelector.names("convP", "convQ"), PruneSpec.channel(0.5, "l2"));
        Set<Integer> goneP = removed(l2(constant(m, "WP")), 0.5);
        Set<Integer> goneQ = removed(l2(constant(m, "WQ")), 0.5);
        assertArrayEquals(new long[] {5, 5, 3, 3}, constant(r.model(), "WR").shape());
        Tensor wr = zeroed(zeroed(constant(m, "WR"), 1, goneP, 1, 0), 1, goneQ, 1, 4);
        wr = new Tensor(wr.shape(), wr.data());
        // the second zeroing must not touch P's columns: offsets 0..3 map below 0 after the shift.
        assertSameOutputs(m, r.model(), Map.of("WR", wr), Tensor.random(64, 2, 4, 5, 5));
        LayerReport convR = r.report().layers().get(2);
        assertEquals("convR", convR.node());
        assertEquals(5 * 5 * 9, convR.paramsAfter());
    }

    static double[] l2(Tensor t) {
        double[] n = new double[t.dim(0)];
        int per = t.data().length / n.length;
        for (int i = 0; i < t.data().length; i++) {
            n[i / per] += (double) t.data()[i] * t.data()[i];
        }
        return n;
    }

    @Test
    void channelsJoinedWithAGraphInputAreKeptWithTheReason() {
        OnnxModel m = new GraphBuilder("skip")
                .input("x", DataType.FLOAT, "N", 4, 5, 5)
                .initializer("W", Tensor.random(71, 4 * 4 * 9).data(), 4, 4, 3, 3)
                .initializer("W2", Tensor.random(72, 2 * 4).data(), 2, 4, 1, 1)
                .node("Conv", "x", "W").name("conv").attrInts("pads", 1, 1, 1, 1).outputs("c").done()
                .node("Add", "c", "x").name("add").outputs("s").done()
                .node("Conv", "s", "W2").name("head").outputs("y").done()
                .output("y", DataType.FLOAT, "N", 2, 5, 5)
                .toModel();
        TransformResult r = Pruner.apply(m, LayerSelector.names("conv"), PruneSpec.channel(0.5, "l1"));
        LayerReport l = r.report().layers().get(0);
        assertNotNull(l.skipped());
        assertTrue(l.skipped().contains("'x'"), l.skipped());
        assertArrayEquals(constant(m, "W").data(), constant(r.model(), "W").data());
        assertEquals(1, r.report().layers().size());
        assertTrue(Arrays.equals(new long[] {2, 4, 1, 1}, constant(r.model(), "W2").shape()));
        assertEquals(new HashMap<>(m.graph().opCounts()), new HashMap<>(r.model().graph().opCounts()));
    }
}
