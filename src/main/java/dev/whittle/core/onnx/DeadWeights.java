package dev.whittle.core.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/**
 * Removes float weights a rewrite stopped reading: the initializer (and its graph-input entry,
 * for models that list initializers as inputs) or the Constant node, plus any chain of layout
 * ops (Identity, Slice, Concat, ...) that only computed it, with their index constants. Only the names a rewrite nominates are considered, so unrelated
 * unused tensors of the model are left as they were.
 */
final class DeadWeights {
    private DeadWeights() {
    }

    /** Ops without side effects that only move or copy values: removed with the weight they fed. */
    private static final Set<String> LAYOUT = Set.of("Identity", "Constant", "Slice", "Concat", "Gather", "Unsqueeze",
            "Squeeze", "Reshape", "Flatten", "Transpose");

    /** Drops what is dead of {@code candidates} and of what they were computed from; returns every name looked at. */
    static Set<String> drop(GraphProto.Builder g, Set<String> candidates) {
        Deque<String> work = new ArrayDeque<>(candidates);
        Set<String> seen = new HashSet<>(candidates);
        Set<String> outputs = new HashSet<>();
        for (ValueInfoProto v : g.getOutputList()) {
            outputs.add(v.getName());
        }
        while (!work.isEmpty()) {
            String name = work.pop();
            seen.add(name);
            if (name.isEmpty() || outputs.contains(name) || reads(g, name)) {
                continue;
            }
            for (int i = 0; i < g.getInitializerCount(); i++) {
                if (g.getInitializer(i).getName().equals(name)) {
                    g.removeInitializer(i);
                    break;
                }
            }
            for (int i = 0; i < g.getInputCount(); i++) {
                if (g.getInput(i).getName().equals(name)) {
                    g.removeInput(i);
                    break;
                }
            }
            for (int i = 0; i < g.getValueInfoCount(); i++) {
                if (g.getValueInfo(i).getName().equals(name)) {
                    g.removeValueInfo(i);
                    break;
                }
            }
            for (int i = 0; i < g.getNodeCount(); i++) {
                NodeProto n = g.getNode(i);
                boolean forwards = LAYOUT.contains(n.getOpType()) && ModelViewBuilder.isDefaultDomain(n);
                if (forwards && n.getOutputCount() == 1 && n.getOutput(0).equals(name)) {
                    g.removeNode(i);
                    n.getInputList().forEach(work::push);
                    break;
                }
            }
        }
        return seen;
    }

    private static boolean reads(GraphProto.Builder g, String name) {
        for (NodeProto n : g.getNodeList()) {
            if (reads(n, name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean reads(NodeProto n, String name) {
        if (n.getInputList().contains(name)) {
            return true;
        }
        for (AttributeProto a : n.getAttributeList()) {
            if (a.hasG() && readsIn(a.getG(), name)) {
                return true;
            }
            for (GraphProto s : a.getGraphsList()) {
                if (readsIn(s, name)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean readsIn(GraphProto g, String name) {
        for (NodeProto n : g.getNodeList()) {
            if (reads(n, name)) {
                return true;
            }
        }
        return g.getOutputList().stream().anyMatch(v -> v.getName().equals(name));
    }
}
