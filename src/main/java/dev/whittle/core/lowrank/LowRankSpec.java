package dev.whittle.core.lowrank;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.whittle.core.BadInputException;

/**
 * A recipe's {@code lowrank} setting (docs/recipes.md), validated on construction. Exactly one
 * of rank, energy and params chooses the rank of each selected layer.
 *
 * @param rank   explicit rank r >= 1 (a layer whose min(m, n) is below r is an error)
 * @param energy smallest r whose kept sum of sigma^2 reaches this share of the total, in (0, 1]
 * @param params keep this share of the layer's weight parameters: r = floor(p m n / (m + n)), in (0, 1)
 * @param method "svd" (default; Conv: a kh x kw Conv with r filters, then a 1x1 Conv) or
 *               "spatial" (Conv only: a kh x 1 Conv with r filters, then a 1 x kw Conv)
 * @param whiten activation-whitened SVD (SVD-LLM): truncate the SVD of R·W, RᵀR the damped XᵀX
 *               of the layer's input on the calibration data, so the rank keeps what matters
 *               for the layer's output; rank, energy and params apply to that spectrum
 */
public record LowRankSpec(Integer rank, Double energy, Double params, String method, boolean whiten) {
    public LowRankSpec {
        method = method == null ? "svd" : method.trim().toLowerCase();
        int given = (rank != null ? 1 : 0) + (energy != null ? 1 : 0) + (params != null ? 1 : 0);
        if (given != 1) {
            throw bad("lowrank takes exactly one of rank, energy and params, got " + given);
        }
        if (rank != null && rank < 1) {
            throw bad("lowrank.rank must be at least 1, got " + rank);
        }
        if (energy != null && !(energy > 0 && energy <= 1)) {
            throw bad("lowrank.energy must be in (0, 1], got " + energy);
        }
        if (params != null && !(params > 0 && params < 1)) {
            throw bad("lowrank.params must be in (0, 1), got " + params);
        }
        if (!method.equals("svd") && !method.equals("spatial")) {
            throw bad("lowrank.method must be svd or spatial, got '" + method + "'");
        }
        if (whiten && method.equals("spatial")) {
            throw bad("lowrank.whiten applies to method svd (MatMul, Gemm and Conv layers), not to method spatial");
        }
    }

    public static LowRankSpec rank(int r) {
        return new LowRankSpec(r, null, null, null, false);
    }

    public static LowRankSpec energy(double e) {
        return new LowRankSpec(null, e, null, null, false);
    }

    public static LowRankSpec params(double p) {
        return new LowRankSpec(null, null, p, null, false);
    }

    public LowRankSpec withMethod(String m) {
        return new LowRankSpec(rank, energy, params, m, whiten);
    }

    public LowRankSpec withWhiten(boolean w) {
        return new LowRankSpec(rank, energy, params, method, w);
    }

    @JsonIgnore
    public boolean isSpatial() {
        return method.equals("spatial");
    }

    /** The rank this spec asks for on an m x n matrix with singular values {@code s} (may be null unless energy). */
    public int rankFor(int m, int n, float[] s) {
        if (rank != null) {
            return rank;
        }
        if (params != null) {
            return (int) Math.max(1, Math.floor(params * ((double) m * n) / (m + n)));
        }
        double all = 0;
        for (float v : s) {
            all += (double) v * v;
        }
        double kept = 0;
        for (int r = 0; r < s.length; r++) {
            kept += (double) s[r] * s[r];
            if (all == 0 || kept >= energy * all * (1 - 1e-12)) {
                return r + 1;
            }
        }
        return s.length;
    }

    private static BadInputException bad(String message) {
        return new BadInputException(message + ".");
    }
}
