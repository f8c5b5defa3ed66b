package dev.whittle.core.analysis;

import dev.whittle.core.onnx.GraphEditor;
import dev.whittle.core.onnx.GraphNode;
import dev.whittle.core.onnx.OnnxModel;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * ORT has no int8 HardSigmoid, but it has QLinearMul and QLinearAdd, and folds a Clip into the
 * QuantizeLinear after it. So a HardSigmoid that reads a layer graph placement runs in int8 (a
 * hard-swish's {@code x * HardSigmoid(x)}, a squeeze-excitation gate) is spelled out as {@code
 * Clip(x * alpha + beta, 0, 1)} before quantization: the whole hard-swish then runs as QLinearMul,
 * QLinearAdd, QLinearMul between int8 convolutions (decision 0030). ONNX's HardSwish (PyTorch's
 * export from opset 14) is spelled out the same way, times x. HardSigmoids elsewhere stay one
 * float op ({@link HardSwishForm} writes them so). Exact up to float rounding.
 */
final class HardSigmoidInt8 {
    private HardSigmoidInt8() {
    }

    /** @param model the model, spelled out where it applies; {@code count} HardSigmoids were */
    record Expanded(OnnxModel model, int count) {
    }

    /** Spells out each HardSigmoid of the main graph whose input one of {@code layers} (graph node names) writes. */
    static Expanded expand(OnnxModel model, Set<String> layers) {
        if (layers.isEmpty() || !model.graph().opCounts().containsKey("HardSigmoid")
                && !model.graph().opCounts().containsKey("HardSwish")) {
            return new Expanded(model, 0);
        }
        GraphEditor e = GraphEditor.of(model);
        boolean clipInputs = model.graph().defaultOpset() >= 11;
        int n = 0;
        String zero = null;
        String one = null;
        java.util.Set<Integer> replaced = new java.util.HashSet<>();
        for (int i = 0; i < e.nodeCount(); i++) {
            GraphNode h = e.node(i);
            boolean swish = h.op().equals("HardSwish"); // x * HardSigmoid(x; 1/6, 1/2), as PyTorch exports it (opset 14)
            if (!(swish || h.op().equals("HardSigmoid")) || !h.isDefaultDomain() || h.inputs().size() != 1
                    || h.outputs().size() != 1) {
                continue;
            }
            String x = h.input(0);
            int p = e.producer(x);
            if (p < 0 || replaced.contains(p) || !layers.contains(e.node(p).name())) {
                continue;
            }
            String base = h.name().isEmpty() ? h.outputs().get(0) : h.name();
            String alpha = e.addTensor(base + "_alpha", new long[0], new float[] {swish ? 1f / 6 : h.floatAttr("alpha", 0.2f)});
            String beta = e.addTensor(base + "_beta", new long[0], new float[] {swish ? 0.5f : h.floatAttr("beta", 0.5f)});
            String gate = swish ? e.uniqueName(base + "_gate") : h.outputs().get(0);
            String scaled = e.uniqueName(base + "_scaled");
            String shifted = e.uniqueName(base + "_shifted");
            GraphNode clip;
            if (clipInputs) {
                zero = zero != null ? zero : e.addTensor("hardsigmoid_zero", new long[0], new float[] {0f});
                one = one != null ? one : e.addTensor("hardsigmoid_one", new long[0], new float[] {1f});
                clip = GraphNode.of(base + "/clip", "Clip", List.of(shifted, zero, one), List.of(gate), Map.of());
            } else {
                clip = GraphNode.of(base + "/clip", "Clip", List.of(shifted), List.of(gate), Map.of("min", 0f, "max", 1f));
            }
            List<GraphNode> spelled = new java.util.ArrayList<>(List.of(
                    GraphNode.of(base + "/mul", "Mul", List.of(x, alpha), List.of(scaled), Map.of()),
                    GraphNode.of(base + "/add", "Add", List.of(scaled, beta), List.of(shifted), Map.of()),
                    clip));
            if (swish) {
                spelled.add(GraphNode.of(base + "/swish", "Mul", List.of(x, gate), h.outputs(), Map.of()));
            }
            e.replaceNode(i, spelled);
            replaced.add(i);
            n++;
        }
        return new Expanded(n == 0 ? model : e.build(), n);
    }
}
