package dev.whittle.core.plan;

import dev.whittle.core.model.Dim;
import dev.whittle.core.model.TensorData;
import dev.whittle.core.model.ValueInfo;
import dev.whittle.core.onnx.GraphEditor;
import dev.whittle.core.onnx.GraphNode;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * A small forward shape inference over the main graph, batch 1, a dynamic sequence axis at a
 * given length: enough to count how many positions each weight is applied at (Conv output
 * pixels, MatMul rows). Ops it does not know leave their outputs unknown; the totals then fall
 * back to a stated guess. Shapes are long[] with -1 for an unknown size.
 */
final class ShapeWalk {
    private static final Set<String> SAME = Set.of("Relu", "LeakyRelu", "Sigmoid", "Tanh", "Elu", "Selu", "Gelu", "Erf",
            "Softmax", "LogSoftmax", "Dropout", "Identity", "Cast", "Sqrt", "Neg", "Abs", "Exp", "Log", "Clip", "HardSwish",
            "HardSigmoid", "BatchNormalization", "LayerNormalization", "InstanceNormalization", "Reciprocal", "Softplus",
            "Softsign", "Mish", "Not", "Ceil", "Floor", "Round", "Sign", "SimplifiedLayerNormalization",
            "SkipLayerNormalization", "FastGelu", "BiasGelu", "QuickGelu", "LRN");
    private static final Set<String> BROADCAST = Set.of("Add", "Sub", "Mul", "Div", "Pow", "PRelu", "Max", "Min", "Where",
            "Equal", "Less", "Greater", "And", "Or", "Mod", "Sum", "Mean");

    private final GraphEditor ed;
    private final Map<String, long[]> shapes = new HashMap<>();

    private ShapeWalk(GraphEditor ed) {
        this.ed = ed;
    }

    /** Shapes of every value the walk could work out, by name. */
    static Map<String, long[]> run(GraphEditor ed, Iterable<ValueInfo> inputs, int sequence) {
        ShapeWalk w = new ShapeWalk(ed);
        for (ValueInfo v : inputs) {
            if (v.shape() == null || ed.isConstant(v.name())) {
                continue;
            }
            long[] s = new long[v.shape().size()];
            for (int i = 0; i < s.length; i++) {
                Dim d = v.shape().get(i);
                s[i] = d.isFixed() ? d.value() : i == 0 ? 1 : sequence;
            }
            w.shapes.put(v.name(), s);
        }
        for (int i = 0; i < ed.nodeCount(); i++) {
            GraphNode n = ed.node(i);
            try {
                long[] out = w.infer(n);
                if (out != null && !n.outputs().isEmpty() && !n.outputs().get(0).isEmpty()) {
                    w.shapes.put(n.outputs().get(0), out);
                }
            } catch (RuntimeException e) {
                // An attribute or constant the walk cannot read: leave this output unknown.
            }
        }
        return w.shapes;
    }

    private long[] shape(String v) {
        if (v == null || v.isEmpty()) {
            return null;
        }
        long[] s = shapes.get(v);
        if (s == null && ed.isConstant(v)) {
            s = ed.dims(v);
        }
        return s;
    }

    private long[] longs(String v) {
        if (v == null || v.isEmpty() || !ed.isConstant(v)) {
            return null;
        }
        TensorData t = ed.tensor(v);
        float[] f = t.toFloatArray();
        long[] out = new long[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = (long) f[i];
        }
        return out;
    }

    private long[] infer(GraphNode n) {
        long[] a = shape(n.input(0));
        String op = n.op();
        if (SAME.contains(op)) {
            return a;
        }
        if (BROADCAST.contains(op)) {
            long[] out = null;
            for (String in : n.inputs()) {
                long[] s = shape(in);
                if (s == null) {
                    return null;
                }
                out = out == null ? s : broadcast(out, s);
            }
            return out;
        }
        if (a == null) {
            return null;
        }
        return switch (op) {
            case "Conv" -> conv(n, a, shape(n.input(1)));
            case "MaxPool", "AveragePool", "LpPool" -> pool(n, a);
            case "GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool" -> global(a);
            case "Flatten" -> flatten(a, (int) n.intAttr("axis", 1));
            case "Reshape" -> reshape(a, longs(n.input(1)));
            case "Gemm" -> gemm(n, a, shape(n.input(1)));
            case "MatMul" -> matmul(a, shape(n.input(1)));
            case "Transpose" -> transpose(a, n.intsAttr("perm"));
            case "Gather" -> gather(n, a, shape(n.input(1)));
            default -> null;
        };
    }

    private static long[] broadcast(long[] x, long[] y) {
        int r = Math.max(x.length, y.length);
        long[] out = new long[r];
        for (int i = 0; i < r; i++) {
            long a = i < r - x.length ? 1 : x[i - (r - x.length)];
            long b = i < r - y.length ? 1 : y[i - (r - y.length)];
            out[i] = a == 1 ? b : b == 1 ? a : Math.max(a, b);
        }
        return out;
    }

