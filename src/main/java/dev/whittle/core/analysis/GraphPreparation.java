package dev.whittle.core.analysis;

import dev.whittle.core.eval.OptimizedGraph;
import dev.whittle.core.eval.SessionSpec;
import dev.whittle.core.model.DataType;
import dev.whittle.core.model.NodeInfo;
import dev.whittle.core.onnx.GraphEditor;
import dev.whittle.core.onnx.GraphNode;
import dev.whittle.core.onnx.OnnxModel;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Prepares a float graph for static quantization: ONNX Runtime's own offline optimizer at the
 * basic level folds BatchNormalization into the Conv before it, folds constant subgraphs and
 * removes redundant nodes (Identity, Dropout), so that calibration and Q/DQ placement see the
 * graph ONNX Runtime will run, and no BatchNormalization is left between a Conv and its Q/DQ.
 *
 * <p>Before that, a Mul or Add of a Conv's output by a one-element constant is rewritten with
 * the constant second and shaped [C, 1, 1] (the same values and broadcast): ORT's Conv+Mul and
 * Conv+Add fusions only take that form, and exporters such as Paddle2ONNX write
 * {@code Add(shift, Mul(scale, conv))} with shape-[1] constants for the learnable affine blocks
 * after each Conv, which would otherwise stay as two element-wise ops on every activation. After
 * it, the same blocks in front of a Conv are folded into that Conv ({@link AffineIntoConv}), which
 * no ORT fusion does. A hard-swish or hard-sigmoid spelled out with relu6 becomes ONNX's
 * HardSigmoid ({@link HardSwishForm}). A Div of a Clip/Relu output by a one-element constant becomes a Mul by its
 * reciprocal (a hard-swish written as Add, Clip, Div, Mul can then run in int8: ORT has QLinearMul,
 * no int8 Div).
 */
public final class GraphPreparation {
    private GraphPreparation() {
    }

    /**
     * @param model        the prepared graph (the input itself when nothing changed)
     * @param nodesBefore  node count before
     * @param nodesAfter   node count after
     * @param batchNormsFolded BatchNormalization nodes removed
     */
    public record Prepared(OnnxModel model, int nodesBefore, int nodesAfter, int batchNormsFolded, int swapped,
                           int affineFolded, int divisions, int hardSwish) {
        /** One sentence for the quantize output, or null when nothing changed. */
        public String summary() {
            if (nodesBefore == nodesAfter && batchNormsFolded == 0 && divisions == 0 && hardSwish == 0) {
                return null;
            }
            return "prepared the float graph with ONNX Runtime's basic optimizer: " + nodesBefore + " -> " + nodesAfter
                    + " nodes" + (batchNormsFolded > 0 ? ", " + batchNormsFolded + " BatchNormalization folded into Conv" : "")
                    + (swapped > 0 ? " (" + swapped + " Mul/Add of a Conv's output by a constant rewritten in the form its"
                    + " fusions fold into the Conv)" : "")
                    + (affineFolded > 0 ? "; " + affineFolded + " Mul/Add by a constant in front of a Conv folded into its"
                    + " weights and bias" : "")
                    + (divisions > 0 ? "; " + divisions + " Div by a constant written as Mul by its reciprocal (ONNX Runtime has"
                    + " an int8 Mul, no int8 Div)" : "")
                    + (hardSwish > 0 ? "; " + hardSwish + " hard-swish/hard-sigmoid spelled out with relu6 written as"
                    + " HardSigmoid (one pass instead of three)" : "");
        }
    }

