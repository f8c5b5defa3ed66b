package dev.whittle.core.prune;

import dev.whittle.core.model.WeightLayer;

/**
 * N:M semi-structured sparsity: in every group of M consecutive weights along the input
 * dimension (the axis a layer's weight is multiplied along), keep the N largest |w| and zero
 * the rest, ties broken by position (earlier pruned first).
 */
final class NofM {
    private NofM() {
    }

    /**
     * The input axis of a layer's weight: Conv 1, ConvTranspose 0, Gemm the non-output axis,
     * MatMul rank-2; for a Gather table the axis along each gathered row (the last, or the first
     * when rows are the last axis).
     */
    static int inputAxis(WeightLayer l) {
        String op = l.op();
        int rank = l.shape().length;
        return switch (op) {
            case "Conv" -> 1;
            case "ConvTranspose" -> 0;
            case "Gemm" -> 1 - l.axis();
            case "Gather" -> l.axis() == rank - 1 ? 0 : rank - 1;
            default -> rank - 2;
        };
    }

    /** Why N:M cannot apply, or null. */
    static String unsupported(WeightLayer l, int m) {
        long[] shape = l.shape();
        if (shape.length < 2) {
            return "the weight has rank " + shape.length + "; N:M needs an input dimension";
        }
        long in = shape[inputAxis(l)];
        if (in % m != 0) {
            return "the input dimension " + in + " is not a multiple of " + m;
        }
        return null;
    }

    static void apply(float[] w, long[] shape, int axis, int n, int m) {
        apply(w, w, shape, axis, n, m);
    }

    /** Keeps in each group the N weights of {@code w} whose {@code rank} (>= 0 after abs) is largest. */
    static void apply(float[] w, float[] rank, long[] shape, int axis, int n, int m) {
        int len = (int) shape[axis];
        int stride = 1;
        for (int d = axis + 1; d < shape.length; d++) {
            stride *= (int) shape[d];
        }
        int outer = w.length / (len * stride);
        long[] keys = new long[m];
        for (int o = 0; o < outer; o++) {
            for (int s = 0; s < stride; s++) {
                int base = o * len * stride + s;
                for (int g = 0; g < len; g += m) {
                    for (int j = 0; j < m; j++) {
                        int at = base + (g + j) * stride;
                        keys[j] = ((long) Float.floatToRawIntBits(Math.abs(rank[at])) << 32) | j;
                    }
                    java.util.Arrays.sort(keys);
                    for (int j = 0; j < m - n; j++) {
                        w[base + (g + (int) keys[j]) * stride] = 0f;
                    }
                }
            }
        }
    }
}