    private static long[] conv(GraphNode n, long[] x, long[] w) {
        if (w == null || x.length < 3) {
            return null;
        }
        int sp = x.length - 2;
        long[] out = new long[x.length];
        out[0] = x[0];
        out[1] = w[0];
        long[] strides = n.intsAttr("strides");
        long[] pads = n.intsAttr("pads");
        long[] dil = n.intsAttr("dilations");
        String auto = n.stringAttr("auto_pad", "NOTSET");
        for (int i = 0; i < sp; i++) {
            long s = strides == null || strides.length == 0 ? 1 : strides[i];
            long d = dil == null || dil.length == 0 ? 1 : dil[i];
            long k = (w[2 + i] - 1) * d + 1;
            if (auto.startsWith("SAME")) {
                out[2 + i] = (x[2 + i] + s - 1) / s;
            } else {
                long p = pads == null || pads.length == 0 ? 0 : pads[i] + pads[i + sp];
                out[2 + i] = (x[2 + i] + p - k) / s + 1;
            }
        }
        return out;
    }

    private static long[] pool(GraphNode n, long[] x) {
        long[] k = n.intsAttr("kernel_shape");
        if (k == null || x.length < 3) {
            return null;
        }
        int sp = x.length - 2;
        long[] out = x.clone();
        long[] strides = n.intsAttr("strides");
        long[] pads = n.intsAttr("pads");
        boolean ceil = n.intAttr("ceil_mode", 0) == 1;
        String auto = n.stringAttr("auto_pad", "NOTSET");
        for (int i = 0; i < sp; i++) {
            long s = strides == null || strides.length == 0 ? 1 : strides[i];
            if (auto.startsWith("SAME")) {
                out[2 + i] = (x[2 + i] + s - 1) / s;
                continue;
            }
            long p = pads == null || pads.length == 0 ? 0 : pads[i] + pads[i + sp];
            long span = x[2 + i] + p - k[i];
            out[2 + i] = (ceil ? (span + s - 1) / s : span / s) + 1;
        }
        return out;
    }

    private static long[] global(long[] x) {
        long[] out = x.clone();
        for (int i = 2; i < out.length; i++) {
            out[i] = 1;
        }
        return out;
    }

    private static long[] flatten(long[] x, int axis) {
        int ax = axis < 0 ? axis + x.length : axis;
        long a = 1;
        long b = 1;
        for (int i = 0; i < x.length; i++) {
            if (i < ax) {
                a *= x[i];
            } else {
                b *= x[i];
            }
        }
        return new long[] {a, b};
    }

    private static long[] reshape(long[] x, long[] spec) {
        if (spec == null) {
            return null;
        }
        long total = 1;
        for (long v : x) {
            total *= v;
        }
        long[] out = spec.clone();
        long known = 1;
        int infer = -1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == 0 && i < x.length) {
                out[i] = x[i];
            }
            if (out[i] == -1) {
                infer = i;
            } else {
                known *= out[i];
            }
        }
        if (infer >= 0) {
            out[infer] = known == 0 ? 0 : total / known;
        }
        return out;
    }

    private static long[] gemm(GraphNode n, long[] a, long[] b) {
        if (b == null || a.length != 2 || b.length != 2) {
            return null;
        }
        long m = n.intAttr("transA", 0) == 1 ? a[1] : a[0];
        long cols = n.intAttr("transB", 0) == 1 ? b[0] : b[1];
        return new long[] {m, cols};
    }

    private static long[] matmul(long[] a, long[] b) {
        if (b == null || a.length < 2 || b.length < 1) {
            return null;
        }
        if (b.length == 1) {
            long[] out = new long[a.length - 1];
            System.arraycopy(a, 0, out, 0, out.length);
            return out;
        }
        long[] batchA = java.util.Arrays.copyOf(a, a.length - 2);
        long[] batchB = java.util.Arrays.copyOf(b, b.length - 2);
        long[] batch = broadcast(batchA, batchB);
        long[] out = java.util.Arrays.copyOf(batch, batch.length + 2);
        out[batch.length] = a[a.length - 2];
        out[batch.length + 1] = b[b.length - 1];
        return out;
    }

    private static long[] transpose(long[] x, long[] perm) {
        long[] out = new long[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[perm == null || perm.length == 0 ? x.length - 1 - i : (int) perm[i]];
        }
        return out;
    }

    private static long[] gather(GraphNode n, long[] data, long[] idx) {
        if (idx == null) {
            return null;
        }
        int axis = (int) n.intAttr("axis", 0);
        axis = axis < 0 ? axis + data.length : axis;
        long[] out = new long[data.length - 1 + idx.length];
        int o = 0;
        for (int i = 0; i < axis; i++) {
            out[o++] = data[i];
        }
        for (long v : idx) {
            out[o++] = v;
        }
        for (int i = axis + 1; i < data.length; i++) {
            out[o++] = data[i];
        }
        return out;
    }
}
