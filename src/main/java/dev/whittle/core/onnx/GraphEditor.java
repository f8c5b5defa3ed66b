package dev.whittle.core.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.SparseTensorProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.whittle.core.model.TensorData;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Edits a copy of a model's main graph for the compression transforms, so that they never touch
 * protobuf: look nodes up by the names the model view uses, find producers and consumers,
 * replace constant tensors (computed as float32, written in the constant's own float type:
 * float32, float16, bfloat16), add tensors, rewire inputs, replace a node by several.
 * Nodes keep their original indices while editing; {@link #build} writes the new model and
 * checks it. The input model is never modified.
 *
 * <p>One graph is edited: the main graph ({@link #of(OnnxModel)}) or one If/Loop/Scan body
 * ({@link #of(OnnxModel, String)}). Nodes of nested bodies are not listed; a value read inside a
 * nested body counts as a consumer with slot -1, and values of enclosing graphs are neither
 * constants nor inputs here.
 */
public final class GraphEditor {
    /** A place where a value is read: node index and input slot (-1: inside a subgraph). */
    public record Use(int node, int slot) {
    }

    private enum Kind { INITIALIZER, SPARSE, CONSTANT_NODE }

    private record ConstRef(Kind kind, int index) {
    }

    /**
     * New values of a constant, computed in float32 and written back as {@code type}: on the heap
     * ({@code values}), or already written to the editor's {@link Spill} ({@code spilled}).
     */
    private record Data(long[] dims, float[] values, dev.whittle.core.model.DataType type, TensorProto spilled) {
        Data(long[] dims, float[] values, dev.whittle.core.model.DataType type) {
            this(dims, values, type, null);
        }

        float[] floats() {
            return values != null ? values : Spill.floats(spilled, type, dims);
        }
    }

    private final OnnxModel model;
    private final GraphProto graph;
    private final String[] names;
    private final Map<String, Integer> byName = new HashMap<>();
    private final Map<String, Integer> producers = new HashMap<>();
    private final Map<String, List<Use>> uses = new HashMap<>();
    private final Map<String, ConstRef> constants = new HashMap<>();
    private final Set<String> outputs = new LinkedHashSet<>();
    private final Set<String> inputs = new LinkedHashSet<>();
    private final Set<String> taken = new HashSet<>();

    private final Map<Integer, NodeProto.Builder> modified = new HashMap<>();
    private final Map<Integer, List<GraphNode>> replaced = new HashMap<>();
    private final Map<String, Data> data = new LinkedHashMap<>();
    private final Map<String, Data> added = new LinkedHashMap<>();
    private final Map<String, long[]> addedInt64 = new LinkedHashMap<>();
    private final Set<String> sparse = new HashSet<>();
    private final Set<String> maybeUnused = new LinkedHashSet<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private boolean clearValueInfo;
    private final String path;
    /** Where new weights go as they are set when the model is large (null: kept on the heap). */
    private final Spill spill;

    private GraphEditor(OnnxModel model, String path) {
        this.model = model;
        this.path = path;
        this.spill = !Spill.wanted(model) ? null : model.spills().isEmpty() ? Spill.create() : model.spills().get(0);
        this.graph = path.isEmpty() ? model.proto().getGraph() : GraphPaths.locate(model, path);
        names = new String[graph.getNodeCount()];
        List<String> viewNames = model.graph().nodes().stream().filter(n -> n.graphPath().equals(path))
                .map(dev.whittle.core.model.NodeInfo::name).toList();
        if (!path.isEmpty()) {
            // new names must not clash with any name of the model: bodies see the outer scopes
            Set<String> all = new HashSet<>();
            GraphPaths.all(model).values().forEach(g -> collectNames(g, all));
            taken.addAll(all);
        }
        for (int i = 0; i < names.length; i++) {
            NodeProto n = graph.getNode(i);
            // The model view's names (synthesized for unnamed nodes)
            String name = viewNames.get(i);
            names[i] = name;
            byName.put(name, i);
            taken.add(name);
            for (int s = 0; s < n.getInputCount(); s++) {
                uses.computeIfAbsent(n.getInput(s), x -> new ArrayList<>()).add(new Use(i, s));
            }
            for (String out : n.getOutputList()) {
                producers.put(out, i);
                taken.add(out);
            }
            for (AttributeProto a : n.getAttributeList()) {
                List<GraphProto> subs = new ArrayList<>(a.getGraphsList());
                if (a.hasG()) {
                    subs.add(a.getG());
                }
                for (GraphProto sub : subs) {
                    Set<String> read = new HashSet<>();
                    collectReads(sub, read);
                    for (String r : read) {
                        uses.computeIfAbsent(r, x -> new ArrayList<>()).add(new Use(i, -1));
                    }
                }
            }
            if (n.getOpType().equals("Constant") && ModelViewBuilder.isDefaultDomain(n) && n.getOutputCount() == 1) {
                constants.put(n.getOutput(0), new ConstRef(Kind.CONSTANT_NODE, i));
            }
        }
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            constants.put(graph.getInitializer(i).getName(), new ConstRef(Kind.INITIALIZER, i));
            taken.add(graph.getInitializer(i).getName());
        }
        for (int i = 0; i < graph.getSparseInitializerCount(); i++) {
            constants.put(graph.getSparseInitializer(i).getValues().getName(), new ConstRef(Kind.SPARSE, i));
            taken.add(graph.getSparseInitializer(i).getValues().getName());
        }
        graph.getOutputList().forEach(v -> outputs.add(v.getName()));
        graph.getInputList().forEach(v -> inputs.add(v.getName()));
        taken.addAll(inputs);
        taken.addAll(outputs);
    }

    public static GraphEditor of(OnnxModel model) {
        return new GraphEditor(model, "");
    }

    /**
     * An editor of the graph at {@code path} ({@link GraphPaths}; {@code ""} the main graph): its
     * nodes, its own initializers and Constant nodes; values of enclosing graphs read in it are
     * neither constants nor inputs here. {@link #build()} puts the body back in place.
     */
    public static GraphEditor of(OnnxModel model, String path) {
        return new GraphEditor(model, path);
    }

    /** The path of the graph this editor edits ({@code ""}: the main graph). */
    public String path() {
        return path;
    }

    public OnnxModel model() {
        return model;
    }

    public int nodeCount() {
        return names.length;
    }

    public Optional<Integer> nodeIndex(String nodeName) {
        return Optional.ofNullable(byName.get(nodeName));
    }

    /** The node at {@code index} as it stands now (with any input or attribute changes). */
    public GraphNode node(int index) {
        if (replaced.containsKey(index)) {
            throw new IllegalStateException("node " + names[index] + " was replaced");
        }
        NodeProto n = modified.containsKey(index) ? modified.get(index).build() : graph.getNode(index);
        Map<String, Object> attrs = new LinkedHashMap<>();
        for (AttributeProto a : n.getAttributeList()) {
            switch (a.getType()) {
                case INT -> attrs.put(a.getName(), a.getI());
                case FLOAT -> attrs.put(a.getName(), a.getF());
                case STRING -> attrs.put(a.getName(), a.getS().toStringUtf8());
                case INTS -> attrs.put(a.getName(), a.getIntsList().stream().mapToLong(Long::longValue).toArray());
                case FLOATS -> {
                    float[] f = new float[a.getFloatsCount()];
                    for (int k = 0; k < f.length; k++) {
                        f[k] = a.getFloats(k);
                    }
                    attrs.put(a.getName(), f);
                }
                default -> { }
            }
        }
        return new GraphNode(names[index], n.getOpType(), n.getDomain(), n.getInputList(), n.getOutputList(), attrs);
    }

    /** Where {@code value} is read in the main graph (original wiring). */
    public List<Use> uses(String value) {
        return List.copyOf(uses.getOrDefault(value, List.of()));
    }

    /** Index of the node producing {@code value}, or -1 (graph input, constant initializer). */
    public int producer(String value) {
        return producers.getOrDefault(value, -1);
    }

    public boolean isGraphOutput(String value) {
        return outputs.contains(value);
    }

    public boolean isGraphInput(String value) {
        return inputs.contains(value) && !constants.containsKey(value);
    }

    /** Whether {@code value} is a constant of the main graph (initializer or Constant node). */
    public boolean isConstant(String value) {
        return constants.containsKey(value) || added.containsKey(value) || addedInt64.containsKey(value);
    }

    /** Dims of a constant as it stands now. */
    public long[] dims(String value) {
        Data d = current(value);
        if (d != null) {
            return d.dims().clone();
        }
        return tensor(value).dims();
    }

    /** Values of a numeric constant as float (a fresh array), as it stands now. */
    public float[] floats(String value) {
        Data d = current(value);
        if (d != null) {
            return d.values() != null ? d.values().clone() : d.floats();
        }
        if (addedInt64.containsKey(value)) {
            long[] v = addedInt64.get(value);
            float[] f = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                f[i] = v[i];
            }
            return f;
        }
        return tensor(value).toFloatArray();
    }

    /** The original tensor behind a constant name. */
    public TensorData tensor(String value) {
        if (!constants.containsKey(value)) {
            throw new IllegalArgumentException("'" + value + "' is not a constant of the main graph");
        }
        return model.graph().constant(value).orElseThrow();
    }

    private Data current(String value) {
        return data.containsKey(value) ? data.get(value) : added.get(value);
    }

    /**
     * Replaces the values (and possibly dims) of an existing constant; it is written in its own
     * float type (float32, float16, bfloat16 or float64; any other type is written as float32).
     */
    public void setTensor(String value, long[] dims, float[] values) {
        if (added.containsKey(value)) {
            added.put(value, data(value, dims, values, added.get(value).type(), true));
            return;
        }
        if (!constants.containsKey(value)) {
            throw new IllegalArgumentException("'" + value + "' is not a constant of the main graph");
        }
        checkCount(value, dims, values.length);
        data.put(value, data(value, dims, values, writable(tensor(value).type()),
                constants.get(value).kind() != Kind.CONSTANT_NODE));
    }

    /**
     * New values, written to the spill at once when there is one and the tensor is large (only
     * initializers: a Constant node keeps its value inline), else a copy kept until build.
     */
    private Data data(String name, long[] dims, float[] values, dev.whittle.core.model.DataType type, boolean initializer) {
        if (spill == null || !initializer || type.storageBytes(values.length) < Spill.MIN_BYTES) {
            return new Data(dims.clone(), values.clone(), type);
        }
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type.code());
        for (long d : dims) {
            t.addDims(d);
        }
        return new Data(dims.clone(), null, type, spill.writeFloats(t, type, values));
    }

    /** The float type a constant of {@code type} is written back in. */
    private static dev.whittle.core.model.DataType writable(dev.whittle.core.model.DataType type) {
        return switch (type) {
            case FLOAT16, BFLOAT16, DOUBLE -> type;
            default -> dev.whittle.core.model.DataType.FLOAT;
        };
    }

    /** The float type a constant is (or will be) written in: float32, float16, bfloat16 or float64. */
    public dev.whittle.core.model.DataType floatType(String value) {
        Data d = current(value);
        if (d != null) {
            return d.type();
        }
        return writable(tensor(value).type());
    }

    /** Adds a float32 initializer named like {@code base} (made unique); returns its name. */
    public String addTensor(String base, long[] dims, float[] values) {
        return addTensor(base, dims, values, dev.whittle.core.model.DataType.FLOAT);
    }

    /** Adds an initializer of float type {@code type} (float32, float16, bfloat16) named like {@code base}. */
    public String addTensor(String base, long[] dims, float[] values, dev.whittle.core.model.DataType type) {
        String name = uniqueName(base);
        checkCount(name, dims, values.length);
        added.put(name, data(name, dims, values, writable(type), true));
        return name;
    }

    /** Adds an int64 initializer (shapes for Reshape); returns its name. */
    public String addInt64Tensor(String base, long[] values) {
        String name = uniqueName(base);
        addedInt64.put(name, values.clone());
        return name;
    }

    /** Writes this constant as a {@code sparse_initializer} (only for initializers). */
    public void writeSparse(String value) {
        ConstRef ref = constants.get(value);
        if (ref == null || ref.kind() == Kind.CONSTANT_NODE) {
            throw new IllegalArgumentException("'" + value + "' is not an initializer");
        }
        sparse.add(value);
    }

    /** A name used by no node, value, initializer or graph input yet (and reserves it). */
    public String uniqueName(String base) {
        String name = base;
        for (int k = 2; !taken.add(name); k++) {
            name = base + "_" + k;
        }
        return name;
    }

    public void setInput(int node, int slot, String value) {
        builder(node).setInput(slot, value);
    }

    /** Sets an int attribute of a kept node. */
    public void setAttr(int node, String key, long value) {
        NodeProto.Builder b = builder(node);
        for (int i = 0; i < b.getAttributeCount(); i++) {
            if (b.getAttribute(i).getName().equals(key)) {
                b.setAttribute(i, attribute(key, value));
                return;
            }
        }
        b.addAttribute(attribute(key, value));
    }

    /** Replaces node {@code index} by {@code nodes}, at the same place in the node list. */
    public void replaceNode(int index, List<GraphNode> nodes) {
        modified.remove(index);
        replaced.put(index, List.copyOf(nodes));
        nodes.forEach(n -> {
            taken.add(n.name());
            taken.addAll(n.outputs());
        });
    }

    /** Removes this constant (and an Identity chain that only forwarded it) when no node reads it after the edits. */
    public void dropIfUnused(String value) {
        maybeUnused.add(value);
    }

    /** Sets a {@code metadata_props} entry of the built model (replacing one with the same key). */
    public void setMetadata(String key, String value) {
        metadata.put(key, value);
    }

    /** Drops the graph's value_info (intermediate shapes), which edits that change shapes make stale. */
    public void clearValueInfo() {
        clearValueInfo = true;
    }

    private NodeProto.Builder builder(int node) {
        if (replaced.containsKey(node)) {
            throw new IllegalStateException("node " + names[node] + " was replaced");
        }
        return modified.computeIfAbsent(node, i -> graph.getNode(i).toBuilder());
    }

    private static void checkCount(String name, long[] dims, int count) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        if (n != count) {
            throw new IllegalArgumentException("tensor '" + name + "': dims hold " + n + " values, given " + count);
        }
    }

    /** The edited model, checked as any loaded model is ({@link OnnxReader#fromProto}). */
    public OnnxModel build() {
        return build(false);
    }

    /**
     * As {@link #build()}, but each changed weight's floats are let go as soon as its bytes are
     * in the new model, so a transform of a large model holds its changed weights about once,
     * not twice. The editor must not be used afterwards.
     */
    public OnnxModel buildReleasing() {
        return build(true);
    }

    private OnnxModel build(boolean release) {
        GraphProto.Builder g = graph.toBuilder().clearNode().clearInitializer().clearSparseInitializer();
        for (int i = 0; i < names.length; i++) {
            if (replaced.containsKey(i)) {
                replaced.get(i).forEach(n -> g.addNode(proto(n)));
            } else {
                NodeProto n = modified.containsKey(i) ? modified.get(i).build() : graph.getNode(i);
                Data d = n.getOpType().equals("Constant") && n.getOutputCount() == 1 ? data.get(n.getOutput(0)) : null;
                g.addNode(d == null ? n : n.toBuilder().clearAttribute()
                        .addAttribute(AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR)
                                .setT(TensorProtos.floats(n.getOutput(0), d.dims(), d.values(), d.type()))).build());
            }
        }
        for (TensorProto t : graph.getInitializerList()) {
            addInitializer(g, t.getName(), release ? data.remove(t.getName()) : data.get(t.getName()), t);
        }
        for (SparseTensorProto s : graph.getSparseInitializerList()) {
            String name = s.getValues().getName();
            Data d = data.get(name);
            if (d == null) {
                g.addSparseInitializer(s);
            } else {
                addInitializer(g, name, d, null);
            }
        }
        for (var it = added.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            addInitializer(g, e.getKey(), e.getValue(), null);
            if (release) {
                it.remove();
            }
        }
        addedInt64.forEach((name, v) -> g.addInitializer(TensorProtos.int64s(name, new long[] {v.length}, v)));
        if (model.proto().getIrVersion() < 4 && path.isEmpty()) {
            fixInitializerInputs(g);
        }
        if (clearValueInfo) {
            g.clearValueInfo();
        }
        if (!maybeUnused.isEmpty()) {
            DeadWeights.drop(g, maybeUnused);
        }
        ModelProto.Builder mb = path.isEmpty() ? model.proto().toBuilder().setGraph(g)
                : GraphPaths.replace(model, path, g.build()).toBuilder();
        if (!metadata.isEmpty()) {
            List<ai.onnx.proto.OnnxMl.StringStringEntryProto> kept = new ArrayList<>(mb.getMetadataPropsList());
            kept.removeIf(e -> metadata.containsKey(e.getKey()));
            mb.clearMetadataProps().addAllMetadataProps(kept);
            metadata.forEach((k, v) -> mb.addMetadataProps(ai.onnx.proto.OnnxMl.StringStringEntryProto.newBuilder()
                    .setKey(k).setValue(v)));
        }
        ModelProto proto = mb.build();
        OnnxModel built = OnnxReader.fromProto(proto, model.source());
        // The new tensors may be in this editor's spill, which must stay registered until the
        // new model holds it (an editor, like any object, can be collected inside its own method).
        java.lang.ref.Reference.reachabilityFence(this);
        return built;
    }

    private void addInitializer(GraphProto.Builder g, String name, Data d, TensorProto original) {
        if (d == null) {
            g.addInitializer(original);
        } else if (sparse.contains(name)) {
            g.addSparseInitializer(TensorProtos.sparse(name, d.dims(), d.floats(), d.type()));
        } else if (d.spilled() != null) {
            g.addInitializer(d.spilled());
        } else {
            g.addInitializer(TensorProtos.floats(name, d.dims(), d.values(), d.type()));
        }
    }

    /** IR 3 lists initializers among the graph inputs: keep their shapes and add the new ones. */
    private void fixInitializerInputs(GraphProto.Builder g) {
        for (int i = 0; i < g.getInputCount(); i++) {
            Data d = data.get(g.getInput(i).getName());
            if (d != null) {
                g.setInput(i, valueInfo(g.getInput(i).getName(), d.dims(), d.type().code()));
            }
        }
        added.forEach((name, d) -> g.addInput(valueInfo(name, d.dims(), d.type().code())));
        addedInt64.forEach((name, v) -> g.addInput(valueInfo(name, new long[] {v.length}, 7)));
    }

    private static ValueInfoProto valueInfo(String name, long[] dims, int elemType) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(ai.onnx.proto.OnnxMl.TypeProto.newBuilder()
                .setTensorType(ai.onnx.proto.OnnxMl.TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(shape))).build();
    }

    private static NodeProto proto(GraphNode n) {
        NodeProto.Builder b = NodeProto.newBuilder().setName(n.name()).setOpType(n.op())
                .addAllInput(n.inputs()).addAllOutput(n.outputs());
        if (n.domain() != null && !n.domain().isEmpty()) {
            b.setDomain(n.domain());
        }
        n.attrs().forEach((k, v) -> b.addAttribute(attribute(k, v)));
        return b.build();
    }

    private static AttributeProto attribute(String key, Object v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(key);
        if (v instanceof Long l) {
            a.setType(AttributeProto.AttributeType.INT).setI(l);
        } else if (v instanceof Integer i) {
            a.setType(AttributeProto.AttributeType.INT).setI(i);
        } else if (v instanceof Float f) {
            a.setType(AttributeProto.AttributeType.FLOAT).setF(f);
        } else if (v instanceof String s) {
            a.setType(AttributeProto.AttributeType.STRING).setS(com.google.protobuf.ByteString.copyFromUtf8(s));
        } else if (v instanceof long[] ints) {
            a.setType(AttributeProto.AttributeType.INTS);
            for (long x : ints) {
                a.addInts(x);
            }
        } else if (v instanceof float[] fs) {
            a.setType(AttributeProto.AttributeType.FLOATS);
            for (float x : fs) {
                a.addFloats(x);
            }
        } else {
            throw new IllegalArgumentException("attribute '" + key + "' has unsupported value " + v);
        }
        return a.build();
    }

    private static void collectNames(GraphProto g, Set<String> out) {
        g.getInputList().forEach(v -> out.add(v.getName()));
        g.getOutputList().forEach(v -> out.add(v.getName()));
        g.getInitializerList().forEach(t -> out.add(t.getName()));
        g.getSparseInitializerList().forEach(t -> out.add(t.getValues().getName()));
        for (NodeProto n : g.getNodeList()) {
            out.add(n.getName());
            out.addAll(n.getInputList());
            out.addAll(n.getOutputList());
        }
    }

    private static void collectReads(GraphProto g, Set<String> out) {
        for (NodeProto n : g.getNodeList()) {
            out.addAll(n.getInputList());
            for (AttributeProto a : n.getAttributeList()) {
                if (a.hasG()) {
                    collectReads(a.getG(), out);
                }
                a.getGraphsList().forEach(s -> collectReads(s, out));
            }
        }
        g.getOutputList().forEach(v -> out.add(v.getName()));
    }
}
