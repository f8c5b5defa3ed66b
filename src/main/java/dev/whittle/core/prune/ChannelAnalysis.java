package dev.whittle.core.prune;

import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.GraphEditor;
import dev.whittle.core.onnx.GraphNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Follows each selected layer's output channels through the graph, to find what must change
 * when some are removed: its weight rows and bias, per-channel constants on the way (bias Add,
 * BatchNormalization, PRelu), the input columns of the layers that consume them (through
 * Flatten/Reshape with each channel spanning several features), and which layers must share one
 * channel set (residual Add, Mul, Concat of their outputs). Whatever it cannot follow exactly
 * (a graph output, an unknown op, a grouped Conv, a mismatched broadcast) blocks the channels it
 * reaches, with the reason.
 */
final class ChannelAnalysis {
    /** The prunable output channels of one selected layer; merged spaces share one channel set. */
    static final class Space {
        final int id;
        final WeightLayer layer;
        final int channels;
        int parent;
        String blocked;

        Space(int id, WeightLayer layer, int channels) {
            this.id = id;
            this.layer = layer;
            this.channels = channels;
            this.parent = id;
        }
    }

    /** Slice the constant read at (node, slot) along {@code axis} as {@code layout} says. */
    record Slice(int node, int slot, String constant, int axis, Layout layout) {
    }

    /** A Reshape whose explicit feature count must follow the kept channels. */
    record ShapeFix(int node, long first, long perChannel, Layout layout) {
    }

    static final Set<String> UNARY = Set.of("Relu", "LeakyRelu", "Sigmoid", "Tanh", "Elu", "Selu", "Celu",
            "HardSigmoid", "HardSwish", "Softplus", "Softsign", "Gelu", "Erf", "Identity", "Dropout", "Clip", "Neg",
            "Abs", "Exp", "Log", "Sqrt", "Reciprocal", "Mish", "ThresholdedRelu", "Cast");
    static final Set<String> POOLS = Set.of("MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "LpPool",
            "GlobalLpPool");
    static final Set<String> BINARY = Set.of("Add", "Sub", "Mul", "Div", "PRelu");

    final List<Space> spaces = new ArrayList<>();
    final List<Slice> slices = new ArrayList<>();
    final List<ShapeFix> shapeFixes = new ArrayList<>();
    /** Depthwise Convs that pass channels through: their group follows the kept count. */
    final Map<Integer, Layout> groupFixes = new HashMap<>();

    private final GraphEditor ed;
    private final Map<String, WeightLayer> layers;
    private final Set<String> selected;
    private final Map<String, Layout> layouts = new HashMap<>();

    /**
     * @param layers   every weight layer of the main graph, by node name
     * @param selected node names of the layers whose output channels may be pruned
     */
    ChannelAnalysis(GraphEditor ed, Map<String, WeightLayer> layers, Set<String> selected) {
        this.ed = ed;
        this.layers = layers;
        this.selected = selected;
    }

    int root(int space) {
        Space s = spaces.get(space);
        while (s.parent != s.id) {
            s = spaces.get(s.parent);
        }
        return s.id;
    }

    ChannelAnalysis run() {
        for (int i : topologicalOrder()) {
            GraphNode n = ed.node(i);
            Layout out = visit(i, n);
            for (int k = 0; k < n.outputs().size(); k++) {
                String v = n.outputs().get(k);
                if (v.isEmpty()) {
                    continue;
                }
                if (k == 0 && out != null) {
                    layouts.put(v, out);
                    if (ed.isGraphOutput(v)) {
                        block(out, ed.path().isEmpty() ? "its channels reach the graph output '" + v + "', whose shape must stay"
                                : "its channels leave the body " + ed.path() + " through its output '" + v
                                + "': removing them would cross the body's boundary");
                    }
                    if (ed.uses(v).stream().anyMatch(u -> u.slot() < 0)) {
                        block(out, "its channels are read inside a nested If/Loop/Scan body: removing them would cross a graph"
                                + " boundary");
                    }
                } else if (k > 0 && !ed.uses(v).isEmpty() && !isWeightOp(n)) {
                    inputs(n).forEach(l -> block(l, n.op() + " '" + n.name() + "' has a second output in use"));
                }
            }
        }
        return this;
    }

    private static boolean isWeightOp(GraphNode n) {
        return n.op().equals("Conv") || n.op().equals("Gemm") || n.op().equals("MatMul");
    }

