package dev.whittle.core.eval;

import dev.whittle.core.model.NodeInfo;
import dev.whittle.core.onnx.OnnxModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What ONNX Runtime's optimized graph of a model runs ({@link OptimizedGraph}): every op counted
 * (as {@code domain::Op} outside the ONNX domain), the int8 kernels, the Q/DQ conversions left,
 * and the Conv, Gemm and MatMul nodes that run in float.
 *
 * @param ops        op counts of the optimized graph
 * @param int8       nodes running an int8 (or n-bit) weight kernel: QLinearConv, QLinearMatMul,
 *                   ConvInteger, MatMulInteger, MatMulIntegerToFloat, DynamicQuantizeMatMul,
 *                   MatMulNBits, QGemm
 * @param floatNodes the Conv / Gemm / MatMul nodes (fused forms included) with a constant weight that run in
 *                   float, as "name (op)" (products of two activations, as in attention, are not weight layers)
 * @param conversions every QuantizeLinear and DequantizeLinear left, with why it is there
 */
public record KernelCounts(String model, String optLevel, SortedMap<String, Integer> ops, int int8, int quantizeLinear,
                           int dequantizeLinear, List<String> floatNodes, List<ConversionsLeft.Conversion> conversions) {
    private static final Set<String> INT8 = Set.of("QLinearConv", "QLinearMatMul", "ConvInteger", "MatMulInteger",
            "MatMulIntegerToFloat", "DynamicQuantizeMatMul", "MatMulNBits", "QGemm");
    private static final Set<String> FLOAT = Set.of("Conv", "ConvTranspose", "Gemm", "MatMul", "FusedConv", "FusedGemm",
            "FusedMatMul", "NhwcFusedConv");

    public KernelCounts {
        ops = new TreeMap<>(ops);
        floatNodes = List.copyOf(floatNodes);
        conversions = List.copyOf(conversions);
    }

    /** The kernels of {@code model}'s optimized graph at {@code level}. */
    public static KernelCounts of(OnnxModel model, SessionSpec spec, SessionSpec.OptLevel level) {
        OnnxModel opt = OptimizedGraph.optimize(model, spec, level);
        SortedMap<String, Integer> ops = new TreeMap<>();
        int int8 = 0;
        int q = 0;
        int dq = 0;
        List<String> floats = new ArrayList<>();
        java.util.Set<String> constants = new java.util.HashSet<>();
        opt.graph().constants().forEach(t -> constants.add(t.name()));
        java.util.Map<String, NodeInfo> producers = new java.util.HashMap<>();
        for (NodeInfo n : opt.graph().nodes()) {
            n.outputs().forEach(o -> producers.put(o, n));
        }
        for (NodeInfo n : opt.graph().nodes()) {
            ops.merge(n.qualifiedOp(), 1, Integer::sum);
            if (INT8.contains(n.opType())) {
                int8++;
            } else if (FLOAT.contains(n.opType()) && readsWeight(n, constants, producers)) {
                floats.add(n.name() + " (" + n.qualifiedOp() + ")");
            }
            q += n.opType().equals("QuantizeLinear") ? 1 : 0;
            dq += n.opType().equals("DequantizeLinear") ? 1 : 0;
        }
        return new KernelCounts(model.graph().fileName(), level.name().toLowerCase(), ops, int8, q, dq, floats,
                ConversionsLeft.of(opt.graph()));
    }

    /**
     * The weight layers of {@code reference} (node names) that {@code model}'s optimized graph runs
     * as a float Conv/Gemm/MatMul behind a DequantizeLinear of their int8 weight: quantized, and
     * still computing in float (a fused activation or a float neighbour kept ONNX Runtime from
     * its int8 kernel). Layers whose kernel cannot be mapped back are not listed.
     */
    public static List<String> dequantizedFloatLayers(OnnxModel model, dev.whittle.core.model.ModelGraph reference,
                                                      SessionSpec spec) {
        OnnxModel opt = OptimizedGraph.optimize(model, spec, SessionSpec.OptLevel.ALL);
        java.util.Map<String, NodeInfo> producers = new java.util.HashMap<>();
        opt.graph().nodes().forEach(n -> n.outputs().forEach(o -> producers.put(o, n)));
        java.util.Set<String> constants = new java.util.HashSet<>();
        opt.graph().constants().forEach(t -> constants.add(t.name()));
        KernelMap map = new KernelMap(opt.graph(), reference);
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        for (NodeInfo n : opt.graph().nodes()) {
            if (FLOAT.contains(n.opType()) && n.inputs().size() >= 2 && !constants.contains(n.inputs().get(1))
                    && readsWeight(n, constants, producers)) {
                String layer = map.map(n.name(), n.opType()).layer();
                if (layer != null) {
                    out.add(layer);
                }
            }
        }
        return List.copyOf(out);
    }

    /**
     * Whether a float Conv/Gemm/MatMul is a weight layer: its second input is a constant, or a
     * DequantizeLinear of one. An attention product of two activations (Q·Kᵀ) has no int8 form
     * to fuse into and is not counted.
     */
    private static boolean readsWeight(NodeInfo n, java.util.Set<String> constants, java.util.Map<String, NodeInfo> producers) {
        if (n.inputs().size() < 2) {
            return false;
        }
        String w = n.inputs().get(1);
        NodeInfo p = producers.get(w);
        return constants.contains(w) || p != null && p.opType().equals("DequantizeLinear") && !p.inputs().isEmpty()
                && constants.contains(p.inputs().get(0));
    }
}
