package dev.whittle.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.NodeProto;
import dev.whittle.core.lowrank.LowRank;
import dev.whittle.core.lowrank.LowRankSpec;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.prune.PruneSpec;
import dev.whittle.core.prune.Pruner;
import dev.whittle.core.quant.Granularity;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.quant.QuantizeStep;
import dev.whittle.core.quant.Quantizer;
import dev.whittle.core.quant.WeightSpec;
import dev.whittle.core.select.LayerSelector;
import dev.whittle.core.transform.LayerReport;
import dev.whittle.core.transform.TransformResult;
import dev.whittle.testing.BodyModels;
import dev.whittle.testing.Ort;
import dev.whittle.testing.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Weight layers inside If, Loop and Scan bodies (nested too): listed with their graph path,
 * quantized, pruned and factored where they live; every written model runs in ONNX Runtime and
 * is compared with the original (or with the original carrying the expected weights).
 */
class SubgraphLayersTest {
    private static final Tensor X_CONV = Tensor.random(5, 1, 2, 6, 6);
    private static final Tensor X_LOOP = Tensor.random(6, 2, 4);
    private static final Tensor POS = new Tensor(new long[] {1}, new float[] {1f});
    private static final Tensor NEG = new Tensor(new long[] {1}, new float[] {-1f});

    private static List<String> names(OnnxModel m) {
        return m.graph().weightLayers().stream().map(l -> l.node() + "@" + l.graphPath()).toList();
    }

    @Test
    void layersInBodiesAreListedWithTheirGraphPath() {
        assertEquals(List.of("then_conv1@If_0.then_branch", "then_conv2@If_0.then_branch", "Conv_5@If_0.else_branch"),
                names(BodyModels.ifConv()));
        assertEquals(List.of("body_mm@Loop_0.body", "then_mm@Loop_0.body/inner_if.then_branch",
                "else_mm@Loop_0.body/inner_if.else_branch"), names(BodyModels.loopNestedIf()));
        assertEquals(List.of("scan_mm@Scan_0.body"), names(BodyModels.scan()));
    }

