package dev.whittle.core.prune;

import java.util.Map;

/** Keeps chosen indices along some axes of a dense C-order tensor. */
final class Slicing {
    private Slicing() {
    }

    /** New dims after keeping {@code keep.get(axis)} (ascending indices) along each listed axis. */
    static long[] dims(long[] dims, Map<Integer, int[]> keep) {
        long[] out = dims.clone();
        keep.forEach((axis, idx) -> out[axis] = idx.length);
        return out;
    }

    static float[] slice(float[] data, long[] dims, Map<Integer, int[]> keep) {
        long[] outDims = dims(dims, keep);
        int rank = dims.length;
        int[][] pick = new int[rank][];
        for (int d = 0; d < rank; d++) {
            int[] k = keep.get(d);
            if (k == null) {
                k = new int[(int) dims[d]];
                for (int i = 0; i < k.length; i++) {
                    k[i] = i;
                }
            }
            pick[d] = k;
        }
        long n = 1;
        for (long d : outDims) {
            n *= d;
        }
        long[] stride = new long[rank];
        long s = 1;
        for (int d = rank - 1; d >= 0; d--) {
            stride[d] = s;
            s *= dims[d];
        }
        float[] out = new float[(int) n];
        int[] idx = new int[rank];
        for (int o = 0; o < n; o++) {
            long src = 0;
            for (int d = 0; d < rank; d++) {
                src += pick[d][idx[d]] * stride[d];
            }
            out[o] = data[(int) src];
            for (int d = rank - 1; d >= 0; d--) {
                if (++idx[d] < outDims[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        return out;
    }
}