    private List<Layout> inputs(GraphNode n) {
        List<Layout> out = new ArrayList<>();
        n.inputs().forEach(v -> {
            if (layouts.containsKey(v)) {
                out.add(layouts.get(v));
            }
        });
        return out;
    }

    private Layout visit(int i, GraphNode n) {
        Layout in0 = layouts.get(n.input(0));
        WeightLayer layer = layers.get(n.name());
        if (layer != null && n.isDefaultDomain() && isWeightOp(n)) {
            return WeightNodes.visit(this, ed, i, n, layer, in0, selected.contains(n.name()));
        }
        List<Layout> ins = inputs(n);
        if (ins.isEmpty() || !n.isDefaultDomain()) {
            if (!ins.isEmpty()) {
                ins.forEach(l -> block(l, "its channels reach " + n.domain() + "::" + n.op() + " '" + n.name() + "'"));
            }
            return null;
        }
        if (UNARY.contains(n.op())) {
            return in0;
        }
        if (POOLS.contains(n.op())) {
            return in0 != null && in0.axis() == 1 ? in0 : block(in0, n.op() + " '" + n.name() + "' needs the channels on axis 1");
        }
        if (BINARY.contains(n.op())) {
            return binary(i, n);
        }
        if (in0 == null && !n.op().equals("Concat")) {
            ins.forEach(l -> block(l, "its channels reach input 2+ of " + n.op() + " '" + n.name() + "'"));
            return null;
        }
        return switch (n.op()) {
            case "BatchNormalization" -> batchNorm(i, n, in0);
            case "Concat" -> concat(n);
            case "Flatten" -> flatten(n, in0);
            case "Reshape" -> reshape(i, n, in0);
            default -> {
                ins.forEach(l -> block(l, "its channels reach " + n.op() + " '" + n.name() + "', which channel pruning cannot follow"));
                yield null;
            }
        };
    }

    Layout block(Layout l, String reason) {
        if (l != null) {
            for (Layout.Seg s : l.segs()) {
                if (s.space() >= 0) {
                    Space r = spaces.get(root(s.space()));
                    if (r.blocked == null) {
                        r.blocked = reason;
                    }
                }
            }
        }
        return null;
    }

    int newSpace(WeightLayer layer, int channels) {
        Space s = new Space(spaces.size(), layer, channels);
        spaces.add(s);
        return s.id;
    }

    private void union(int a, int b, String where) {
        int ra = root(a);
        int rb = root(b);
        if (ra == rb) {
            return;
        }
        Space x = spaces.get(ra);
        Space y = spaces.get(rb);
        if (x.channels != y.channels) {
            String why = where + " joins outputs with " + x.channels + " and " + y.channels + " channels";
            x.blocked = x.blocked == null ? why : x.blocked;
            y.blocked = y.blocked == null ? why : y.blocked;
        }
        y.parent = ra;
        if (x.blocked == null) {
            x.blocked = y.blocked;
        }
    }

    /** The layout with its features-per-channel settled by a size of {@code features}, or null. */
    static Layout settle(Layout l, long features) {
        int c = l.channels();
        if (l.perChannel() > 0) {
            return (long) c * l.perChannel() == features ? l : null;
        }
        return features % c == 0 && features > 0 ? l.withShape(l.rank(), l.fromEnd(), (int) (features / c)) : null;
    }

    private Layout binary(int i, GraphNode n) {
        String where = n.op() + " '" + n.name() + "'";
        Layout a = layouts.get(n.input(0));
        Layout b = layouts.get(n.input(1));
        if (a != null && b != null) {
            if (!a.sameStructure(b)) {
                block(a, where + " joins values whose channels do not line up");
                return block(b, where + " joins values whose channels do not line up");
            }
            for (int k = 0; k < a.segs().size(); k++) {
                int sa = a.segs().get(k).space();
                int sb = b.segs().get(k).space();
                if (sa >= 0 && sb >= 0) {
                    union(sa, sb, where);
                } else if (sa >= 0 || sb >= 0) {
                    String why = where + " joins them with channels that are kept (not selected, or not prunable)";
                    block(a, why);
                    block(b, why);
                }
            }
            return a.rank() >= 0 ? a : b;
        }
        int slot = a != null ? 1 : 0;
        Layout l = a != null ? a : b;
        String other = n.input(slot);
        if (!ed.isConstant(other)) {
            return !l.hasSpaces() ? l : block(l, where + " combines them with '" + other + "', whose channels cannot be pruned");
        }
        long[] d = ed.dims(other);
        int p = d.length - 1 - l.fromEnd();
        if (p < 0 || d[p] == 1) {
            return l;
        }
        Layout s = settle(l, d[p]);
        if (s == null) {
            return block(l, where + " broadcasts a constant of shape " + java.util.Arrays.toString(d) + " over them");
        }
        slices.add(new Slice(i, slot, other, p, s));
        return s;
    }

