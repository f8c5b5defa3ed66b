package dev.whittle.core.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.UnsafeByteOperations;
import dev.whittle.core.BadInputException;
import dev.whittle.core.model.DataType;
import dev.whittle.core.model.NodeInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes quantization into a copy of one graph of a model (the main graph, or a body by
 * {@link #of(OnnxModel, String)}): weights behind DequantizeLinear,
 * Q/DQ pairs on activations, MatMul replaced by {@code com.microsoft::MatMulNBits} or by
 * DynamicQuantizeLinear + MatMulInteger. Nodes are addressed by the names of the model's
 * {@code ModelGraph} view (synthesized names included). The input model is never changed;
 * {@link #build()} returns a new checked model. New nodes are placed so the node list stays
 * topologically sorted: weight DequantizeLinear first, activation Q/DQ right after the
 * producer, replacements in place of the node they replace.
 */
public final class QdqEditor {
    private final OnnxModel model;
    private final GraphProto graph;
    private final List<NodeProto> nodes;
    private final Map<String, Integer> index = new HashMap<>();
    private final List<String> names = new ArrayList<>();
    private final Map<String, Integer> producer = new HashMap<>();
    private final Set<String> used = new HashSet<>();
    private final List<TensorProto> newInits = new ArrayList<>();
    private final List<NodeProto> prepend = new ArrayList<>();
    private final Map<Integer, List<NodeProto>> after = new HashMap<>();
    private final Map<Integer, List<NodeProto>> replaced = new HashMap<>();
    private final Set<String> maybeUnused = new LinkedHashSet<>();
    /** Initializers a node now produces under the same name ({@link #dequantizeWeightInPlace}). */
    private final Set<String> replacedInitializers = new HashSet<>();
    private final Map<String, String> sharedDynamic = new HashMap<>();
    private final String path;
    private long opset;
    private boolean microsoft;
    /** Where large new initializers go at once when the model is large (null: kept on the heap). */
    private final Spill spill;

    private QdqEditor(OnnxModel model, String path) {
        this.model = model;
        this.path = path;
        this.graph = path.isEmpty() ? model.proto().getGraph() : GraphPaths.locate(model, path);
        this.nodes = new ArrayList<>(graph.getNodeList());
        List<NodeInfo> infos = model.graph().nodes().stream().filter(n -> n.graphPath().equals(path)).toList();
        for (int i = 0; i < nodes.size(); i++) {
            index.put(infos.get(i).name(), i);
            names.add(infos.get(i).name());
            for (String o : nodes.get(i).getOutputList()) {
                producer.put(o, i);
            }
        }
        collectNames(model.proto().getGraph());
        this.opset = model.graph().defaultOpset();
        this.spill = !Spill.wanted(model) ? null : model.spills().isEmpty() ? Spill.create() : model.spills().get(0);
    }

    public static QdqEditor of(OnnxModel model) {
        return new QdqEditor(model, "");
    }

    /**
     * An editor of the graph at {@code path} ({@link GraphPaths}; {@code ""} the main graph):
     * new initializers and nodes go into that body, and {@link #build()} puts it back in place.
     */
    public static QdqEditor of(OnnxModel model, String path) {
        return new QdqEditor(model, path);
    }

    /** Input {@code i} of a main-graph node as written in the model (may be an Identity's output). */
    public String input(String node, int i) {
        NodeProto n = nodes.get(idx(node));
        return i < n.getInputCount() ? n.getInput(i) : "";
    }

    public String output(String node, int i) {
        return nodes.get(idx(node)).getOutput(i);
    }

    /** The name of the node that writes {@code tensor}, or null (a graph input, an initializer). */
    public String producerOf(String tensor) {
        Integer k = producer.get(tensor);
        return k == null ? null : nameAt(k);
    }

    /** The op type of node {@code node} (domain-qualified outside the default domain). */
    public String opOf(String node) {
        NodeProto n = nodes.get(idx(node));
        return n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx") ? n.getOpType() : n.getDomain() + "::" + n.getOpType();
    }

    /**
     * Every tensor's readers now (as edited so far), in graph order: one pass over the nodes, for
     * callers that ask about many tensors before editing (graph placement).
     */
    public Map<String, List<String>> readers() {
        Map<String, List<String>> out = new HashMap<>();
        for (int k = 0; k < nodes.size(); k++) {
            String name = nameAt(k);
            for (String in : new java.util.LinkedHashSet<>(nodes.get(k).getInputList())) {
                out.computeIfAbsent(in, t -> new ArrayList<>()).add(name);
            }
        }
        return out;
    }

    /** The nodes that read {@code tensor} now (as edited so far), in graph order. */
    public List<String> readersOf(String tensor) {
        List<String> out = new ArrayList<>();
        for (int k = 0; k < nodes.size(); k++) {
            if (nodes.get(k).getInputList().contains(tensor)) {
                out.add(nameAt(k));
            }
        }
        return out;
    }

    /** A float attribute of {@code node}, or {@code fallback} when it is absent. */
    public float floatAttr(String node, String key, float fallback) {
        for (AttributeProto a : nodes.get(idx(node)).getAttributeList()) {
            if (a.getName().equals(key)) {
                return a.getF();
            }
        }
        return fallback;
    }

    /** An integer attribute of {@code node}, or {@code fallback} when it is absent. */
    public long intAttr(String node, String key, long fallback) {
        for (AttributeProto a : nodes.get(idx(node)).getAttributeList()) {
            if (a.getName().equals(key)) {
                return a.getI();
            }
        }
        return fallback;
    }

    /** Adds a new initializer named after {@code base} (made unique) and returns its name. */
    public String constant(String base, TensorBytes t) {
        return initializer(base, t);
    }

    /** Appends {@code tensor} as the next input of {@code node} (e.g. a Gemm's missing C). */
    public void addInput(String node, String tensor) {
        int k = idx(node);
        nodes.set(k, nodes.get(k).toBuilder().addInput(tensor).build());
    }

    /** Whether {@code tensor} is an output of the graph being edited. */
    public boolean isGraphOutput(String tensor) {
        return graph.getOutputList().stream().anyMatch(v -> v.getName().equals(tensor));
    }

    private String nameAt(int k) {
        return names.get(k);
    }

    /**
     * Adds {@code weight}'s quantized form and a DequantizeLinear reading it, and returns the
     * DequantizeLinear's output. {@code axis} is ignored for a scalar scale; {@code block} > 0
     * makes it block-wise along {@code axis}. When {@code reshapeTo} is not null the codes are
     * stored in another shape (e.g. a Conv weight flattened to 2-D for blocks) and a Reshape to
     * {@code reshapeTo} follows the DequantizeLinear. The float weight is dropped at build time
     * if nothing reads it any more.
     */
    public String dequantizeWeight(String weight, TensorBytes q, TensorBytes scale, TensorBytes zeroPoint,
                                   int axis, int block, long[] reshapeTo) {
        String qName = initializer(weight + "_quantized", q);
        String sName = initializer(weight + "_scale", scale);
        String zName = zeroPoint == null ? "" : initializer(weight + "_zero_point", zeroPoint);
        String out = unique(weight + "_dequantized");
        NodeProto.Builder dq = NodeProto.newBuilder().setOpType("DequantizeLinear").setName(unique(weight + "_DequantizeLinear"))
                .addInput(qName).addInput(sName).addOutput(out);
        if (!zName.isEmpty()) {
            dq.addInput(zName);
        }
        if (scale.count() > 1 || scale.dims().length > 0) {
            dq.addAttribute(intAttr("axis", axis));
        }
        if (block > 0) {
            dq.addAttribute(intAttr("block_size", block));
        }
        require(needsOpset21(q.type()) || block > 0 ? 21 : scale.type() != DataType.FLOAT ? 19
                : scale.dims().length > 0 ? 13 : 10);
        prepend.add(dq.build());
        maybeUnused.add(weight);
        if (reshapeTo == null) {
            return out;
        }
        String shape = initializer(weight + "_shape", TensorBytes.int64(new long[] {reshapeTo.length}, reshapeTo));
        String reshaped = unique(weight + "_dequantized_reshaped");
        prepend.add(NodeProto.newBuilder().setOpType("Reshape").setName(unique(weight + "_Reshape"))
                .addInput(out).addInput(shape).addOutput(reshaped).build());
        return reshaped;
    }

    /**
     * As {@link #dequantizeWeight}, for a float initializer of this graph that nested bodies read
     * from the outer scope: the DequantizeLinear (or the Reshape after it) now outputs {@code
     * weight} itself and the float initializer goes, so every reader sees the dequantized values
     * under the same name and one quantized copy serves them all.
     */
    public void dequantizeWeightInPlace(String weight, TensorBytes q, TensorBytes scale, TensorBytes zeroPoint,
                                        int axis, int block, long[] reshapeTo) {
        String out = dequantizeWeight(weight, q, scale, zeroPoint, axis, block, reshapeTo);
        NodeProto last = prepend.remove(prepend.size() - 1);
        if (!last.getOutput(0).equals(out)) {
            throw new IllegalStateException("the last node added does not output " + out);
        }
        prepend.add(last.toBuilder().setOutput(0, weight).build());
        maybeUnused.remove(weight);
        replacedInitializers.add(weight);
    }

    /** Makes input {@code i} of {@code node} read {@code tensor}; the old input may become unused. */
    public void setInput(String node, int i, String tensor) {
        int k = idx(node);
        NodeProto n = nodes.get(k);
        maybeUnused.add(n.getInput(i));
        nodes.set(k, n.toBuilder().setInput(i, tensor).build());
    }

    /**
     * Puts QuantizeLinear then DequantizeLinear on {@code tensor} (per-tensor scale and zero
     * point) and makes the given nodes read the result; returns the DequantizeLinear output.
     */
    public String quantizeActivation(String tensor, float scale, TensorBytes zeroPoint, List<String> readers) {
        String dqOut = qdq(tensor, unique(tensor + "_dequantized"), scale, zeroPoint, placeAfter(tensor));
        for (String r : readers) {
            int k = idx(r);
            NodeProto.Builder b = nodes.get(k).toBuilder();
            for (int i = 0; i < b.getInputCount(); i++) {
                if (b.getInput(i).equals(tensor)) {
                    b.setInput(i, dqOut);
                }
            }
            nodes.set(k, b.build());
        }
        return dqOut;
    }

    /**
     * Puts QuantizeLinear then DequantizeLinear on output {@code i} of {@code node}, keeping the
     * output's name for what follows (the node writes a renamed tensor that the pair reads).
     */
    public void quantizeOutput(String node, int i, float scale, TensorBytes zeroPoint) {
        int k = idx(node);
        NodeProto n = nodes.get(k);
        String name = n.getOutput(i);
        String raw = unique(name + "_float");
        nodes.set(k, n.toBuilder().setOutput(i, raw).build());
        producer.put(raw, k);
        qdq(raw, name, scale, zeroPoint, k);
    }

    private String qdq(String tensor, String dqOut, float scale, TensorBytes zp, int place) {
        String sName = initializer(tensor + "_scale", TensorBytes.floats(new long[0], new float[] {scale}));
        String zName = initializer(tensor + "_zero_point", zp);
        String qOut = unique(tensor + "_quantized");
        NodeProto q = NodeProto.newBuilder().setOpType("QuantizeLinear").setName(unique(tensor + "_QuantizeLinear"))
                .addInput(tensor).addInput(sName).addInput(zName).addOutput(qOut).build();
        NodeProto dq = NodeProto.newBuilder().setOpType("DequantizeLinear").setName(unique(tensor + "_DequantizeLinear"))
                .addInput(qOut).addInput(sName).addInput(zName).addOutput(dqOut).build();
        require(needsOpset21(zp.type()) ? 21 : 10);
        List<NodeProto> list = place < 0 ? prepend : after.computeIfAbsent(place, x -> new ArrayList<>());
        list.add(q);
        list.add(dq);
        return dqOut;
    }

    /**
     * Replaces MatMul {@code node} (A x B, B a [K, N] constant) by MatMulNBits reading the packed
     * weight ([N, blocks, block * bits / 8] uint8), scales ([N * blocks]) and optional packed
     * zero points; without zero points the kernel uses 2^(bits-1).
     */
    public void matMulNBits(String node, TensorBytes packed, TensorBytes scales, TensorBytes zeroPoints,
                            long k, long n, int bits, int block) {
        int at = idx(node);
        NodeProto mm = nodes.get(at);
        String base = mm.getInput(1);
        NodeProto.Builder b = NodeProto.newBuilder().setOpType("MatMulNBits").setDomain("com.microsoft")
                .setName(unique(nameOf(mm, node) + "_MatMulNBits"))
                .addInput(mm.getInput(0))
                .addInput(initializer(base + "_nbits", packed))
                .addInput(initializer(base + "_nbits_scale", scales))
                .addOutput(mm.getOutput(0))
                .addAttribute(intAttr("K", k)).addAttribute(intAttr("N", n))
                .addAttribute(intAttr("bits", bits)).addAttribute(intAttr("block_size", block));
        if (zeroPoints != null) {
            b.addInput(initializer(base + "_nbits_zero_point", zeroPoints));
        }
        replaced.put(at, List.of(b.build()));
        maybeUnused.add(base);
        microsoft = true;
    }

    /**
     * Replaces MatMul {@code node} (A x W) by dynamic quantization: A goes through
     * DynamicQuantizeLinear (shared by every MatMul reading A), MatMulInteger multiplies by the
     * int8/uint8 weight {@code wq} ([K, N]) with zero point {@code wzp}, and the int32 result is
     * scaled by A's scale times {@code wscale} (scalar or [N]). DynamicQuantizeLinear reads
     * float32 only, so when the graph's float type {@code floatType} is float16 or bfloat16, A is
     * cast to float32 first and the result cast back to {@code floatType}; the scales stay float32
     * because their consumer (the Mul by A's float32 scale) expects float32.
     */
    public void dynamicMatMul(String node, TensorBytes wq, TensorBytes wzp, TensorBytes wscale, DataType floatType) {
        int at = idx(node);
        NodeProto mm = nodes.get(at);
        String a = mm.getInput(0);
        String w = mm.getInput(1);
        boolean cast = floatType != DataType.FLOAT;
        String aq = sharedDynamic.get(a);
        if (aq == null) {
            aq = unique(a + "_quantized");
            List<NodeProto> list = new ArrayList<>();
            String in = a;
            if (cast) {
                in = unique(a + "_float32");
                list.add(NodeProto.newBuilder().setOpType("Cast").setName(unique(a + "_Cast")).addInput(a).addOutput(in)
                        .addAttribute(intAttr("to", DataType.FLOAT.code())).build());
            }
            list.add(NodeProto.newBuilder().setOpType("DynamicQuantizeLinear").setName(unique(a + "_DynamicQuantizeLinear"))
                    .addInput(in).addOutput(aq).addOutput(aq + "_scale").addOutput(aq + "_zero_point").build());
            used.add(aq + "_scale");
            used.add(aq + "_zero_point");
            int p = placeAfter(a);
            (p < 0 ? prepend : after.computeIfAbsent(p, x -> new ArrayList<>())).addAll(list);
            sharedDynamic.put(a, aq);
        }
        String name = nameOf(mm, node);
        String wqName = initializer(w + "_quantized", wq);
        String wzName = initializer(w + "_zero_point", wzp);
        String wsName = initializer(w + "_scale", wscale);
        String y = unique(name + "_int32");
        String yf = unique(name + "_float");
        String s = unique(name + "_output_scale");
        String scaled = cast ? unique(name + "_float32_output") : mm.getOutput(0);
        List<NodeProto> list = new ArrayList<>(List.of(
                NodeProto.newBuilder().setOpType("MatMulInteger").setName(unique(name + "_MatMulInteger"))
                        .addInput(aq).addInput(wqName).addInput(aq + "_zero_point").addInput(wzName).addOutput(y).build(),
                NodeProto.newBuilder().setOpType("Cast").setName(unique(name + "_Cast")).addInput(y).addOutput(yf)
                        .addAttribute(intAttr("to", DataType.FLOAT.code())).build(),
                NodeProto.newBuilder().setOpType("Mul").setName(unique(name + "_scale_Mul")).addInput(aq + "_scale")
                        .addInput(wsName).addOutput(s).build(),
                NodeProto.newBuilder().setOpType("Mul").setName(unique(name + "_output_Mul")).addInput(yf).addInput(s)
                        .addOutput(scaled).build()));
        if (cast) {
            list.add(NodeProto.newBuilder().setOpType("Cast").setName(unique(name + "_output_Cast")).addInput(scaled)
                    .addOutput(mm.getOutput(0)).addAttribute(intAttr("to", floatType.code())).build());
        }
        replaced.put(at, list);
        maybeUnused.add(w);
        require(11);
    }

    /**
     * Replaces LSTM {@code node} by {@code com.microsoft::DynamicQuantizeLSTM}, ONNX Runtime's
     * LSTM with 8-bit weights whose input and hidden state are quantized on the fly: {@code wq}
     * and {@code rq} are the codes of W and R laid out [directions, inputs, 4 x hidden] (the
     * transpose of ONNX's LSTM W and R), the scales and zero points [directions, 4 x hidden] (or
     * [directions]); the other inputs and every attribute stay as they were (an explicit
     * {@code layout}, which must be 0, is dropped: the op does not know it).
     */
    public void dynamicLstm(String node, TensorBytes wq, TensorBytes wScale, TensorBytes wZeroPoint, TensorBytes rq,
                            TensorBytes rScale, TensorBytes rZeroPoint) {
        int at = idx(node);
        NodeProto lstm = nodes.get(at);
        String w = lstm.getInput(1);
        String r = lstm.getInput(2);
        NodeProto.Builder b = NodeProto.newBuilder().setOpType("DynamicQuantizeLSTM").setDomain("com.microsoft")
                .setName(unique(nameOf(lstm, node) + "_quant"))
                .addInput(lstm.getInput(0))
                .addInput(initializer(w + "_quantized", wq))
                .addInput(initializer(r + "_quantized", rq));
        for (int i = 3; i <= 7; i++) {
            b.addInput(i < lstm.getInputCount() ? lstm.getInput(i) : "");
        }
        b.addInput(initializer(w + "_scale", wScale)).addInput(initializer(w + "_zero_point", wZeroPoint))
                .addInput(initializer(r + "_scale", rScale)).addInput(initializer(r + "_zero_point", rZeroPoint))
                .addAllOutput(lstm.getOutputList());
        // DynamicQuantizeLSTM has LSTM's attributes but layout (it reads the default layout only)
        lstm.getAttributeList().stream().filter(a -> !a.getName().equals("layout")).forEach(b::addAttribute);
        replaced.put(at, List.of(b.build()));
        maybeUnused.add(w);
        maybeUnused.add(r);
        microsoft = true;
    }

    /**
     * Replaces Gather {@code node} (axis 0) of a table quantized per row by a Gather of the codes
     * followed by their dequantization: Cast to {@code floatType}, minus the gathered rows' zero
     * points (when {@code zeroPoints} is not null) and times their scales ({@code scales} and
     * {@code zeroPoints} are [rows, 1] in {@code floatType}, gathered by the same indices). Only the
     * rows read are converted; DequantizeLinear in front of the Gather would convert the whole
     * table at every run (an embedding table of 30,522 rows: milliseconds per sentence).
     */
    public void gatherDequantized(String node, TensorBytes codes, TensorBytes scales, TensorBytes zeroPoints,
                                  DataType floatType) {
        int at = idx(node);
        NodeProto g = nodes.get(at);
        String table = g.getInput(0);
        String indices = g.getInput(1);
        String name = nameOf(g, node);
        String c = unique(name + "_codes");
        String f = unique(name + "_codes_float");
        String sc = unique(name + "_row_scales");
        List<NodeProto> list = new ArrayList<>();
        list.add(g.toBuilder().setInput(0, initializer(table + "_quantized", codes)) // keeps its name: the layer's
                .clearOutput().addOutput(c).build());
        list.add(NodeProto.newBuilder().setOpType("Cast").setName(unique(name + "_Cast")).addInput(c).addOutput(f)
                .addAttribute(intAttr("to", floatType.code())).build());
        String centred = f;
        if (zeroPoints != null) {
            String zr = unique(name + "_row_zero_points");
            centred = unique(name + "_centred");
            list.add(NodeProto.newBuilder().setOpType("Gather").setName(unique(name + "_zero_point_Gather"))
                    .addInput(initializer(table + "_zero_point", zeroPoints)).addInput(indices).addOutput(zr).build());
            list.add(NodeProto.newBuilder().setOpType("Sub").setName(unique(name + "_Sub")).addInput(f).addInput(zr)
                    .addOutput(centred).build());
        }
        list.add(NodeProto.newBuilder().setOpType("Gather").setName(unique(name + "_scale_Gather"))
                .addInput(initializer(table + "_scale", scales)).addInput(indices).addOutput(sc).build());
        list.add(NodeProto.newBuilder().setOpType("Mul").setName(unique(name + "_Mul")).addInput(centred).addInput(sc)
                .addOutput(g.getOutput(0)).build());
        replaced.put(at, list);
        maybeUnused.add(table);
    }

    /** Raises the default-domain opset the result needs (the model is upgraded if older). */
    private void require(long version) {
        opset = Math.max(opset, version);
    }

    /** Builds the edited model (checked like any loaded model). */
    public OnnxModel build() {
        List<NodeProto> out = new ArrayList<>(prepend);
        for (int i = 0; i < nodes.size(); i++) {
            out.addAll(replaced.getOrDefault(i, List.of(nodes.get(i))));
            out.addAll(after.getOrDefault(i, List.of()));
        }
        GraphProto.Builder g = graph.toBuilder().clearNode().addAllNode(out).addAllInitializer(newInits);
        for (int i = g.getInitializerCount() - 1; i >= 0; i--) {
            if (replacedInitializers.contains(g.getInitializer(i).getName())) {
                g.removeInitializer(i);
            }
        }
        for (int i = g.getInputCount() - 1; i >= 0; i--) {
            if (replacedInitializers.contains(g.getInput(i).getName())) {
                g.removeInput(i); // IR 3 lists initializers among the graph inputs
            }
        }
        DeadWeights.drop(g, maybeUnused);
        ModelProto.Builder m = path.isEmpty() ? model.proto().toBuilder().setGraph(g)
                : GraphPaths.replace(model, path, g.build()).toBuilder();
        ModelProto p = OpsetUpgrade.upgrade(m.build(), opset, model.graph().fileName());
        if (microsoft) {
            p = OpsetUpgrade.importDomain(p, "com.microsoft", 1);
        }
        OnnxModel built = OnnxReader.fromProto(p, model.source());
        java.lang.ref.Reference.reachabilityFence(this); // keeps the spill registered until the new model holds it
        return built;
    }

    private int idx(String node) {
        Integer k = index.get(node);
        if (k == null) {
            throw new BadInputException("Node '" + node + "' is not in " + (path.isEmpty() ? "the main graph"
                    : "graph " + path) + " of " + model.graph().fileName() + ".");
        }
        return k;
    }

    /** Index of the node producing {@code tensor}, or -1 for graph inputs and initializers. */
    private int placeAfter(String tensor) {
        Integer p = producer.get(tensor);
        return p == null ? -1 : p;
    }

    private String initializer(String base, TensorBytes t) {
        String name = unique(base);
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(t.type().code())
                .setRawData(UnsafeByteOperations.unsafeWrap(t.bytes()));
        for (long d : t.dims()) {
            b.addDims(d);
        }
        newInits.add(spill == null || t.bytes().length < Spill.MIN_BYTES ? b.build()
                : spill.write(b, java.nio.ByteBuffer.wrap(t.bytes())));
        return name;
    }

    private String unique(String base) {
        String name = base;
        for (int k = 2; !used.add(name); k++) {
            name = base + "_" + k;
        }
        return name;
    }

    private static String nameOf(NodeProto n, String fallback) {
        return n.getName().isEmpty() ? fallback : n.getName();
    }

    private static boolean needsOpset21(DataType t) {
        return t == DataType.INT4 || t == DataType.UINT4;
    }

    static AttributeProto intAttr(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    private void collectNames(GraphProto g) {
        for (ValueInfoProto v : g.getInputList()) {
            used.add(v.getName());
        }
        for (ValueInfoProto v : g.getOutputList()) {
            used.add(v.getName());
        }
        for (TensorProto t : g.getInitializerList()) {
            used.add(t.getName());
        }
        for (var s : g.getSparseInitializerList()) {
            used.add(s.getValues().getName());
        }
        for (NodeProto n : g.getNodeList()) {
            used.add(n.getName());
            used.addAll(n.getOutputList());
            used.addAll(n.getInputList());
            for (AttributeProto a : n.getAttributeList()) {
                if (a.hasG()) {
                    collectNames(a.getG());
                }
                a.getGraphsList().forEach(this::collectNames);
            }
        }
    }
}
