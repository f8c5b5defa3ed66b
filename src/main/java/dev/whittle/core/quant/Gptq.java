package dev.whittle.core.quant;


import dev.whittle.core.BadInputException;
import dev.whittle.core.tensor.DampedCholesky;
import dev.whittle.core.tensor.ObsUpdate;

/**
 * GPTQ (Frantar et al. 2022, "GPTQ: Accurate Post-Training Quantization for Generative
 * Pre-trained Transformers"): rounds a layer's weights one input feature at a time and spreads
 * each rounding error over the input features not yet rounded, weighted by the inverse of the
 * input's second moment H = XᵀX + λI, so the layer's output on the calibration data moves as
 * little as possible. Scales and zero points stay those of round to nearest (static groups), so
 * the written layout is unchanged; only the codes differ. Errors propagate in blocks of
 * {@link #BLOCK} features with one matrix product per block ("lazy batch" updates).
 */
public final class Gptq {
    /** Input features rounded between two updates of the rest. */
    static final int BLOCK = 128;

    private Gptq() {
    }

    /**
     * @param w       the original weights in their tensor layout
     * @param rtn     round to nearest of {@code w}, whose grouping, scales and zero points are kept
     * @param inAxis  the weight's input axis (0 for MatMul [K, N], 1 for Gemm with transB)
     * @param xtx     XᵀX of the layer's input, K×K row-major
     * @param damp    λ as a share of the mean diagonal of XᵀX (GPTQ uses 0.01)
     */
    public static QuantizedWeight refine(float[] w, QuantizedWeight rtn, int inAxis, double[] xtx, double damp) {
        return refine(w, rtn, inAxis, xtx, damp, false);
    }

    /**
     * As above; {@code actOrder} rounds the input features in order of decreasing XᵀX diagonal
     * (largest activations first, so their errors can still be compensated by the rest).
     */
    public static QuantizedWeight refine(float[] w, QuantizedWeight rtn, int inAxis, double[] xtx, double damp,
                                         boolean actOrder) {
        long[] dims = rtn.grouping().dims();
        if (dims.length != 2) {
            throw new BadInputException("GPTQ applies to 2-D weights, not shape " + java.util.Arrays.toString(dims) + ".");
        }
        return refine(w, rtn, dims, inAxis, xtx, damp, actOrder);
    }

    /**
     * As above for a weight seen as the 2-D matrix {@code dims} (row-major over its elements): a
     * Conv of one group as [M, C·kh·kw] with input axis 1, its XᵀX that of its im2col rows. The
     * rounding grid (groups, scales, zero points) stays {@code rtn}'s, whatever its shape.
     */
    public static QuantizedWeight refine(float[] w, QuantizedWeight rtn, long[] dims, int inAxis, double[] xtx, double damp,
                                         boolean actOrder) {
        if (dims.length != 2 || dims[0] * dims[1] != w.length) {
            throw new BadInputException("GPTQ: a " + java.util.Arrays.toString(dims) + " view of " + w.length + " weights.");
        }
        int k = (int) dims[inAxis];
        int n = (int) dims[1 - inAxis];
        if (xtx.length != (long) k * k) {
            throw new BadInputException("GPTQ: XᵀX of size " + xtx.length + " does not match an input dimension of " + k + ".");
        }
        byte[] codes = new byte[w.length];
        long clipped = refineRows(w, rtn, k, n, inAxis, 0, n, xtx, damp, actOrder, codes);
        return finish(w, rtn, codes, clipped);
    }

    /** The refined weight: {@code rtn}'s grid with the new codes, and its noise. */
    private static QuantizedWeight finish(float[] w, QuantizedWeight rtn, byte[] codes, long clipped) {
        int[] group = rtn.grouping().groupOfElements();
        float[] scale = rtn.scales();
        int[] zp = rtn.zeroPoints();
        double noise = 0;
        for (int i = 0; i < w.length; i++) {
            int gi = group[i];
            float e = w[i] - (codes[i] - zp[gi]) * scale[gi];
            noise += (double) e * e;
        }
        return new QuantizedWeight(rtn.grouping(), rtn.spec(), codes, scale, zp, rtn.lo(), rtn.hi(), clipped, rtn.signal(), noise);
    }