    /** Relative L2 error of b against a. */
    static double rel(Tensor a, Tensor b) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < a.data().length; i++) {
            double d = a.data()[i] - b.data()[i];
            num += d * d;
            den += (double) a.data()[i] * a.data()[i];
        }
        return Math.sqrt(num / den);
    }

    private static Map<String, Tensor> feeds(OnnxModel m, Tensor x, Tensor s) {
        return m.graph().inputs().size() == 1 ? Map.of("x", x) : Map.of("x", x, "s", s);
    }

    private static void assertClose(OnnxModel a, OnnxModel b, Tensor x, double tol) {
        for (Tensor s : List.of(POS, NEG)) {
            Map<String, Tensor> ya = Ort.run(a, feeds(a, x, s));
            Map<String, Tensor> yb = Ort.run(b, feeds(b, x, s));
            for (String k : ya.keySet()) {
                double e = rel(ya.get(k), yb.get(k));
                assertTrue(e <= tol, k + ": relative error " + e + " > " + tol);
            }
        }
    }

    @Test
    void int8QuantizationWritesDequantizeLinearInsideEachBody() {
        for (OnnxModel m : List.of(BodyModels.ifConv(), BodyModels.loopNestedIf(), BodyModels.scan())) {
            var r = Quantizer.apply(m, List.of(QuantizeStep.all(QuantizeSpec.weights(WeightSpec.of(8, Granularity.CHANNEL)))));
            OnnxModel q = r.model();
            assertEquals(m.graph().weightLayers().size(), r.report().layers().size(), r.report().messages().toString());
            // every layer now reads a DequantizeLinear of int8 codes in its own body
            assertTrue(q.graph().weightLayers().stream().allMatch(WeightLayer::quantized), names(q).toString());
            assertEquals(names(m), names(q));
            long dq = q.graph().nodes().stream().filter(n -> n.opType().equals("DequantizeLinear") && !n.graphPath().isEmpty()).count();
            assertEquals(m.graph().weightLayers().size(), dq);
            // per-channel int8 (scale/2 per weight): outputs within 2% of the float model
            assertClose(m, q, inputFor(m), 0.02);
            assertTrue(q.graph().fileBytes() < m.graph().fileBytes() || m.graph().fileBytes() < 2000);
        }
    }

    private static Tensor inputFor(OnnxModel m) {
        if (m.graph().nodes().stream().anyMatch(n -> n.opType().equals("Loop"))) {
            return X_LOOP;
        }
        return m.graph().nodes().stream().anyMatch(n -> n.opType().equals("Scan")) ? Tensor.random(7, 5, 4) : X_CONV;
    }

    @Test
    void anOuterScopeWeightMovesIntoTheBodyThatReadsIt() {
        OnnxModel m = BodyModels.loopNestedIf();
        OnnxModel q = Quantizer.apply(m, List.of(new QuantizeStep(LayerSelector.names("body_mm"),
                QuantizeSpec.weights(WeightSpec.of(8, Granularity.CHANNEL))))).model();
        // the float W is gone from the main graph; its codes live in the Loop body
        assertFalse(q.proto().getGraph().getInitializerList().stream().anyMatch(t -> t.getName().startsWith("W")));
        var body = q.proto().getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("Loop")).findFirst()
                .orElseThrow().getAttribute(0).getG();
        assertTrue(body.getInitializerList().stream().anyMatch(t -> t.getName().equals("W_quantized")));
        assertClose(m, q, X_LOOP, 0.02);
        // pruning an outer-scope weight: the result equals the original run with the pruned W
        TransformResult p = Pruner.apply(m, LayerSelector.names("body_mm"), PruneSpec.sparsity(0.5));
        float[] w = m.graph().constant("W").orElseThrow().toFloatArray();
        float[] pruned = zeroSmallest(w, 8);
        assertClose(BodyModels.withWeight(m, "W", pruned), p.model(), X_LOOP, 1e-6);
    }

    /** Independent magnitude pruning: zeroes the k smallest |w| (ties by position). */
    static float[] zeroSmallest(float[] w, int k) {
        Integer[] idx = new Integer[w.length];
        for (int i = 0; i < w.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> Float.compare(Math.abs(w[a]), Math.abs(w[b])) != 0
                ? Float.compare(Math.abs(w[a]), Math.abs(w[b])) : Integer.compare(a, b));
        float[] out = w.clone();
        for (int i = 0; i < k; i++) {
            out[idx[i]] = 0f;
        }
        return out;
    }

    @Test
    void unstructuredPruningInBodiesMatchesTheOriginalWithPrunedWeights() {
        OnnxModel m = BodyModels.loopNestedIf();
        TransformResult p = Pruner.apply(m, LayerSelector.all(), PruneSpec.sparsity(0.5));
        assertTrue(p.report().layers().stream().allMatch(r -> r.skipped() == null), p.report().layers().toString());
        OnnxModel expected = m;
        for (String w : List.of("W", "tw", "ew")) {
            expected = BodyModels.withWeight(expected, w, zeroSmallest(m.graph().constant(w).orElseThrow().toFloatArray(), 8));
        }
        assertClose(expected, p.model(), X_LOOP, 1e-6);
        TransformResult c = Pruner.apply(BodyModels.ifConv(), LayerSelector.all(), PruneSpec.sparsity(0.5));
        OnnxModel e2 = BodyModels.ifConv();
        for (String w : List.of("tc1", "tc2", "ec")) {
            float[] v = e2.graph().constant(w).orElseThrow().toFloatArray();
            e2 = BodyModels.withWeight(e2, w, zeroSmallest(v, v.length / 2));
        }
        assertClose(e2, c.model(), X_CONV, 1e-6);
    }

    @Test
    void lowRankFactorsMatMulsInsideBodies() {
        OnnxModel m = BodyModels.loopNestedIf();
        TransformResult r = LowRank.apply(m, LayerSelector.all(), LowRankSpec.rank(1));
        // 4x4 at rank 1 saves parameters (8 < 16); each factored layer becomes two MatMuls in its body
        assertTrue(r.report().layers().stream().allMatch(l -> l.skipped() == null), r.report().layers().toString());
        long matmuls = BodyModels.allNodes(r.model().proto().getGraph()).stream().filter(n -> n.getOpType().equals("MatMul")).count();
        assertEquals(6, matmuls);
        // full rank reproduces the original exactly (to float rounding)
        TransformResult full = LowRank.apply(m, LayerSelector.all(), LowRankSpec.rank(4));
        assertTrue(full.report().layers().stream().allMatch(l -> l.skipped() != null), "rank 4 of 4x4 saves nothing");
        Map<String, Tensor> y = Ort.run(r.model(), Map.of("x", X_LOOP, "s", POS));
        assertEquals(8, y.get("y").data().length);
    }

    @Test
    void channelPruningRemovesChannelsInsideABodyAndSkipsThoseThatLeaveIt() {
        for (boolean outerBias : List.of(false, true)) {
            channelPruning(outerBias);
        }
    }

    /** With {@code outerBias} the pruned Conv's bias is a main-graph initializer, which moves into the branch and is sliced. */
    private static void channelPruning(boolean outerBias) {
        OnnxModel m = BodyModels.ifConv(outerBias);
        TransformResult r = Pruner.apply(m, LayerSelector.all(), PruneSpec.channel(0.5, "l1"));
        Map<String, LayerReport> byNode = new java.util.HashMap<>();
        r.report().layers().forEach(l -> byNode.put(l.node(), l));
        assertEquals(null, byNode.get("then_conv1").skipped(), byNode.toString());
        assertTrue(byNode.get("then_conv2").note().contains("leave the body If_0.then_branch"), byNode.toString());
        assertTrue(byNode.get("Conv_5").skipped().contains("leave the body If_0.else_branch"), byNode.toString());
        long[] dims = r.model().graph().constant("tc1").orElseThrow().dims();
        assertEquals(List.of(2L, 2L, 3L, 3L), Arrays.stream(dims).boxed().toList());
        // the removed channels' outputs feed a Relu then a 1x1 Conv: the result equals the
        // original with those two filters (and their tc2 columns) zeroed
        float[] tc1 = m.graph().constant("tc1").orElseThrow().toFloatArray();
        float[] tc2 = m.graph().constant("tc2").orElseThrow().toFloatArray();
        double[] norms = new double[4];
        for (int c = 0; c < 4; c++) {
            for (int i = 0; i < 18; i++) {
                norms[c] += Math.abs(tc1[c * 18 + i]);
            }
        }
        Integer[] order = {0, 1, 2, 3};
        Arrays.sort(order, (a, b) -> Double.compare(norms[a], norms[b]));
        for (int k = 0; k < 2; k++) {
            int c = order[k];
            Arrays.fill(tc1, c * 18, c * 18 + 18, 0f);
            for (int o = 0; o < 3; o++) {
                tc2[o * 4 + c] = 0f;
            }
        }
        OnnxModel expected = BodyModels.withWeight(BodyModels.withWeight(m, "tc1", tc1), "tc2", tc2);
        if (outerBias) {
            float[] tb = m.graph().constant("tb").orElseThrow().toFloatArray();
            tb[order[0]] = 0f;
            tb[order[1]] = 0f;
            expected = BodyModels.withWeight(expected, "tb", tb);
            assertEquals(2, r.model().graph().constant("tb").orElseThrow().count());
            assertFalse(r.model().proto().getGraph().getInitializerList().stream().anyMatch(t -> t.getName().equals("tb")));
        }
        assertClose(expected, r.model(), X_CONV, 1e-5);
    }

    @Test
    void unnamedBodyNodesKeepTheirNamesThroughEdits() {
        OnnxModel m = BodyModels.ifConv();
        OnnxModel q = Quantizer.apply(m, List.of(QuantizeStep.all(QuantizeSpec.weights(WeightSpec.of(8, Granularity.CHANNEL)))))
                .model();
        List<String> conv = q.graph().nodes().stream().filter(n -> n.opType().equals("Conv")).map(n -> n.name()).toList();
        assertEquals(List.of("then_conv1", "then_conv2", "Conv_5"), conv);
        NodeProto first = q.proto().getGraph().getNode(0);
        assertEquals("gt", first.getName());
    }
}
