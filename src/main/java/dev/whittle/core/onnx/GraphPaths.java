package dev.whittle.core.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.whittle.core.model.NodeInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Finds and rewrites the graphs of a model by their paths, as the model view names them: the
 * main graph is {@code ""}, the body in attribute {@code a} of node {@code n} is {@code "n.a"},
 * nested bodies join with {@code /} ({@code "Loop_0.body/If_3.then_branch"}). Node names are the
 * view's (synthesized ones included), taken from {@link OnnxModel#graph()}'s node list, which
 * lists nodes in the walk order used here.
 */
public final class GraphPaths {
    private GraphPaths() {
    }

    /** Whether {@code path} is {@code root} or a graph nested in it. */
    public static boolean within(String path, String root) {
        return root.isEmpty() || path.equals(root) || path.startsWith(root + "/");
    }

    /**
     * The enclosing graph's path ({@code ""} for a body of the main graph); null for the main
     * graph. Node names may hold '/' themselves (PyTorch's "/decoder/rnn/LSTM"), so the parent is
     * the longest prefix before a '/' that is one of the model's graph paths ({@code graphs}).
     */
    static String parent(String path, java.util.Set<String> graphs) {
        if (path.isEmpty()) {
            return null;
        }
        for (int i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
            String p = path.substring(0, i);
            if (graphs.contains(p)) {
                return p;
            }
        }
        return "";
    }

    /** The graph at {@code path}. */
    static GraphProto locate(OnnxModel model, String path) {
        Map<String, GraphProto> found = new HashMap<>();
        rebuild(model, (p, g) -> {
            if (p.equals(path)) {
                found.put(p, g);
            }
            return g;
        });
        GraphProto g = found.get(path);
        if (g == null) {
            throw new IllegalArgumentException("no graph at path '" + path + "' in " + model.graph().fileName());
        }
        return g;
    }

    /** Every graph of the model by path, in walk order (main graph first). */
    static Map<String, GraphProto> all(OnnxModel model) {
        Map<String, GraphProto> out = new LinkedHashMap<>();
        out.put("", model.proto().getGraph());
        rebuild(model, (p, g) -> {
            out.put(p, g);
            return g;
        });
        return out;
    }

    /** The model with the graph at {@code path} replaced by {@code body}. */
    static ModelProto replace(OnnxModel model, String path, GraphProto body) {
        return rebuild(model, (p, g) -> p.equals(path) ? body : g);
    }

    /**
     * Rewrites every graph bottom-up: {@code f} gets each graph's path and the graph with its
     * nested bodies already rewritten, and returns its replacement.
     */
    static ModelProto rebuild(OnnxModel model, BiFunction<String, GraphProto, GraphProto> f) {
        Iterator<NodeInfo> names = model.graph().nodes().iterator();
        GraphProto g = walk(model.proto().getGraph(), "", names, f);
        return model.proto().toBuilder().setGraph(g).build();
    }

    /**
     * The model with every node inside a body named as the model view names it, so that names
     * stay the same while edits add nodes elsewhere (the view synthesizes names of unnamed body
     * nodes from their position in the whole model).
     */
    static ModelProto nameBodyNodes(OnnxModel model) {
        return nameNodes(model, false);
    }

    /** As {@link #nameBodyNodes}; with {@code main} the main graph's unnamed nodes get their view names too. */
    static ModelProto nameNodes(OnnxModel model, boolean main) {
        Iterator<NodeInfo> names = model.graph().nodes().iterator();
        return model.proto().toBuilder().setGraph(name(model.proto().getGraph(), "", names, main)).build();
    }

