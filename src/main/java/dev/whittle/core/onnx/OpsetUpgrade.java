package dev.whittle.core.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.whittle.core.BadInputException;
import dev.whittle.core.model.DataType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Raises a model's default-domain opset (quantization needs 13 for per-channel and 21 for int4
 * or blocks), rewriting the ops whose meaning changed on the way: attributes that became inputs
 * (Reduce* axes, Squeeze/Unsqueeze axes, Split split, Slice, TopK k, Pad, Clip, Dropout ratio),
 * Softmax-family axis semantics (13), Split num_outputs (18), RoiAlign's default coordinate
 * mode (16) and GridSample's mode names (20). Ops that cannot be carried over (Upsample,
 * Scatter, DFT, GroupNormalization) make it refuse with a message. Subgraphs are rewritten too.
 */
public final class OpsetUpgrade {
    /** Oldest opset this upgrade starts from. */
    public static final long MIN_FROM = 9;
    private static final Set<String> REDUCE_18 = Set.of("ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd",
            "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare");

    private final long from;
    private final long to;
    private final String file;
    private final Set<String> names = new HashSet<>();

    private OpsetUpgrade(long from, long to, String file) {
        this.from = from;
        this.to = to;
        this.file = file;
    }

    /** Returns {@code p} with its default opset at least {@code target} (unchanged if already). */
    public static ModelProto upgrade(ModelProto p, long target, String file) {
        long current = defaultOpset(p);
        if (current >= target) {
            return p;
        }
        if (current < MIN_FROM) {
            throw new BadInputException(file + " uses ONNX opset " + current + "; quantizing it needs opset " + target
                    + " and Whittle upgrades only from opset " + MIN_FROM + " on (re-export the model with a newer opset).");
        }
        OpsetUpgrade u = new OpsetUpgrade(current, target, file);
        u.collect(p.getGraph());
        GraphProto g = u.graph(p.getGraph());
        ModelProto.Builder b = p.toBuilder().setGraph(g);
        for (int i = 0; i < b.getOpsetImportCount(); i++) {
            OperatorSetIdProto o = b.getOpsetImport(i);
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                b.setOpsetImport(i, o.toBuilder().setVersion(target));
            }
        }
        b.setIrVersion(Math.max(b.getIrVersion(), irFor(target)));
        return b.build();
    }

    /**
     * What upgrading {@code model} to {@code target} adds to it: {parameters, bytes} of the
     * constant inputs that replace attributes (Reduce* axes and the like). Zeros when no upgrade
     * is needed or the model cannot be upgraded (quantizing it then fails with that message).
     */
    public static long[] added(OnnxModel model, long target) {
        ModelProto p = model.proto();
        ModelProto u;
        try {
            u = upgrade(p, target, model.graph().fileName());
        } catch (RuntimeException e) {
            return new long[2];
        }
        if (u == p) {
            return new long[2];
        }
        java.util.Set<String> before = new java.util.HashSet<>();
        p.getGraph().getInitializerList().forEach(t -> before.add(t.getName()));
        long params = 0;
        long bytes = 0;
        for (var t : u.getGraph().getInitializerList()) {
            if (!before.contains(t.getName())) {
                long n = 1;
                for (long d : t.getDimsList()) {
                    n *= d;
                }
                params += n;
                bytes += t.getSerializedSize() + 3;
            }
        }
        return new long[] {params, bytes};
    }

    /** Adds an opset import for {@code domain} if the model has none. */
    public static ModelProto importDomain(ModelProto p, String domain, long version) {
        if (p.getOpsetImportList().stream().anyMatch(o -> o.getDomain().equals(domain))) {
            return p;
        }
        return p.toBuilder().addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(domain).setVersion(version)).build();
    }

    static long defaultOpset(ModelProto p) {
        for (OperatorSetIdProto o : p.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                return o.getVersion();
            }
        }
        return -1;
    }

    /** The IR version that introduced an opset (ONNX's versioning table). */
    static long irFor(long opset) {
        if (opset >= 21) {
            return 10;
        }
        if (opset >= 19) {
            return 9;
        }
        if (opset >= 15) {
            return 8;
        }
        if (opset >= 13) {
            return 7;
        }
        return opset >= 11 ? 6 : 5;
    }

    private boolean crosses(long version) {
        return from < version && to >= version;
    }

    private GraphProto graph(GraphProto g) {
        GraphProto.Builder b = g.toBuilder().clearNode();
        for (NodeProto n : g.getNodeList()) {
            NodeProto.Builder nb = n.toBuilder();
            for (int i = 0; i < nb.getAttributeCount(); i++) {
                AttributeProto a = nb.getAttribute(i);
                if (a.hasG() || a.getGraphsCount() > 0) {
                    AttributeProto.Builder ab = a.toBuilder();
                    if (a.hasG()) {
                        ab.setG(graph(a.getG()));
                    }
                    for (int k = 0; k < a.getGraphsCount(); k++) {
                        ab.setGraphs(k, graph(a.getGraphs(k)));
                    }
                    nb.setAttribute(i, ab);
                }
            }
            boolean onnx = n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx");
            if (onnx) {
                b.addAllNode(adapt(nb, b));
            } else {
                b.addNode(nb);
            }
        }
        return b.build();
    }

    private List<NodeProto> adapt(NodeProto.Builder n, GraphProto.Builder g) {
        String op = n.getOpType();
        String where = "node '" + (n.getName().isEmpty() ? n.getOutput(0) : n.getName()) + "' (" + op + ")";
        if ((op.equals("Upsample") && crosses(10)) || (op.equals("Scatter") && crosses(11))
                || (op.equals("DFT") && crosses(20)) || (op.equals("GroupNormalization") && crosses(21))) {
            throw new BadInputException(file + ": cannot raise the opset from " + from + " to " + to + " because " + where
                    + " changed meaning in between; re-export the model with opset " + to + ".");
        }
        if (crosses(10) && op.equals("Slice")) {
            toInput(n, g, "starts", 1, DataType.INT64, true);
            toInput(n, g, "ends", 2, DataType.INT64, true);
            toInput(n, g, "axes", 3, DataType.INT64, true);
        }
        if (crosses(10) && op.equals("TopK")) {
            toInput(n, g, "k", 1, DataType.INT64, false);
        }
        if (crosses(11) && op.equals("Pad")) {
            toInput(n, g, "pads", 1, DataType.INT64, true);
            toInput(n, g, "value", 2, DataType.FLOAT, false);
        }
        if (crosses(11) && op.equals("Clip")) {
            toInput(n, g, "min", 1, DataType.FLOAT, false);
            toInput(n, g, "max", 2, DataType.FLOAT, false);
        }
        if (crosses(12) && op.equals("Dropout")) {
            toInput(n, g, "ratio", 1, DataType.FLOAT, false);
        }
        if (crosses(13) && (op.equals("ReduceSum") || op.equals("Squeeze") || op.equals("Unsqueeze"))) {
            toInput(n, g, "axes", 1, DataType.INT64, true);
        }
        if (crosses(13) && op.equals("Split")) {
            toInput(n, g, "split", 1, DataType.INT64, true);
        }
        if (crosses(18) && REDUCE_18.contains(op)) {
            toInput(n, g, "axes", 1, DataType.INT64, true);
        }
        if (crosses(18) && op.equals("Split") && (n.getInputCount() < 2 || n.getInput(1).isEmpty())
                && attr(n, "num_outputs") < 0) {
            n.addAttribute(QdqEditor.intAttr("num_outputs", n.getOutputCount()));
        }
        if (crosses(16) && op.equals("RoiAlign") && attr(n, "coordinate_transformation_mode") < 0) {
            n.addAttribute(AttributeProto.newBuilder().setName("coordinate_transformation_mode")
                    .setType(AttributeProto.AttributeType.STRING)
                    .setS(com.google.protobuf.ByteString.copyFromUtf8("output_half_pixel")));
        }
        if (crosses(20) && op.equals("GridSample")) {
            int i = attr(n, "mode");
            if (i >= 0) {
                String m = n.getAttribute(i).getS().toStringUtf8();
                String renamed = m.equals("bilinear") ? "linear" : m.equals("bicubic") ? "cubic" : m;
                n.setAttribute(i, n.getAttribute(i).toBuilder().setS(com.google.protobuf.ByteString.copyFromUtf8(renamed)));
            }
        }
        if (crosses(13) && (op.equals("Softmax") || op.equals("LogSoftmax") || op.equals("Hardmax"))) {
            return softmax(n);
        }
        return List.of(n.build());
    }

    /** Before 13 these ops flattened the input to 2-D at axis (default 1); keep that meaning. */
    private List<NodeProto> softmax(NodeProto.Builder n) {
        int i = attr(n, "axis");
        long axis = i < 0 ? 1 : n.getAttribute(i).getI();
        if (axis == -1) {
            return List.of(n.build());
        }
        if (i >= 0) {
            n.removeAttribute(i);
        }
        String x = n.getInput(0);
        String y = n.getOutput(0);
        String shape = unique(y + "_shape");
        String flat = unique(y + "_flat");
        String soft = unique(y + "_flat_out");
        String base = n.getName().isEmpty() ? y : n.getName();
        List<NodeProto> out = new ArrayList<>();
        out.add(NodeProto.newBuilder().setOpType("Shape").setName(unique(base + "_Shape")).addInput(x).addOutput(shape).build());
        out.add(NodeProto.newBuilder().setOpType("Flatten").setName(unique(base + "_Flatten")).addInput(x).addOutput(flat)
                .addAttribute(QdqEditor.intAttr("axis", axis)).build());
        out.add(n.setInput(0, flat).setOutput(0, soft).addAttribute(QdqEditor.intAttr("axis", -1)).build());
        out.add(NodeProto.newBuilder().setOpType("Reshape").setName(unique(base + "_Reshape")).addInput(soft).addInput(shape)
                .addOutput(y).build());
        return out;
    }

    /** Moves attribute {@code name} to input {@code pos} as a new initializer of the node's graph. */
    private void toInput(NodeProto.Builder n, GraphProto.Builder g, String name, int pos, DataType type, boolean list) {
        int i = attr(n, name);
        if (i < 0) {
            return;
        }
        AttributeProto a = n.getAttribute(i);
        n.removeAttribute(i);
        TensorProto.Builder t = TensorProto.newBuilder().setDataType(type.code())
                .setName(unique((n.getName().isEmpty() ? n.getOutput(0) : n.getName()) + "_" + name));
        if (type == DataType.INT64) {
            List<Long> v = list ? a.getIntsList() : List.of(a.getI());
            t.addAllInt64Data(v);
            if (list) {
                t.addDims(v.size());
            } else if (name.equals("k")) {
                t.addDims(1);
            }
        } else {
            t.addFloatData(a.getF());
        }
        g.addInitializer(t);
        while (n.getInputCount() < pos) {
            n.addInput("");
        }
        if (n.getInputCount() == pos) {
            n.addInput(t.getName());
        } else {
            n.setInput(pos, t.getName());
        }
    }

    private static int attr(NodeProto.Builder n, String name) {
        for (int i = 0; i < n.getAttributeCount(); i++) {
            if (n.getAttribute(i).getName().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private String unique(String base) {
        String name = base;
        for (int k = 2; !names.add(name); k++) {
            name = base + "_" + k;
        }
        return name;
    }

    private void collect(GraphProto g) {
        g.getInitializerList().forEach(t -> names.add(t.getName()));
        g.getInputList().forEach(v -> names.add(v.getName()));
        for (NodeProto n : g.getNodeList()) {
            names.add(n.getName());
            names.addAll(n.getOutputList());
            for (AttributeProto a : n.getAttributeList()) {
                if (a.hasG()) {
                    collect(a.getG());
                }
                a.getGraphsList().forEach(this::collect);
            }
        }
    }
}
