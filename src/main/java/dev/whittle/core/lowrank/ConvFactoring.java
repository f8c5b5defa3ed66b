package dev.whittle.core.lowrank;

import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.GraphEditor;
import dev.whittle.core.onnx.GraphNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Conv, weight [M, C/g, k...].
 *
 * <p>Channel decomposition (method svd): per group, the [M/g, C/g x prod(k)] filter matrix is
 * approximated by rank r, giving a Conv with g x r filters of the original kernel (same strides,
 * pads, dilations, group) followed by a 1x1 Conv with M filters of r channels (same group) that
 * keeps the bias.
 *
 * <p>Spatial SVD (method spatial, 2-D Conv with group 1): the matrix indexed [(c, i), (m, j)] =
 * W[m, c, i, j], of size (C kh) x (M kw), gives a kh x 1 Conv with r filters (the vertical
 * stride, pads and dilation) and a 1 x kw Conv with M filters (the horizontal ones, and the bias).
 */
final class ConvFactoring implements Factoring {
    @Override
    public String unsupported(GraphNode node, WeightLayer layer, boolean spatial) {
        long[] s = layer.shape();
        if (s.length < 3) {
            return "the Conv weight has rank " + s.length;
        }
        if (!spatial) {
            return null;
        }
        if (s.length != 4) {
            return "spatial factorization needs a 2-D Conv";
        }
        if (node.intAttr("group", 1) != 1) {
            return "spatial factorization needs group 1, this Conv has group " + node.intAttr("group", 1);
        }
        String pad = node.stringAttr("auto_pad", "NOTSET");
        if (!pad.equals("NOTSET") && !pad.equals("VALID")) {
            return "spatial factorization needs explicit pads, this Conv has auto_pad " + pad;
        }
        return null;
    }

    @Override
    public List<Matrix> matrices(GraphNode node, WeightLayer layer, float[] w, boolean spatial) {
        long[] s = layer.shape();
        int mAll = (int) s[0];
        int inner = w.length / mAll;
        if (spatial) {
            int c = (int) s[1];
            int kh = (int) s[2];
            int kw = (int) s[3];
            float[] a = new float[w.length];
            for (int m = 0; m < mAll; m++) {
                for (int ci = 0; ci < c; ci++) {
                    for (int i = 0; i < kh; i++) {
                        for (int j = 0; j < kw; j++) {
                            a[(ci * kh + i) * (mAll * kw) + m * kw + j] = w[((m * c + ci) * kh + i) * kw + j];
                        }
                    }
                }
            }
            return List.of(new Matrix(c * kh, mAll * kw, a));
        }
        int g = (int) node.intAttr("group", 1);
        int mg = mAll / g;
        List<Matrix> out = new ArrayList<>();
        for (int k = 0; k < g; k++) {
            out.add(new Matrix(mg, inner, Arrays.copyOfRange(w, k * mg * inner, (k + 1) * mg * inner)));
        }
        return out;
    }

    @Override
    public List<String> write(GraphEditor ed, int index, GraphNode node, WeightLayer layer, List<Factors> factors, boolean spatial) {
        long[] s = layer.shape();
        String mid = ed.uniqueName(node.outputs().get(0) + ".u");
        String firstName = ed.uniqueName(node.name() + ".u");
        String secondName = ed.uniqueName(node.name() + ".v");
        List<String> secondIn = new ArrayList<>(node.inputs());
        secondIn.set(0, mid);
        GraphNode first;
        GraphNode second;
        if (spatial) {
            Factors f = factors.get(0);
            int c = (int) s[1];
            int kh = (int) s[2];
            int kw = (int) s[3];
            int mAll = (int) s[0];
            int r = f.r();
            float[] v = new float[r * c * kh];       // [r, C, kh, 1] from left [(c, i), r]
            for (int ci = 0; ci < c; ci++) {
                for (int i = 0; i < kh; i++) {
                    for (int k = 0; k < r; k++) {
                        v[(k * c + ci) * kh + i] = f.left()[(ci * kh + i) * r + k];
                    }
                }
            }
            float[] h = new float[mAll * r * kw];    // [M, r, 1, kw] from right [r, (m, j)]
            for (int k = 0; k < r; k++) {
                for (int m = 0; m < mAll; m++) {
                    for (int j = 0; j < kw; j++) {
                        h[(m * r + k) * kw + j] = f.right()[k * (mAll * kw) + m * kw + j];
                    }
                }
            }
            String vName = ed.addTensor(layer.weight() + ".u", new long[] {r, c, kh, 1}, v, layer.dtype());
            secondIn.set(1, ed.addTensor(layer.weight() + ".v", new long[] {mAll, r, 1, kw}, h, layer.dtype()));
            long[] st = ints(node, "strides", 1, 1);
            long[] dl = ints(node, "dilations", 1, 1);
            long[] pd = node.stringAttr("auto_pad", "NOTSET").equals("VALID") ? new long[4] : ints(node, "pads", 0, 0, 0, 0);
            first = GraphNode.of(firstName, "Conv", List.of(node.input(0), vName), List.of(mid), Map.of(
                    "kernel_shape", new long[] {kh, 1}, "strides", new long[] {st[0], 1},
                    "dilations", new long[] {dl[0], 1}, "pads", new long[] {pd[0], 0, pd[2], 0}));
            second = GraphNode.of(secondName, "Conv", secondIn, node.outputs(), Map.of(
                    "kernel_shape", new long[] {1, kw}, "strides", new long[] {1, st[1]},
                    "dilations", new long[] {1, dl[1]}, "pads", new long[] {0, pd[1], 0, pd[3]}));
        } else {
            int g = factors.size();
            int r = factors.get(0).r();
            int inner = factors.get(0).n();
            int mg = factors.get(0).m();
            float[] p = new float[g * r * inner];    // [g r, C/g, k...]
            float[] q = new float[g * mg * r];       // [M, r, 1...]
            for (int k = 0; k < g; k++) {
                System.arraycopy(factors.get(k).right(), 0, p, k * r * inner, r * inner);
                System.arraycopy(factors.get(k).left(), 0, q, k * mg * r, mg * r);
            }
            long[] pDims = s.clone();
            pDims[0] = (long) g * r;
            long[] qDims = new long[s.length];
            Arrays.fill(qDims, 1);
            qDims[0] = s[0];
            qDims[1] = r;
            String pName = ed.addTensor(layer.weight() + ".u", pDims, p, layer.dtype());
            secondIn.set(1, ed.addTensor(layer.weight() + ".v", qDims, q, layer.dtype()));
            Map<String, Object> firstAttrs = new LinkedHashMap<>(node.attrs());
            first = GraphNode.of(firstName, "Conv", List.of(node.input(0), pName), List.of(mid), firstAttrs);
            long[] ones = new long[s.length - 2];
            Arrays.fill(ones, 1);
            second = GraphNode.of(secondName, "Conv", secondIn, node.outputs(),
                    Map.of("kernel_shape", ones, "group", (long) g));
        }
        ed.dropIfUnused(node.input(1));
        ed.dropIfUnused(layer.weight());
        ed.replaceNode(index, List.of(first, second));
        return List.of(first.name(), second.name());
    }

    private static long[] ints(GraphNode n, String key, long... fallback) {
        long[] v = n.intsAttr(key);
        return v == null ? fallback : v;
    }
}
