package dev.whittle.core.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.whittle.core.InternalException;
import dev.whittle.core.model.DataType;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * A copy of a model that also outputs chosen intermediate float tensors, serialized for ONNX
 * Runtime: how calibration observes activations. Graph inputs and existing outputs are not
 * added again. A tensor inside an If/Loop/Scan body is passed out level by level: it becomes an
 * output of its body and a new output of the node that owns the body (an If's other branch
 * outputs an empty tensor in its place; a Loop or Scan stacks it over the iterations as a scan
 * output), up to the main graph, under the name {@link #outputNames} gives.
 */
public final class ExposedOutputs {
    private static final String SUFFIX = "__whittle_exposed";

    /**
     * Whether an output name is a body tensor passed out: its shape may change from run to run
     * (an If's branch that did not run gives an empty tensor).
     */
    public static boolean fromBody(String output) {
        return output.contains(SUFFIX);
    }

    private ExposedOutputs() {
    }

    /** The model with {@code tensors} added as graph outputs. */
    public static ModelProto proto(OnnxModel model, List<String> tensors) {
        return exposing(model, tensors, new LinkedHashMap<>());
    }

    public static byte[] serialize(OnnxModel model, List<String> tensors) {
        return proto(model, tensors).toByteArray();
    }

    /**
     * The output name under which each tensor appears in the exposing model: the tensor's own
     * name in the main graph, a derived one for a tensor inside a body; tensors that cannot be
     * passed out (inside the body of an op other than If, Loop and Scan) are missing.
     */
    public static Map<String, String> outputNames(OnnxModel model, List<String> tensors) {
        Map<String, String> names = new LinkedHashMap<>();
        exposing(model, tensors, names);
        return names;
    }

    /**
     * Streams the model with the extra outputs to {@code file} (no copy of the whole model on
     * the heap). Only for models without external data, whose paths are relative to the
     * original model's folder.
     */
    public static void write(OnnxModel model, List<String> tensors, Path file) {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            proto(model, tensors).writeTo(out);
        } catch (IOException e) {
            throw new InternalException("cannot write the calibration model to " + file + ": " + e.getMessage(), e);
        }
    }

    /** A tensor on its way out: its name and the name it has in the graph being rewritten. */
    private record Passing(String tensor, String name) {
    }

    private static ModelProto exposing(OnnxModel model, List<String> tensors, Map<String, String> names) {
        Set<String> wanted = new LinkedHashSet<>(tensors);
        Map<String, List<Passing>> fromBody = new HashMap<>();
        int[] counter = {0};
        Map<String, List<String>> nodeNames = new HashMap<>();
        model.graph().nodes().forEach(x -> nodeNames.computeIfAbsent(x.graphPath(), k -> new ArrayList<>()).add(x.name()));
        BiFunction<String, GraphProto, GraphProto> f = (path, g) -> {
            GraphProto.Builder b = g.toBuilder();
            List<Passing> out = new ArrayList<>();
            if (!path.isEmpty()) {
                // a body's own inputs (a Loop's carried state, a Scan's slice) are its tensors too
                g.getInputList().forEach(v -> {
                    if (wanted.contains(v.getName())) {
                        out.add(new Passing(v.getName(), v.getName()));
                    }
                });
            }
            for (int i = 0; i < b.getNodeCount(); i++) {
                NodeProto n = b.getNode(i);
                for (String o : n.getOutputList()) {
                    if (!path.isEmpty() && wanted.contains(o)) {
                        out.add(new Passing(o, o));
                    }
                }
                NodeProto passed = passOut(n, nodeNames.get(path).get(i), path, fromBody, out, counter);
                if (passed != n) {
                    b.setNode(i, passed);
                }
            }
            fromBody.put(path, out);
            return b.build();
        };
        ModelProto p = GraphPaths.rebuild(model, f);
        GraphProto main = f.apply("", p.getGraph());
        GraphProto.Builder b = main.toBuilder();
        Set<String> present = new HashSet<>();
        b.getInputList().forEach(v -> present.add(v.getName()));
        b.getOutputList().forEach(v -> present.add(v.getName()));
        Map<String, String> bodyNames = new HashMap<>();
        fromBody.get("").forEach(x -> bodyNames.put(x.tensor(), x.name()));
        for (String t : tensors) {
            String name = bodyNames.getOrDefault(t, t);
            if (!bodyNames.containsKey(t) && !producedIn(main, t) && !present.contains(t)) {
                continue; // nowhere to be found, or inside a body no output can leave
            }
            names.put(t, name);
            if (present.add(name)) {
                b.addOutput(floatValue(name));
            }
        }
        return p.toBuilder().setGraph(b).build();
    }

    /**
     * Node {@code n} with new outputs for what its bodies pass out (If, Loop, Scan); each new
     * output joins {@code out}, what this graph passes on. Other nodes are returned as they are.
     */
    private static NodeProto passOut(NodeProto n, String name, String path, Map<String, List<Passing>> fromBody,
                                     List<Passing> out, int[] counter) {
        String prefix = (path.isEmpty() ? "" : path + "/") + name + ".";
        boolean onnx = n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx");
        String op = onnx ? n.getOpType() : "";
        if (!op.equals("If") && !op.equals("Loop") && !op.equals("Scan")) {
            return n;
        }
        List<Passing> then = fromBody.getOrDefault(prefix + (op.equals("If") ? "then_branch" : "body"), List.of());
        List<Passing> other = op.equals("If") ? fromBody.getOrDefault(prefix + "else_branch", List.of()) : List.of();
        if (then.isEmpty() && other.isEmpty()) {
            return n;
        }
        List<Passing> all = new ArrayList<>(then);
        all.addAll(other);
        NodeProto.Builder nb = n.toBuilder();
        List<String> outer = new ArrayList<>();
        for (Passing x : all) {
            String o = x.tensor() + SUFFIX + (counter[0]++);
            outer.add(o);
            nb.addOutput(o);
            out.add(new Passing(x.tensor(), o));
        }
        for (int a = 0; a < nb.getAttributeCount(); a++) {
            AttributeProto attr = nb.getAttribute(a);
            if (!attr.hasG()) {
                if (op.equals("Scan") && (attr.getName().equals("scan_output_axes")
                        || attr.getName().equals("scan_output_directions"))) {
                    AttributeProto.Builder ab = attr.toBuilder();
                    all.forEach(x -> ab.addInts(0));
                    nb.setAttribute(a, ab);
                }
                continue;
            }
            boolean isThen = !attr.getName().equals("else_branch");
            GraphProto.Builder body = attr.getG().toBuilder();
            for (int k = 0; k < all.size(); k++) {
                boolean mine = op.equals("If") ? (k < then.size()) == isThen : true;
                if (mine) {
                    // through an Identity: a value listed twice among a body's outputs (a tensor that is already
                    // one) makes ONNX Runtime hand the wrong buffer to the enclosing node
                    String copy = outer.get(k) + "_out";
                    body.addNode(NodeProto.newBuilder().setOpType("Identity").setName(copy).addInput(all.get(k).name())
                            .addOutput(copy));
                    body.addOutput(floatValue(copy));
                } else {
                    // the other branch of an If: an empty tensor in its place
                    String empty = outer.get(k) + "_empty";
                    body.addNode(NodeProto.newBuilder().setOpType("Constant").setName(empty).addOutput(empty)
                            .addAttribute(AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR)
                                    .setT(TensorProto.newBuilder().setDataType(DataType.FLOAT.code()).addDims(0))));
                    body.addOutput(floatValue(empty));
                }
            }
            nb.setAttribute(a, attr.toBuilder().setG(body));
        }
        return nb.build();
    }

    private static boolean producedIn(GraphProto g, String t) {
        return g.getNodeList().stream().anyMatch(n -> n.getOutputList().contains(t));
    }

    private static ValueInfoProto floatValue(String name) {
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(DataType.FLOAT.code()))).build();
    }
}
