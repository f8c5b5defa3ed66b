package dev.whittle.core.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.SparseTensorProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.whittle.core.model.NodeInfo;
import dev.whittle.core.model.Storage;
import dev.whittle.core.model.TensorData;
import dev.whittle.core.model.WeightLayer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Walks the main graph and every subgraph once, collecting nodes, constant tensors and weight
 * layers. Which input of which op is the weight, and its output-channel axis, is decided by
 * {@link WeightOps}.
 */
final class ModelViewBuilder {
    private final String file;
    private final TensorDecoder decoder;
    final List<NodeInfo> nodes = new ArrayList<>();
    final List<TensorData> constants = new ArrayList<>();
    final List<WeightLayer> layers = new ArrayList<>();
    int subgraphs;
    private final Set<String> usedNodeNames = new HashSet<>();

    ModelViewBuilder(String file, TensorDecoder decoder) {
        this.file = file;
        this.decoder = decoder;
    }

    /** Names visible in one graph, with a link to the enclosing graph's scope. */
    private record Scope(Map<String, TensorData> constants, Map<String, NodeProto> producers, Scope parent) {
        TensorData constant(String name) {
            for (Scope s = this; s != null; s = s.parent) {
                TensorData t = s.constants.get(name);
                if (t != null) {
                    return t;
                }
                if (s.producers.containsKey(name)) {
                    return null;
                }
            }
            return null;
        }

        NodeProto producer(String name) {
            for (Scope s = this; s != null; s = s.parent) {
                NodeProto n = s.producers.get(name);
                if (n != null) {
                    return n;
                }
                if (s.constants.containsKey(name)) {
                    return null;
                }
            }
            return null;
        }
    }

    void walk(GraphProto main) {
        walk(main, "", null);
    }

    private void walk(GraphProto g, String path, Scope parent) {
        boolean sub = !path.isEmpty();
        Scope scope = new Scope(new HashMap<>(), new HashMap<>(), parent);
        for (TensorProto t : g.getInitializerList()) {
            add(scope, decoder.decode(t, t.getName(), sub ? Storage.SUBGRAPH : Storage.INITIALIZER));
        }
        for (SparseTensorProto s : g.getSparseInitializerList()) {
            add(scope, SparseTensors.decode(decoder, s, sub ? Storage.SUBGRAPH : Storage.INITIALIZER, file));
        }
        List<String> names = new ArrayList<>(g.getNodeCount());
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            names.add(uniqueName(n, nodes.size() + i));
            for (String out : n.getOutputList()) {
                if (!out.isEmpty()) {
                    scope.producers.put(out, n);
                }
            }
            if (n.getOpType().equals("Constant") && isDefaultDomain(n) && n.getOutputCount() == 1) {
                TensorData c = ConstantNodes.decode(decoder, n, sub ? Storage.SUBGRAPH : Storage.CONSTANT_NODE, file);
                if (c != null) {
                    add(scope, c);
                }
            }
        }
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            String name = names.get(i);
            nodes.add(new NodeInfo(name, n.getOpType(), n.getDomain(), n.getInputList(), n.getOutputList(), path));
            WeightOps.detect(n, name, path, scope::constant, scope::producer).ifPresent(layers::add);
            layers.addAll(WeightOps.detectRecurrent(n, name, path, scope::constant, scope::producer));
            for (AttributeProto a : n.getAttributeList()) {
                List<GraphProto> subs = new ArrayList<>(a.getGraphsList());
                if (a.hasG()) {
                    subs.add(a.getG());
                }
                for (GraphProto s : subs) {
                    subgraphs++;
                    walk(s, (path.isEmpty() ? "" : path + "/") + name + "." + a.getName(), scope);
                }
            }
        }
    }

    private void add(Scope scope, TensorData t) {
        scope.constants.put(t.name(), t);
        constants.add(t);
    }

    private String uniqueName(NodeProto n, int index) {
        String base = n.getName().isEmpty() ? n.getOpType() + "_" + index : n.getName();
        String name = base;
        for (int k = 2; !usedNodeNames.add(name); k++) {
            name = base + "~" + k;
        }
        return name;
    }

    static boolean isDefaultDomain(NodeProto n) {
        return n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx");
    }
}
