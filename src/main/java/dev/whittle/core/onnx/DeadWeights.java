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
 * for models that list initializers as inputs) or the Constant node, plus any Identity chain
 * that only forwarded it. Only the names a rewrite nominates are considered, so unrelated
 * unused tensors of the model are left as they were.
 */
final class DeadWeights {
    private DeadWeights() {
    }

    static void drop(GraphProto.Builder g, Set<String> candidates) {
        Deque<String> work = new ArrayDeque<>(candidates);
        Set<String> outputs = new HashSet<>();
        for (ValueInfoProto v : g.getOutputList()) {
            outputs.add(v.getName());
        }
        while (!work.isEmpty()) {
            String name = work.pop();
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
                boolean forwards = n.getOpType().equals("Identity") || n.getOpType().equals("Constant");
                if (forwards && n.getOutputCount() == 1 && n.getOutput(0).equals(name)) {
                    g.removeNode(i);
                    if (n.getOpType().equals("Identity")) {
                        work.push(n.getInput(0));
                    }
                    break;
                }
            }
        }
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
