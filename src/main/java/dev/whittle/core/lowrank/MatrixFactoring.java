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
 * bias, alpha and beta staying on the second node. The second node keeps the original node's
 * name, output and weight name; the first is named {@code <node>_lowrank}.
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
    public void write(GraphEditor ed, int index, GraphNode node, WeightLayer layer, List<Factors> factors, boolean spatial) {
        Factors f = factors.get(0);
        String p = ed.addTensor(layer.weight() + "_lowrank", new long[] {f.m(), f.r()}, f.left());
        String mid = ed.uniqueName(node.outputs().get(0) + "_lowrank");
        GraphNode first = GraphNode.of(ed.uniqueName(node.name() + "_lowrank"), "MatMul",
                List.of(node.input(0), p), List.of(mid), Map.of());
        GraphNode second;
        if (node.op().equals("Gemm")) {
            boolean t = transposed(node);
            ed.setTensor(layer.weight(), t ? new long[] {f.n(), f.r()} : new long[] {f.r(), f.n()},
                    t ? Matrix.transpose(f.right(), f.r(), f.n()) : f.right());
            List<String> in = new ArrayList<>(node.inputs());
            in.set(0, mid);
            second = node.withIo(node.name(), in, node.outputs());
        } else {
            ed.setTensor(layer.weight(), new long[] {f.r(), f.n()}, f.right());
            second = GraphNode.of(node.name(), "MatMul", List.of(mid, node.input(1)), node.outputs(), Map.of());
        }
        ed.replaceNode(index, List.of(first, second));
    }
}