    private static GraphProto name(GraphProto g, String path, Iterator<NodeInfo> names, boolean main) {
        GraphProto.Builder b = g.toBuilder();
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            String name = names.next().name();
            NodeProto.Builder nb = n.toBuilder();
            if ((main || !path.isEmpty()) && !n.getName().equals(name)) {
                nb.setName(name);
            }
            for (int a = 0; a < n.getAttributeCount(); a++) {
                AttributeProto attr = n.getAttribute(a);
                String sub = (path.isEmpty() ? "" : path + "/") + name + "." + attr.getName();
                if (attr.hasG() || attr.getGraphsCount() > 0) {
                    AttributeProto.Builder ab = attr.toBuilder();
                    for (int k = 0; k < attr.getGraphsCount(); k++) {
                        ab.setGraphs(k, name(attr.getGraphs(k), sub, names, main));
                    }
                    if (attr.hasG()) {
                        ab.setG(name(attr.getG(), sub, names, main));
                    }
                    nb.setAttribute(a, ab);
                }
            }
            b.setNode(i, nb);
        }
        return b.build();
    }

    private static GraphProto walk(GraphProto g, String path, Iterator<NodeInfo> names,
                                   BiFunction<String, GraphProto, GraphProto> f) {
        GraphProto.Builder b = null;
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            String name = names.next().name();
            NodeProto.Builder nb = null;
            for (int a = 0; a < n.getAttributeCount(); a++) {
                AttributeProto attr = n.getAttribute(a);
                if (!attr.hasG() && attr.getGraphsCount() == 0) {
                    continue;
                }
                String sub = (path.isEmpty() ? "" : path + "/") + name + "." + attr.getName();
                // The view walks attribute.graphs before attribute.g
                AttributeProto.Builder ab = attr.toBuilder();
                for (int k = 0; k < attr.getGraphsCount(); k++) {
                    ab.setGraphs(k, f.apply(sub, walk(attr.getGraphs(k), sub, names, f)));
                }
                if (attr.hasG()) {
                    ab.setG(f.apply(sub, walk(attr.getG(), sub, names, f)));
                }
                if (nb == null) {
                    nb = n.toBuilder();
                }
                nb.setAttribute(a, ab);
            }
            if (nb != null) {
                if (b == null) {
                    b = g.toBuilder();
                }
                b.setNode(i, nb);
            }
        }
        return b == null ? g : b.build();
    }

    /**
     * The graph that holds constant {@code value} as seen from the graph at {@code path}: that
     * graph or the nearest enclosing one with an initializer or Constant node of that name; null
     * when none does.
     */
    public static String owner(OnnxModel model, String path, String value) {
        Map<String, GraphProto> graphs = all(model);
        for (String p = path; p != null; p = parent(p, graphs.keySet())) {
            GraphProto g = graphs.get(p);
            if (g == null) {
                return null;
            }
            if (g.getInitializerList().stream().anyMatch(t -> t.getName().equals(value))
                    || g.getSparseInitializerList().stream().anyMatch(t -> t.getValues().getName().equals(value))
                    || g.getNodeList().stream().anyMatch(n -> n.getOpType().equals("Constant") && n.getOutputCount() == 1
                    && n.getOutput(0).equals(value))) {
                return p;
            }
        }
        return null;
    }

    /**
     * The model ready for edits inside bodies: body nodes named as the view names them
     * ({@link #nameBodyNodes}) and the weights in {@code targets} (name to body path) moved into
     * the body that alone reads them ({@link #localize}).
     */
    public static OnnxModel forBodyEdits(OnnxModel model, Map<String, String> targets) {
        OnnxModel named = OnnxReader.fromProto(nameBodyNodes(model), model.source());
        ModelProto p = localize(named, targets);
        OnnxModel out = p == named.proto() ? named : OnnxReader.fromProto(p, model.source());
        java.lang.ref.Reference.reachabilityFence(model); // its spills, until the new model holds them
        return out;
    }

    /**
     * Moves initializers of enclosing graphs into the body that alone reads them ({@code targets}:
     * weight name to body path), so that a method editing the body can replace them there. An
     * initializer also read elsewhere (or a graph output) stays where it is. Returns the model
     * unchanged when nothing moves.
     */
    static ModelProto localize(OnnxModel model, Map<String, String> targets) {
        Map<String, GraphProto> graphs = all(model);
        Map<String, List<String>> reads = new HashMap<>();
        for (var e : graphs.entrySet()) {
            List<String> r = new ArrayList<>();
            e.getValue().getNodeList().forEach(n -> r.addAll(n.getInputList()));
            e.getValue().getOutputList().forEach(v -> r.add(v.getName()));
            reads.put(e.getKey(), r);
        }
        Map<String, String> owner = new HashMap<>();
        Map<String, TensorProto> moved = new LinkedHashMap<>();
        Map<String, String> into = new HashMap<>();
        for (var t : targets.entrySet()) {
            String weight = t.getKey();
            String body = t.getValue();
            if (body.isEmpty()) {
                continue;
            }
            String own = null;
            TensorProto found = null;
            for (String p = parent(body, graphs.keySet()); p != null && found == null; p = parent(p, graphs.keySet())) {
                for (TensorProto i : graphs.get(p).getInitializerList()) {
                    if (i.getName().equals(weight)) {
                        found = i;
                        own = p;
                        break;
                    }
                }
            }
            if (found == null) {
                continue;
            }
            boolean elsewhere = false;
            for (var r : reads.entrySet()) {
                if (within(r.getKey(), own) && !within(r.getKey(), body) && r.getValue().contains(weight)) {
                    elsewhere = true;
                }
            }
            if (!elsewhere) {
                owner.put(weight, own);
                moved.put(weight, found);
                into.put(weight, body);
            }
        }
        if (moved.isEmpty()) {
            return model.proto();
        }
        BiFunction<String, GraphProto, GraphProto> f = (p, g) -> {
            GraphProto.Builder b = g.toBuilder();
            for (int i = b.getInitializerCount() - 1; i >= 0; i--) {
                String n = b.getInitializer(i).getName();
                if (p.equals(owner.get(n))) {
                    b.removeInitializer(i);
                }
            }
            for (int i = b.getInputCount() - 1; i >= 0; i--) {
                String n = b.getInput(i).getName();
                if (p.isEmpty() && "".equals(owner.get(n))) {
                    b.removeInput(i); // IR 3 lists initializers among the graph inputs
                }
            }
            moved.forEach((n, t) -> {
                if (p.equals(into.get(n))) {
                    b.addInitializer(t);
                }
            });
            return b.build();
        };
        ModelProto p = rebuild(model, f);
        return p.toBuilder().setGraph(f.apply("", p.getGraph())).build();
    }
}
