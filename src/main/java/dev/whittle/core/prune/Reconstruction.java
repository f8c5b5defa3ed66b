package dev.whittle.core.prune;

import static org.bytedeco.openblas.global.openblas.LAPACK_ROW_MAJOR;

import dev.whittle.core.BadInputException;
import org.bytedeco.openblas.global.openblas;

/**
 * Refits a pruned layer's kept weights so that its output on the calibration data stays as close
 * as least squares allows to the original's: for each output, with S the inputs it keeps and
 * H = XᵀX, solve (H_SS + λI) v_S = (H w)_S + λ w_S, the normal equations of
 * min ‖X w − X_S v_S‖² + λ‖v_S − w_S‖², λ = damp · mean diagonal of H: damping keeps the refit
 * near the kept weights (large damp: plain pruning), so few calibration samples do not overfit. Pruned weights stay exactly zero. Uses LAPACK's dposv (Cholesky) per output.
 */
public final class Reconstruction {
    private Reconstruction() {
    }

    /**
     * @param original the weights before pruning, in tensor layout (2-D)
     * @param pruned   the same after pruning: its zeros are the mask
     * @param inAxis   the input axis (0 for MatMul [K, N], 1 for Gemm with transB)
     * @param xtx      XᵀX of the layer's input on the calibration data, K×K
     */
    public static float[] refit(float[] original, float[] pruned, long[] shape, int inAxis, double[] xtx, double damp) {
        int k = (int) shape[inAxis];
        int n = (int) shape[1 - inAxis];
        double mean = 0;
        for (int j = 0; j < k; j++) {
            mean += xtx[j * k + j];
        }
        double lambda = damp * Math.max(mean / k, Double.MIN_NORMAL);
        float[] out = pruned.clone();
        // Outputs are independent (each writes only its own weights), so they run in parallel
        // with the same result as in order.
        dev.whittle.core.tensor.Parallel.each(n, o -> {
            refitOutput(original, pruned, out, inAxis, xtx, k, n, o, lambda);
            return null;
        });
        return out;
    }

    /**
     * {@code after} with the kept weights of every layer keyed in {@code xtx} (node name to its
     * input's XᵀX) refit against that layer's weights in {@code before}.
     */
    public static dev.whittle.core.onnx.OnnxModel apply(dev.whittle.core.onnx.OnnxModel before,
                                                       dev.whittle.core.onnx.OnnxModel after, java.util.Map<String, double[]> xtx,
                                                       double damp) {
        dev.whittle.core.onnx.OnnxModel current = after;
        // one editor per graph, bodies first and the main graph last (a body layer is refit in its body)
        for (var group : dev.whittle.core.transform.Bodies.byGraph(after.graph().weightLayers().stream()
                .filter(l -> xtx.containsKey(l.node())).toList()).entrySet()) {
            current = refitGraph(before, current, group.getKey(), group.getValue(), xtx, damp);
        }
        return current;
    }

    private static dev.whittle.core.onnx.OnnxModel refitGraph(dev.whittle.core.onnx.OnnxModel before,
                                                             dev.whittle.core.onnx.OnnxModel after, String path,
                                                             java.util.List<dev.whittle.core.model.WeightLayer> layers,
                                                             java.util.Map<String, double[]> xtx, double damp) {
        dev.whittle.core.onnx.GraphEditor editor = dev.whittle.core.onnx.GraphEditor.of(after, path);
        boolean changed = false;
        for (dev.whittle.core.model.WeightLayer l : layers) {
            double[] h = xtx.get(l.node());
            dev.whittle.core.model.WeightLayer orig = before.graph().layer(l.node()).orElse(null);
            if (h == null || orig == null || !editor.isConstant(l.weight())) {
                continue;
            }
            long[] view;
            int inAxis;
            if (l.shape().length == 2 && !l.op().equals("Conv")) {
                view = l.shape();
                inAxis = 1 - l.axis();
            } else if (l.op().equals("Conv") && (long) l.params() / l.shape()[0] * (l.params() / l.shape()[0]) == h.length) {
                // A Conv of one group: its filters are the rows of [M, C·k...], XᵀX that of its im2col rows.
                view = new long[] {l.shape()[0], l.params() / l.shape()[0]};
                inAxis = 1;
            } else if (l.op().equals("Conv") && h.length % ((l.params() / l.shape()[0]) * (l.params() / l.shape()[0])) == 0) {
                // A grouped Conv: one XᵀX block per group, each refitting its own group's filters.
                editor.setTensor(l.weight(), l.shape(), refitGroups(orig.tensor().toFloatArray(), l.tensor().toFloatArray(),
                        (int) l.shape()[0], (int) (l.params() / l.shape()[0]), h, damp));
                changed = true;
                continue;
            } else {
                continue;
            }
            float[] refit = refit(orig.tensor().toFloatArray(), l.tensor().toFloatArray(), view, inAxis, h, damp);
            editor.setTensor(l.weight(), l.shape(), refit);
            changed = true;
        }
        return changed ? editor.build() : after;
    }

    /** A grouped Conv's filters [m, k] refit group by group, each with its own k×k block of {@code blocks}. */
    static float[] refitGroups(float[] original, float[] pruned, int m, int k, double[] blocks, double damp) {
        int groups = blocks.length / (k * k);
        int per = m / groups;
        float[] out = new float[pruned.length];
        for (int g = 0; g < groups; g++) {
            int from = g * per * k;
            int to = from + per * k;
            float[] r = refit(java.util.Arrays.copyOfRange(original, from, to), java.util.Arrays.copyOfRange(pruned, from, to),
                    new long[] {per, k}, 1, java.util.Arrays.copyOfRange(blocks, g * k * k, (g + 1) * k * k), damp);
            System.arraycopy(r, 0, out, from, per * k);
        }
        return out;
    }

    private static void refitOutput(float[] original, float[] pruned, float[] out, int inAxis, double[] xtx, int k, int n,
                                    int o, double lambda) {
        int[] kept = new int[k];
        int s = 0;
        for (int j = 0; j < k; j++) {
            if (pruned[at(inAxis, j, o, k, n)] != 0f) {
                kept[s++] = j;
            }
        }
        if (s == 0) {
            return;
        }
        double[] a = new double[s * s];
        double[] b = new double[s];
        for (int p = 0; p < s; p++) {
            int jp = kept[p];
            for (int q = 0; q < s; q++) {
                a[p * s + q] = xtx[jp * k + kept[q]];
            }
            a[p * s + p] += lambda;
            double r = 0;
            for (int j = 0; j < k; j++) {
                r += xtx[jp * k + j] * original[at(inAxis, j, o, k, n)];
            }
            // Damping pulls towards the weight as it was, not towards zero: the step can only help.
            b[p] = r + lambda * original[at(inAxis, jp, o, k, n)];
        }
        int info = openblas.LAPACKE_dposv(LAPACK_ROW_MAJOR, (byte) 'U', s, 1, a, s, b, 1);
        if (info != 0) {
            throw new BadInputException("reconstruct: the damped normal equations of output " + o + " are not positive"
                    + " definite (LAPACK dposv info " + info + "); raise reconstruct.damp.");
        }
        for (int p = 0; p < s; p++) {
            out[at(inAxis, kept[p], o, k, n)] = (float) b[p];
        }
    }

    private static int at(int inAxis, int j, int o, int k, int n) {
        return inAxis == 0 ? j * n + o : o * k + j;
    }
}
