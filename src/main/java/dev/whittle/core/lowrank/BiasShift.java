package dev.whittle.core.lowrank;

import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.GraphEditor;
import dev.whittle.core.onnx.GraphNode;

/**
 * Where a factored layer's output mean can be put back: a bias of its own that the factored
 * layer keeps reading (Conv's B, Gemm's C with one value per output and beta 1) or the constant
 * of the one Add that reads a MatMul's output (the bias of a transformer's linear layer).
 * Whitening around the input's mean (X − 1μᵀ) and adding μᵀ(W − Ŵ) to that bias keeps the
 * layer's mean output exactly, so the rank spends itself on the variation around the mean; with
 * no such bias the whitening stays around zero, where the mean's error is part of what it sees.
 */
record BiasShift(String tensor) {
    /** The bias constant of layer {@code l} at {@code node}, or null when it has none it alone uses. */
    static BiasShift of(GraphEditor ed, GraphNode node, WeightLayer l, int outputs) {
        String bias = switch (node.op()) {
            case "Conv" -> node.inputs().size() > 2 && !node.input(2).isEmpty() ? node.input(2) : null;
            case "Gemm" -> node.inputs().size() > 2 && !node.input(2).isEmpty() && node.floatAttr("beta", 1f) == 1f
                    ? node.input(2) : null;
            case "MatMul" -> {
                dev.whittle.core.onnx.BiasAdd add = dev.whittle.core.onnx.BiasAdd.of(ed, node);
                yield add == null ? null : add.other();
            }
            default -> null;
        };
        if (bias == null || !ed.isConstant(bias) || ed.uses(bias).size() != 1 || count(ed.dims(bias)) != outputs) {
            return null;
        }
        return new BiasShift(bias);
    }

    private static long count(long[] dims) {
        long c = 1;
        for (long d : dims) {
            c *= d;
        }
        return c;
    }

    /** Adds {@code delta} (one value per output) to the bias. */
    void add(GraphEditor ed, double[] delta) {
        float[] b = ed.floats(tensor);
        for (int i = 0; i < b.length; i++) {
            b[i] += (float) delta[i];
        }
        ed.setTensor(tensor, ed.dims(tensor), b);
    }

    /** XᵀX − n·μμᵀ: the second moment around the mean, from XᵀX, the n rows' feature sums. */
    static double[] centered(double[] xtx, double[] sums, long rows) {
        int k = sums.length;
        double[] c = xtx.clone();
        if (rows == 0) {
            return c;
        }
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                c[i * k + j] -= sums[i] * sums[j] / rows;
            }
        }
        return c;
    }
}