    private Layout batchNorm(int i, GraphNode n, Layout in0) {
        if (in0 == null || in0.axis() != 1 || in0.perChannel() != 1) {
            return block(in0, "BatchNormalization '" + n.name() + "' does not see the channels on axis 1");
        }
        for (int slot = 1; slot <= 4; slot++) {
            if (!ed.isConstant(n.input(slot))) {
                return block(in0, "BatchNormalization '" + n.name() + "' has non-constant parameters");
            }
            slices.add(new Slice(i, slot, n.input(slot), 0, in0));
        }
        return in0;
    }

    private Layout concat(GraphNode n) {
        String where = "Concat '" + n.name() + "'";
        List<Layout.Seg> segs = new ArrayList<>();
        Layout first = null;
        for (String v : n.inputs()) {
            Layout l = layouts.get(v);
            if (l == null) {
                inputs(n).forEach(x -> block(x, where + " also concatenates '" + v + "', whose channel count is unknown"));
                return null;
            }
            if (first == null) {
                first = l;
            }
            segs.addAll(l.segs());
        }
        long axis = n.intAttr("axis", 1);
        for (String v : n.inputs()) {
            Layout l = layouts.get(v);
            int rank = l.rank() >= 0 ? l.rank() : first.rank();
            long fromEnd = axis < 0 ? -axis - 1 : rank < 0 ? -1 : rank - 1 - axis;
            if (fromEnd != l.fromEnd() || l.perChannel() != 1) {
                inputs(n).forEach(x -> block(x, where + " does not concatenate along the channel axis"));
                return null;
            }
        }
        return new Layout(segs, first.rank(), first.fromEnd(), 1);
    }

    private Layout flatten(GraphNode n, Layout in0) {
        long axis = n.intAttr("axis", 1);
        if (in0.rank() == 2 && in0.fromEnd() == 0 && axis == 1) {
            return in0;
        }
        if (axis == 1 && in0.axis() == 1 && in0.perChannel() == 1) {
            return in0.withShape(2, 0, in0.rank() == 2 ? 1 : 0);
        }
        return block(in0, "Flatten '" + n.name() + "' (axis " + axis + ") does not keep each channel's features together");
    }

    private Layout reshape(int i, GraphNode n, Layout in0) {
        String where = "Reshape '" + n.name() + "'";
        if (in0 == null || in0.axis() != 1 || in0.perChannel() != 1 || !ed.isConstant(n.input(1))) {
            return block(in0, where + " is not a flatten of [N, C, ...] by a constant shape");
        }
        float[] shape = ed.floats(n.input(1));
        if (shape.length != 2 || shape[0] < -1 || (shape[0] == -1 && shape[1] == -1)) {
            return block(in0, where + " to " + java.util.Arrays.toString(shape) + " is not a flatten to [N, features]");
        }
        Layout out = in0.withShape(2, 0, in0.rank() == 2 ? 1 : 0);
        long features = (long) shape[1];
        if (features == -1) {
            return out;
        }
        Layout s = settle(out, features);
        if (s == null) {
            return block(in0, where + " to " + features + " features does not split evenly over " + in0.channels() + " channels");
        }
        shapeFixes.add(new ShapeFix(i, (long) shape[0], s.perChannel(), s));
        return s;
    }

    private List<Integer> topologicalOrder() {
        int n = ed.nodeCount();
        int[] pending = new int[n];
        List<List<Integer>> next = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            next.add(new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            for (String in : new java.util.HashSet<>(ed.node(i).inputs())) {
                int p = ed.producer(in);
                if (p >= 0) {
                    next.get(p).add(i);
                    pending[i]++;
                }
            }
        }
        ArrayDeque<Integer> ready = new ArrayDeque<>();
        for (int i = 0; i < n; i++) {
            if (pending[i] == 0) {
                ready.add(i);
            }
        }
        List<Integer> order = new ArrayList<>();
        while (!ready.isEmpty()) {
            int i = ready.poll();
            order.add(i);
            for (int c : next.get(i)) {
                if (--pending[c] == 0) {
                    ready.add(c);
                }
            }
        }
        return order;
    }
}
