package dev.whittle.testing;

import dev.whittle.core.onnx.GraphEditor;
import dev.whittle.core.onnx.GraphNode;
import dev.whittle.core.onnx.OnnxModel;
import java.util.HashMap;
import java.util.Map;

/**
 * An independent plain-Java evaluator for the ops the transform tests use: MatMul, Gemm, Conv
 * (2-D, groups, bias, pads, strides, dilations), Relu, Sigmoid, Add, Sub, Mul (broadcasting),
 * Concat, Flatten, Reshape, MaxPool, GlobalAveragePool, BatchNormalization, Identity.
 * Computes in double per output element. Constants may be overridden by name, so a graph can
 * be evaluated with reconstructed dense weights.
 */
public final class RefEval {
    private RefEval() {
    }

    public static Map<String, Tensor> run(OnnxModel model, Map<String, Tensor> inputs, Map<String, Tensor> overrides) {
        GraphEditor g = GraphEditor.of(model);
        Map<String, Tensor> v = new HashMap<>(inputs);
        for (int i = 0; i < g.nodeCount(); i++) {
            GraphNode n = g.node(i);
            Tensor[] in = new Tensor[n.inputs().size()];
            for (int k = 0; k < in.length; k++) {
                String name = n.inputs().get(k);
                if (name.isEmpty()) {
                    continue;
                }
                if (overrides.containsKey(name)) {
                    in[k] = overrides.get(name);
                } else if (v.containsKey(name)) {
                    in[k] = v.get(name);
                } else {
                    in[k] = new Tensor(g.dims(name), g.floats(name));
                }
            }
            v.put(n.outputs().get(0), Ops.eval(n, in));
        }
        Map<String, Tensor> out = new HashMap<>();
        model.graph().outputs().forEach(o -> out.put(o.name(), v.get(o.name())));
        return out;
    }

    public static Tensor run1(OnnxModel model, String input, Tensor x, Map<String, Tensor> overrides) {
        return run(model, Map.of(input, x), overrides).get(model.graph().outputs().get(0).name());
    }
}
