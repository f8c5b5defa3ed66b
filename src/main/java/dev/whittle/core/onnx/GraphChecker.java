package dev.whittle.core.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.SparseTensorProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Structural checks of a graph and its subgraphs: unique value names, every node input provided
 * (by an input, an initializer, a node, or the enclosing scope of a subgraph), and no cycles.
 * Nodes need not be listed in topological order; the check sorts them itself.
 */
final class GraphChecker {
    private final String file;

    GraphChecker(String file) {
        this.file = file;
    }

    /**
     * Subgraph nesting Whittle follows. Parsing a file already stops at protobuf's 100 message
     * levels (about 33 graph levels); this bounds models built in memory, whose recursive walks
     * would otherwise end in a StackOverflowError.
     */
    static final int MAX_DEPTH = 64;

    void check(GraphProto graph) {
        check(graph, Set.of(), "main graph");
    }

    /** Rejects nesting deeper than {@link #MAX_DEPTH} without recursing. */
    static void checkDepth(String file, GraphProto main) {
        ArrayDeque<GraphProto> level = new ArrayDeque<>();
        level.add(main);
        for (int depth = 0; !level.isEmpty(); depth++) {
            if (depth > MAX_DEPTH) {
                throw new InvalidModelException(ModelProblem.NESTED_TOO_DEEP, file + " nests subgraphs more than "
                        + MAX_DEPTH + " levels deep, which Whittle does not follow.");
            }
            ArrayDeque<GraphProto> next = new ArrayDeque<>();
            for (GraphProto g : level) {
                for (NodeProto n : g.getNodeList()) {
                    for (AttributeProto a : n.getAttributeList()) {
                        if (a.hasG()) {
                            next.add(a.getG());
                        }
                        next.addAll(a.getGraphsList());
                    }
                }
            }
            level = next;
        }
    }

    /** Checks one graph; returns the names it reads from enclosing scopes. */
    private Set<String> check(GraphProto g, Set<String> outer, String where) {
        Set<String> sources = new HashSet<>();
        Set<String> inputs = new HashSet<>();
        for (ValueInfoProto in : g.getInputList()) {
            if (!inputs.add(in.getName())) {
                throw duplicate("graph input '" + in.getName() + "' is declared twice in the " + where);
            }
        }
        sources.addAll(inputs);
        Set<String> inits = new HashSet<>();
        for (TensorProto t : g.getInitializerList()) {
            if (!inits.add(t.getName())) {
                throw duplicate("initializer '" + t.getName() + "' is declared twice in the " + where);
            }
        }
        for (SparseTensorProto s : g.getSparseInitializerList()) {
            if (!inits.add(s.getValues().getName())) {
                throw duplicate("initializer '" + s.getValues().getName() + "' is declared twice in the " + where);
            }
        }
        sources.addAll(inits);

        List<NodeProto> nodes = g.getNodeList();
        Map<String, Integer> producer = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            for (String out : nodes.get(i).getOutputList()) {
                if (out.isEmpty()) {
                    continue;
                }
                Integer prev = producer.putIfAbsent(out, i);
                if (prev != null) {
                    throw duplicate("value '" + out + "' is produced by both " + label(nodes, prev) + " and "
                            + label(nodes, i) + " in the " + where);
                }
                if (sources.contains(out)) {
                    throw duplicate(label(nodes, i) + " writes '" + out + "', which is also a graph input or initializer in the " + where);
                }
            }
        }
        Set<String> visible = new HashSet<>(outer);
        visible.addAll(sources);
        visible.addAll(producer.keySet());

        Set<String> usedOuter = new LinkedHashSet<>();
        List<List<Integer>> consumers = new ArrayList<>(nodes.size());
        int[] pending = new int[nodes.size()];
        for (int i = 0; i < nodes.size(); i++) {
            consumers.add(new ArrayList<>(2));
        }
        for (int i = 0; i < nodes.size(); i++) {
            NodeProto n = nodes.get(i);
            Set<String> deps = new LinkedHashSet<>();
            for (String in : n.getInputList()) {
                if (!in.isEmpty()) {
                    deps.add(in);
                }
            }
            for (AttributeProto a : n.getAttributeList()) {
                List<GraphProto> subs = new ArrayList<>(a.getGraphsList());
                if (a.hasG()) {
                    subs.add(a.getG());
                }
                for (GraphProto sub : subs) {
                    deps.addAll(check(sub, visible, "subgraph '" + a.getName() + "' of " + label(nodes, i)));
                }
            }
            Set<Integer> preds = new HashSet<>();
            for (String d : deps) {
                Integer p = producer.get(d);
                if (p != null) {
                    if (preds.add(p)) {
                        consumers.get(p).add(i);
                        pending[i]++;
                    }
                } else if (!sources.contains(d)) {
                    if (outer.contains(d)) {
                        usedOuter.add(d);
                    } else {
                        throw new InvalidModelException(ModelProblem.DANGLING_INPUT, file + ": " + label(nodes, i)
                                + " in the " + where + " reads '" + d + "', which no node, input or initializer provides.");
                    }
                }
            }
        }
        ArrayDeque<Integer> ready = new ArrayDeque<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (pending[i] == 0) {
                ready.add(i);
            }
        }
        int done = 0;
        while (!ready.isEmpty()) {
            int i = ready.poll();
            done++;
            for (int c : consumers.get(i)) {
                if (--pending[c] == 0) {
                    ready.add(c);
                }
            }
        }
        if (done < nodes.size()) {
            List<String> stuck = new ArrayList<>();
            for (int i = 0; i < nodes.size() && stuck.size() < 3; i++) {
                if (pending[i] > 0) {
                    stuck.add(label(nodes, i));
                }
            }
            throw new InvalidModelException(ModelProblem.CYCLE, file + ": the " + where + " has a cycle through "
                    + String.join(", ", stuck) + ".");
        }
        for (ValueInfoProto out : g.getOutputList()) {
            String name = out.getName();
            if (!sources.contains(name) && !producer.containsKey(name)) {
                if (outer.contains(name)) {
                    usedOuter.add(name);
                } else {
                    throw new InvalidModelException(ModelProblem.DANGLING_INPUT, file + ": graph output '" + name
                            + "' of the " + where + " is not produced by any node, input or initializer.");
                }
            }
        }
        return usedOuter;
    }

    private InvalidModelException duplicate(String what) {
        return new InvalidModelException(ModelProblem.DUPLICATE_NAME, file + ": " + what + ".");
    }

    private static String label(List<NodeProto> nodes, int i) {
        NodeProto n = nodes.get(i);
        return n.getName().isEmpty() ? "node #" + i + " (" + n.getOpType() + ")" : "node '" + n.getName() + "' (" + n.getOpType() + ")";
    }
}