    /**
     * GPTQ for a grouped Conv seen as [M, C/g·kh·kw] (filters as rows, input axis 1): the filters
     * of group g read only group g's input channels, so each group is rounded with its own XᵀX
     * block ({@code blocks}: g blocks of k×k, one after another).
     */
    public static QuantizedWeight refineGroups(float[] w, QuantizedWeight rtn, long[] dims, double[] blocks, int groups,
                                               double damp, boolean actOrder) {
        int n = (int) dims[0];
        int k = (int) dims[1];
        if (dims.length != 2 || (long) n * k != w.length || groups < 1 || n % groups != 0
                || blocks.length != (long) groups * k * k) {
            throw new BadInputException("GPTQ: " + groups + " XᵀX blocks of " + k + " x " + k + " do not fit a "
                    + java.util.Arrays.toString(dims) + " view of " + w.length + " weights.");
        }
        int per = n / groups;
        byte[] codes = new byte[w.length];
        long clipped = 0;
        for (int g = 0; g < groups; g++) {
            double[] h = java.util.Arrays.copyOfRange(blocks, g * k * k, (g + 1) * k * k);
            clipped += refineRows(w, rtn, k, n, 1, g * per, per, h, damp, actOrder, codes);
        }
        return finish(w, rtn, codes, clipped);
    }

    /**
     * GPTQ over outputs {@code rowFrom .. rowFrom + n - 1} of a weight seen as a 2-D matrix with
     * {@code total} outputs and {@code k} inputs, with the given k×k XᵀX; writes their codes into
     * {@code codes} and returns how many were clipped.
     */
    private static long refineRows(float[] w, QuantizedWeight rtn, int k, int total, int inAxis, int rowFrom, int n,
                                   double[] xtx, double damp, boolean actOrder, byte[] codes) {
        int[] perm = order(xtx, k, actOrder);
        double[] h = xtx;
        if (actOrder) {
            h = new double[k * k];
            for (int a = 0; a < k; a++) {
                for (int b = 0; b < k; b++) {
                    h[a * k + b] = xtx[perm[a] * k + perm[b]];
                }
            }
        }
        float[] u = inverseCholesky(h, k, damp);
        int[] group = rtn.grouping().groupOfElements();
        // Working copy with input features (in processing order) as rows: wk[j * n + o].
        float[] wk = new float[k * n];
        int[] at = new int[k * n];
        for (int j = 0; j < k; j++) {
            for (int o = 0; o < n; o++) {
                int idx = inAxis == 0 ? perm[j] * total + rowFrom + o : (rowFrom + o) * k + perm[j];
                wk[j * n + o] = w[idx];
                at[j * n + o] = idx;
            }
        }
        WeightSpec spec = rtn.spec();
        int qmin = spec.qmin();
        int qmax = spec.qmax();
        float[] scale = rtn.scales();
        int[] zp = rtn.zeroPoints();
        long clipped = 0;
        float[] err = new float[BLOCK * n];
        for (int b0 = 0; b0 < k; b0 += BLOCK) {
            int b1 = Math.min(k, b0 + BLOCK);
            for (int j = b0; j < b1; j++) {
                float d = u[j * k + j];
                int row = j * n;
                int er = (j - b0) * n;
                for (int o = 0; o < n; o++) {
                    int idx = at[row + o];
                    int gi = group[idx];
                    float v = wk[row + o];
                    double r = Math.rint(v / scale[gi]) + zp[gi];
                    int q = (int) Math.max(qmin, Math.min(qmax, r));
                    clipped += r < qmin || r > qmax ? 1 : 0;
                    codes[idx] = (byte) q;
                    float deq = (q - zp[gi]) * scale[gi];
                    err[er + o] = (v - deq) / d;
                }
                ObsUpdate.withinBlock(wk, u, k, n, j, b0, b1, err);
            }
            ObsUpdate.afterBlock(wk, u, k, n, b0, b1, err);
        }
        return clipped;
    }

    /** Input features in processing order: as stored, or by decreasing diagonal (ties by position). */
    private static int[] order(double[] xtx, int k, boolean actOrder) {
        Integer[] p = new Integer[k];
        for (int j = 0; j < k; j++) {
            p[j] = j;
        }
        if (actOrder) {
            java.util.Arrays.sort(p, (a, b) -> Double.compare(xtx[b * k + b], xtx[a * k + a]));
        }
        int[] out = new int[k];
        for (int j = 0; j < k; j++) {
            out[j] = p[j];
        }
        return out;
    }

    static float[] inverseCholesky(double[] xtx, int k, double damp) {
        return DampedCholesky.inverseUpper(xtx, k, damp, "GPTQ");
    }

    private static void check(String what, int info) {
        DampedCholesky.check("GPTQ", what, info);
    }
}
