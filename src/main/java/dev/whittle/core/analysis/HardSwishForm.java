package dev.whittle.core.analysis;

import dev.whittle.core.model.DataType;
import dev.whittle.core.onnx.GraphEditor;
import dev.whittle.core.onnx.GraphNode;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a hard-sigmoid or hard-swish spelled out with relu6 as ONNX's one op: {@code relu6(x + 3)
 * / 6} becomes {@code HardSigmoid(x; 1/6, 1/2)}, and {@code x * relu6(x + 3) / 6} (the division
 * before or after the product, or a Mul by 1/6) becomes {@code x * HardSigmoid(x)}. Exporters
 * (Paddle2ONNX, older PyTorch opsets) write them as four element-wise ops that ORT runs one pass
 * each; as two, the float graph of PP-OCRv4's detector runs in 0.85x the time. Exact up to the
 * rounding of the scale (clip((x + 3) / 6, 0, 1) = clip(x / 6 + 1/2, 0, 1)). Where graph placement
 * runs the op in int8 it is spelled out again ({@link HardSigmoidInt8}).
 */
final class HardSwishForm {
    private static final float EPS = 1e-6f;

    private final GraphEditor e;
    private final Set<Integer> gone = new HashSet<>();

    private HardSwishForm(GraphEditor e) {
        this.e = e;
    }

    /** Rewrites every match in {@code e}'s graph; returns how many. */
    static int rewrite(GraphEditor e) {
        HardSwishForm f = new HardSwishForm(e);
        int n = 0;
        for (int i = 0; i < e.nodeCount(); i++) {
            if (!f.gone.contains(i) && f.at(i)) {
                n++;
            }
        }
        return n;
    }

    /** Matches Add(x, 3) at node {@code i} and what follows it; rewrites and returns true on a match. */
    private boolean at(int i) {
        GraphNode add = e.node(i);
        if (!add.op().equals("Add") || !add.isDefaultDomain() || add.inputs().size() != 2 || add.outputs().size() != 1) {
            return false;
        }
        int c = scalar(add.input(1), 3f) ? 1 : scalar(add.input(0), 3f) ? 0 : -1;
        if (c < 0 || e.isConstant(add.input(1 - c))) {
            return false;
        }
        String x = add.input(1 - c);
        int clip = onlyReader(add.outputs().get(0));
        if (clip < 0 || !relu6(e.node(clip))) {
            return false;
        }
        int next = onlyReader(e.node(clip).outputs().get(0));
        if (next < 0) {
            return false;
        }
        if (bySix(e.node(next))) {
            int after = onlyReader(e.node(next).outputs().get(0));
            if (after >= 0 && timesX(e.node(after), e.node(next).outputs().get(0), x)) {
                replace(i, x, List.of(clip, next), after, true);       // x * (relu6(x + 3) / 6)
            } else {
                replace(i, x, List.of(clip), next, false);             // relu6(x + 3) / 6
            }
            return true;
        }
        if (timesX(e.node(next), e.node(clip).outputs().get(0), x)) {
            int after = onlyReader(e.node(next).outputs().get(0));
            if (after >= 0 && bySix(e.node(after))) {
                replace(i, x, List.of(clip, next), after, true);       // (x * relu6(x + 3)) / 6
                return true;
            }
        }
        return false;
    }

    /** Add at {@code add} becomes HardSigmoid; {@code drop} go; {@code last} writes the result (x times it when {@code swish}). */
    private void replace(int add, String x, List<Integer> drop, int last, boolean swish) {
        GraphNode a = e.node(add);
        GraphNode end = e.node(last);
        String out = end.outputs().get(0);
        String hs = swish ? e.uniqueName(a.name() + "_hardsigmoid") : out;
        e.replaceNode(add, List.of(GraphNode.of(a.name(), "HardSigmoid", List.of(x), List.of(hs),
                Map.of("alpha", 1f / 6, "beta", 0.5f))));
        for (int d : drop) {
            e.replaceNode(d, List.of());
            gone.add(d);
        }
        e.replaceNode(last, swish ? List.of(GraphNode.of(end.name(), "Mul", List.of(x, hs), List.of(out), Map.of()))
                : List.of());
        gone.add(last);
        a.inputs().stream().filter(e::isConstant).forEach(e::dropIfUnused);
    }

    private int onlyReader(String value) {
        List<GraphEditor.Use> uses = e.uses(value);
        if (uses.size() != 1 || e.isGraphOutput(value) || gone.contains(uses.get(0).node())) {
            return -1;
        }
        return uses.get(0).node();
    }

    /** Clip to [0, 6], bounds as inputs (opset 11+) or attributes. */
    private boolean relu6(GraphNode n) {
        if (!n.op().equals("Clip") || !n.isDefaultDomain() || n.outputs().size() != 1) {
            return false;
        }
        if (n.inputs().size() >= 3) {
            return scalar(n.input(1), 0f) && scalar(n.input(2), 6f);
        }
        return n.inputs().size() == 1 && n.floatAttr("min", Float.NaN) == 0f && n.floatAttr("max", Float.NaN) == 6f;
    }

    /** Div by 6 or Mul by 1/6 (the constant second for the Div). */
    private boolean bySix(GraphNode n) {
        if (!n.isDefaultDomain() || n.inputs().size() != 2 || n.outputs().size() != 1) {
            return false;
        }
        if (n.op().equals("Div")) {
            return scalar(n.input(1), 6f);
        }
        return n.op().equals("Mul") && (scalar(n.input(1), 1f / 6) || scalar(n.input(0), 1f / 6));
    }

    /** Mul of {@code value} by {@code x}, in either order. */
    private static boolean timesX(GraphNode n, String value, String x) {
        return n.op().equals("Mul") && n.isDefaultDomain() && n.inputs().size() == 2 && n.outputs().size() == 1
                && (n.input(0).equals(x) && n.input(1).equals(value) || n.input(1).equals(x) && n.input(0).equals(value));
    }

    /** A float32 constant of one element equal to {@code v} (within a relative 1e-6). */
    private boolean scalar(String value, float v) {
        if (value.isEmpty() || !e.isConstant(value) || e.floatType(value) != DataType.FLOAT) {
            return false;
        }
        float[] f = e.floats(value);
        return f.length == 1 && Math.abs(f[0] - v) <= EPS * Math.abs(v);
    }
}