    /** Folds BatchNormalization and constants in {@code model} (which is not changed). */
    public static Prepared fold(OnnxModel model) {
        GraphEditor h = GraphEditor.of(model);
        int hardSwish = HardSwishForm.rewrite(h);
        OnnxModel start = hardSwish > 0 ? h.build() : model;
        GraphEditor e = GraphEditor.of(start);
        int swapped = 0;
        int divisions = 0;
        // the original ops by output name (the editor's own nodes may be replaced as the loop goes)
        Map<String, NodeInfo> producers = new HashMap<>();
        start.graph().nodes().stream().filter(x -> x.graphPath().isEmpty()).forEach(x -> x.outputs().forEach(o -> producers.put(o, x)));
        // a Conv's output (or a Mul/Add of it by a one-element constant), with the Conv's weight dims
        Map<String, long[]> convOut = new HashMap<>();
        for (int i = 0; i < e.nodeCount(); i++) {
            GraphNode n = e.node(i);
            if (!n.isDefaultDomain()) {
                continue;
            }
            if (n.op().equals("Conv") && n.inputs().size() >= 2 && e.isConstant(n.input(1)) && !n.outputs().isEmpty()) {
                convOut.put(n.outputs().get(0), e.dims(n.input(1)));
                continue;
            }
            if (n.op().equals("Div") && n.inputs().size() == 2 && !n.outputs().isEmpty() && e.isConstant(n.input(1))
                    && !e.isConstant(n.input(0)) && count(e.dims(n.input(1))) == 1
                    && e.floatType(n.input(1)) == DataType.FLOAT && afterClip(producers, n.input(0))) {
                // ORT has an int8 Mul (QLinearMul) but no int8 Div: relu6(x + 3) / 6 (in a hard-swish or hard-sigmoid as
                // exporters write it) becomes relu6(x + 3) * (1 / 6), within an ulp; other divisions stay, as ORT's float
                // fusions expect them (GELU's x / sqrt(2), attention's scores / sqrt(d))
                float c = e.floats(n.input(1))[0];
                if (c != 0 && Float.isFinite(1 / c)) {
                    String old = n.input(1);
                    e.replaceNode(i, List.of(GraphNode.of(n.name(), "Mul", List.of(n.input(0),
                            e.addTensor(old + "_reciprocal", e.dims(old), new float[] {1 / c})), n.outputs(), Map.of())));
                    e.dropIfUnused(old);
                    divisions++;
                }
                continue;
            }
            if (!(n.op().equals("Mul") || n.op().equals("Add")) || n.inputs().size() != 2 || n.outputs().isEmpty()) {
                continue;
            }
            int c = e.isConstant(n.input(0)) && !e.isConstant(n.input(1)) ? 0
                    : e.isConstant(n.input(1)) && !e.isConstant(n.input(0)) ? 1 : -1;
            long[] w = c < 0 ? null : convOut.get(n.input(1 - c));
            if (w == null || w.length < 3 || count(e.dims(n.input(c))) != 1 || e.floatType(n.input(c)) != DataType.FLOAT
                    || e.uses(n.input(1 - c)).size() != 1 || e.isGraphOutput(n.input(1 - c))) { // the fusions need the only reader
                continue;
            }
            // ORT's Conv+Mul and Conv+Add fusions read the constant as the second operand, shaped [C, 1, ...]
            long[] dims = new long[w.length - 1];
            java.util.Arrays.fill(dims, 1);
            dims[0] = w[0];
            float[] v = new float[(int) w[0]];
            java.util.Arrays.fill(v, e.floats(n.input(c))[0]);
            String x = n.input(1 - c);
            e.setInput(i, 0, x);
            String old = n.input(c);
            e.setInput(i, 1, e.addTensor(old + "_per_channel", dims, v));
            e.dropIfUnused(old);
            convOut.put(n.outputs().get(0), w);
            swapped++;
        }
        OnnxModel canonical = swapped + divisions > 0 ? e.build() : start;
        OnnxModel folded = OptimizedGraph.optimize(canonical, SessionSpec.defaults(), SessionSpec.OptLevel.BASIC);
        AffineIntoConv.Folded affine = AffineIntoConv.apply(folded);
        folded = originalNames(model, affine.model());
        int before = model.graph().nodes().size();
        int after = folded.graph().nodes().size();
        int bn = batchNorms(model) - batchNorms(folded);
        if (before == after && bn == 0 && divisions == 0 && hardSwish == 0) {
            return new Prepared(model, before, after, 0, 0, 0, 0, 0);
        }
        return new Prepared(folded, before, after, bn, swapped, affine.removed(), divisions, hardSwish);
    }

    /**
     * {@code prepared} with each weight layer that ORT's fusions renamed (MatMul + Add become a Gemm
     * named {@code fc1/MatMulAddFusion}) named again as the original layer that read the same weight,
     * so that layer names (recipes, {@code --layers}, the report) mean the same before and after.
     */
    private static OnnxModel originalNames(OnnxModel original, OnnxModel prepared) {
        Map<String, String> byWeight = new HashMap<>();
        java.util.Set<String> names = new java.util.HashSet<>();
        original.graph().weightLayers().stream().filter(l -> l.graphPath().isEmpty())
                .forEach(l -> byWeight.putIfAbsent(l.weight(), l.node()));
        prepared.graph().nodes().forEach(n -> names.add(n.name()));
        GraphEditor e = GraphEditor.of(prepared);
        int renamed = 0;
        for (dev.whittle.core.model.WeightLayer l : prepared.graph().weightLayers()) {
            String was = byWeight.get(l.weight());
            if (!l.graphPath().isEmpty() || was == null || was.equals(l.node()) || names.contains(was)) {
                continue;
            }
            var at = e.nodeIndex(l.node());
            if (at.isEmpty()) {
                continue;
            }
            GraphNode n = e.node(at.get());
            e.replaceNode(at.get(), List.of(n.withIo(was, n.inputs(), n.outputs())));
            names.add(was);
            renamed++;
        }
        return renamed == 0 ? prepared : e.build();
    }

    /**
     * Whether {@code value} is written by a Clip or Relu, or by a Mul of one: relu6(x + 3) / 6 and
     * x * relu6(x + 3) / 6, the hard-sigmoid and hard-swish as exporters write them.
     */
    private static boolean afterClip(Map<String, NodeInfo> producers, String value) {
        NodeInfo n = producers.get(value);
        if (n == null) {
            return false;
        }
        if (n.opType().equals("Clip") || n.opType().equals("Relu")) {
            return true;
        }
        return n.opType().equals("Mul") && n.inputs().stream().map(producers::get)
                .anyMatch(q -> q != null && (q.opType().equals("Clip") || q.opType().equals("Relu")));
    }

    private static long count(long[] dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    private static int batchNorms(OnnxModel m) {
        return (int) m.graph().nodes().stream().map(NodeInfo::opType).filter("BatchNormalization"::equals).count();
    }
}
