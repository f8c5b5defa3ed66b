package dev.whittle.core.lowrank;

import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.GraphEditor;
import dev.whittle.core.onnx.GraphNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Gemm and MatMul: the weight as the [in, out] matrix W the input is multiplied by (Gemm with
 * transB=1 stores W^T), replaced by X -> MatMul(P [in, r]) -> MatMul or Gemm(Q [r, out]), the
 * bias, alpha and beta staying on the second node. Both are named after the layer: nodes
 * {@code <node>.u} (reads the input) and {@code <node>.v} (keeps the output), weights
 * {@code <weight>.u} and {@code <weight>.v}; the mapping is recorded in the model's metadata
 * ({@link LowRank#FACTORS_KEY}).
 */
final class MatrixFactoring implements Factoring {
    @Override
    public String unsupported(GraphNode node, WeightLayer layer, boolean spatial) {
        if (spatial) {
            return "spatial factorization applies to Conv only";
        }
        if (layer.shape().length != 2) {
            return "the weight has rank " + layer.shape().length + "; only 2-D weights are factored";
        }
        if (node.op().equals("Gemm") && node.intAttr("transA", 0) != 0) {
            return "Gemm with transA=1 is not supported";
        }
        return null;
    }

    private static boolean transposed(GraphNode node) {
        return node.op().equals("Gemm") && node.intAttr("transB", 0) == 1;
    }

    @Override
    public List<Matrix> matrices(GraphNode node, WeightLayer layer, float[] w, boolean spatial) {
        int rows = (int) layer.shape()[0];
        int cols = (int) layer.shape()[1];
        if (transposed(node)) {
            return List.of(new Matrix(cols, rows, Matrix.transpose(w, rows, cols)));
        }
        return List.of(new Matrix(rows, cols, w));
    }

    @Override
    public List<String> write(GraphEditor ed, int index, GraphNode node, WeightLayer layer, List<Factors> factors, boolean spatial) {
        Factors f = factors.get(0);
        String p = ed.addTensor(layer.weight() + ".u", new long[] {f.m(), f.r()}, f.left(), layer.dtype());
        String mid = ed.uniqueName(node.outputs().get(0) + ".u");
        GraphNode first = GraphNode.of(ed.uniqueName(node.name() + ".u"), "MatMul",
                List.of(node.input(0), p), List.of(mid), Map.of());
        String secondName = ed.uniqueName(node.name() + ".v");
        GraphNode second;
        if (node.op().equals("Gemm")) {
            boolean t = transposed(node);
            String q = ed.addTensor(layer.weight() + ".v", t ? new long[] {f.n(), f.r()} : new long[] {f.r(), f.n()},
                    t ? Matrix.transpose(f.right(), f.r(), f.n()) : f.right(), layer.dtype());
            List<String> in = new ArrayList<>(node.inputs());
            in.set(0, mid);
            in.set(1, q);
            second = node.withIo(secondName, in, node.outputs());
        } else {
            String q = ed.addTensor(layer.weight() + ".v", new long[] {f.r(), f.n()}, f.right(), layer.dtype());
            second = GraphNode.of(secondName, "MatMul", List.of(mid, q), node.outputs(), Map.of());
        }
        ed.dropIfUnused(node.input(1));
        ed.dropIfUnused(layer.weight());
        ed.replaceNode(index, List.of(first, second));
        return List.of(first.name(), second.name());
    }
}
