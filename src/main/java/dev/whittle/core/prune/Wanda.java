package dev.whittle.core.prune;

/**
 * Wanda pruning (Sun et al. 2023, "A Simple and Effective Pruning Approach for LLMs"): a weight's
 * score is |w_ij|·‖x_j‖₂, where ‖x_j‖₂ is the norm of input feature j over the calibration data,
 * and weights are compared within each output row (all weights feeding one output), so every
 * output keeps the same share. Ranking follows the recipe's tie rule (smallest score first,
 * then position).
 */
final class Wanda {
    private Wanda() {
    }

    /** |w|·norm of its input feature, for a weight whose input axis is {@code inAxis}. */
    static float[] scores(float[] w, long[] shape, int inAxis, double[] norms) {
        int len = (int) shape[inAxis];
        if (norms.length != len) {
            throw new IllegalArgumentException("input norms of length " + norms.length + " for an input dimension of " + len);
        }
        int stride = stride(shape, inAxis);
        float[] s = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            s[i] = (float) (Math.abs(w[i]) * norms[(i / stride) % len]);
        }
        return s;
    }

    /**
     * |w|·norm for a Conv weight [M, C/group, k...] whose input norms are per im2col column over
     * all groups (C·k..., column g·width + j for column j of group g, {@code InputMoments}).
     */
    static float[] convScores(float[] w, long[] shape, double[] norms) {
        int m = (int) shape[0];
        int width = w.length / m;
        if (norms.length % width != 0 || m % (norms.length / width) != 0) {
            throw new IllegalArgumentException("input norms of length " + norms.length + " for a Conv of " + m
                    + " filters of " + width + " inputs");
        }
        int per = m / (norms.length / width);
        float[] s = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            int o = i / width;
            s[i] = (float) (Math.abs(w[i]) * norms[o / per * width + i % width]);
        }
        return s;
    }

    /**
     * Zeroes exactly {@code total} weights: each output row (the weights sharing every index but
     * the input axis) loses total / rows of its lowest scores, the first total % rows rows one more.
     */
    static void zeroSmallestPerRow(float[] w, float[] scores, long[] shape, int inAxis, long total) {
        int len = (int) shape[inAxis];
        int stride = stride(shape, inAxis);
        int outer = w.length / (len * stride);
        int rows = outer * stride;
        long[] keys = new long[len];
        int row = 0;
        for (int o = 0; o < outer; o++) {
            for (int s = 0; s < stride; s++, row++) {
                int k = (int) (total / rows + (row < total % rows ? 1 : 0));
                int base = o * len * stride + s;
                for (int j = 0; j < len; j++) {
                    keys[j] = ((long) Float.floatToRawIntBits(scores[base + j * stride]) << 32) | j;
                }
                java.util.Arrays.sort(keys);
                for (int j = 0; j < k; j++) {
                    w[base + (int) keys[j] * stride] = 0f;
                }
            }
        }
    }

    private static int stride(long[] shape, int axis) {
        int stride = 1;
        for (int d = axis + 1; d < shape.length; d++) {
            stride *= (int) shape[d];
        }
        return stride;
    }
}
