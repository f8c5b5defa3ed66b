package dev.whittle.core.prune;

import dev.whittle.core.BadInputException;
import dev.whittle.core.tensor.DampedCholesky;
import dev.whittle.core.tensor.ObsUpdate;

/**
 * SparseGPT (Frantar and Alistarh 2023, "SparseGPT: Massive Language Models Can Be Accurately
 * Pruned in One-Shot"): prunes a layer one input feature at a time and moves each removed
 * weight's contribution onto the input features not yet processed, weighted by the inverse of
 * the input's second moment H = XᵀX + λI (the OBS update GPTQ uses for rounding), so the kept
 * weights change to make up for what was removed. The mask is chosen a block of {@link #BLOCK}
 * features at a time, per output, by w² / [H⁻¹]_jj² on the weights as updated so far (the
 * paper's adaptive mask selection); N:M keeps the N best of every M consecutive inputs.
 */
public final class SparseGpt {
    /** Input features whose mask is chosen together, and that are updated between two products. */
    static final int BLOCK = 128;
    /** λ as a share of the mean diagonal of XᵀX: 0.1 (the paper's 0.01 gives 0.885 against 0.899 on MiniLM, 256 sentences). */
    public static final double DAMP = 0.1;

    private SparseGpt() {
    }

    /**
     * The pruned and updated weights of a weight seen as the 2-D matrix {@code dims} (row-major
     * over its elements) with input axis {@code inAxis} and the k×k {@code xtx} of its input.
     * {@code sparsity} (unstructured, within each output and block) or {@code keepN}/{@code groupM}
     * (N:M along the inputs; {@code sparsity} ignored).
     */
    public static float[] prune(float[] w, long[] dims, int inAxis, double[] xtx, double damp, double sparsity, int keepN,
                                int groupM) {
        if (dims.length != 2 || dims[0] * dims[1] != w.length) {
            throw new BadInputException("SparseGPT: a " + java.util.Arrays.toString(dims) + " view of " + w.length + " weights.");
        }
        int k = (int) dims[inAxis];
        int n = (int) dims[1 - inAxis];
        if (xtx.length != (long) k * k) {
            throw new BadInputException("SparseGPT: XᵀX of size " + xtx.length + " does not match an input dimension of " + k + ".");
        }
        float[] out = w.clone();
        pruneRows(out, k, n, inAxis, 0, n, xtx, damp, sparsity, keepN, groupM);
        return out;
    }

    /** As {@link #prune} for a grouped Conv as [M, C/g·kh·kw]: each group with its own XᵀX block. */
    public static float[] pruneGroups(float[] w, long[] dims, double[] blocks, int groups, double damp, double sparsity,
                                      int keepN, int groupM) {
        int n = (int) dims[0];
        int k = (int) dims[1];
        if (groups < 1 || n % groups != 0 || blocks.length != (long) groups * k * k) {
            throw new BadInputException("SparseGPT: " + groups + " XᵀX blocks of " + k + " x " + k + " do not fit "
                    + java.util.Arrays.toString(dims) + ".");
        }
        float[] out = w.clone();
        int per = n / groups;
        for (int g = 0; g < groups; g++) {
            pruneRows(out, k, n, 1, g * per, per, java.util.Arrays.copyOfRange(blocks, g * k * k, (g + 1) * k * k), damp,
                    sparsity, keepN, groupM);
        }
        return out;
    }

    /** Outputs {@code rowFrom .. rowFrom + n - 1} of a weight with {@code total} outputs and {@code k} inputs, in place. */
    private static void pruneRows(float[] w, int k, int total, int inAxis, int rowFrom, int n, double[] xtx, double damp,
                                  double sparsity, int keepN, int groupM) {
        float[] u = DampedCholesky.inverseUpper(xtx, k, damp, "SparseGPT");
        float[] wk = new float[k * n]; // input features as rows: wk[j * n + o]
        int[] at = new int[k * n];
        for (int j = 0; j < k; j++) {
            for (int o = 0; o < n; o++) {
                int idx = inAxis == 0 ? j * total + rowFrom + o : (rowFrom + o) * k + j;
                wk[j * n + o] = w[idx];
                at[j * n + o] = idx;
            }
        }
        boolean nm = groupM > 0;
        float[] err = new float[BLOCK * n];
        boolean[] pruned = new boolean[BLOCK * n];
        float[] score = new float[BLOCK];
        Integer[] order = new Integer[BLOCK];
        for (int b0 = 0; b0 < k; b0 += BLOCK) {
            int b1 = Math.min(k, b0 + BLOCK);
            int width = b1 - b0;
            java.util.Arrays.fill(pruned, false);
            if (!nm) {
                // per output: the share of this block's weights with the smallest w² / d², d the diagonal of U
                int drop = (int) Math.floor(sparsity * width + 1e-9);
                for (int o = 0; o < n && drop > 0; o++) {
                    for (int j = 0; j < width; j++) {
                        float d = u[(b0 + j) * k + b0 + j];
                        float v = wk[(b0 + j) * n + o];
                        score[j] = v * v / (d * d);
                        order[j] = j;
                    }
                    final int oo = o;
                    java.util.Arrays.sort(order, 0, width, (a, b) -> Float.compare(score[a], score[b]));
                    for (int i = 0; i < drop; i++) {
                        pruned[order[i] * n + oo] = true;
                    }
                }
            }
            for (int j = b0; j < b1; j++) {
                if (nm && (j - b0) % groupM == 0) {
                    // N:M: of the next M inputs (updated so far), each output keeps the N with the largest w² / d²
                    int end = Math.min(b1, j + groupM);
                    for (int o = 0; o < n; o++) {
                        int m = end - j;
                        for (int i = 0; i < m; i++) {
                            float d = u[(j + i) * k + j + i];
                            float v = wk[(j + i) * n + o];
                            score[i] = v * v / (d * d);
                            order[i] = i;
                        }
                        java.util.Arrays.sort(order, 0, m, (a, b) -> Float.compare(score[a], score[b]));
                        for (int i = 0; i < m - Math.min(keepN, m); i++) {
                            pruned[(j - b0 + order[i]) * n + o] = true;
                        }
                    }
                }
                float d = u[j * k + j];
                int row = j * n;
                int er = (j - b0) * n;
                for (int o = 0; o < n; o++) {
                    float v = wk[row + o];
                    float q = pruned[er + o] ? 0f : v;
                    w[at[row + o]] = q;
                    err[er + o] = (v - q) / d;
                }
                ObsUpdate.withinBlock(wk, u, k, n, j, b0, b1, err);
            }
            ObsUpdate.afterBlock(wk, u, k, n, b0, b1, err);
        }
    }
}
