package dev.whittle.core.prune;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.whittle.core.BadInputException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A recipe's {@code prune} setting (docs/recipes.md), validated on construction. Null
 * components take their defaults; errors name the field and the value.
 *
 * @param sparsity    share of weights (unstructured) or output channels (channel) to remove, in [0, 1):
 *                    exactly floor(s x n) of them, smallest first, ties broken by position
 * @param threshold   unstructured only, instead of sparsity: |w| <= threshold becomes zero
 * @param structure   "unstructured" (default) | "N:M" with N < M, e.g. "2:4", "4:8" | "channel"
 * @param scope       "layer" (default): each layer reaches the sparsity; "global": one magnitude
 *                    threshold across all selected layers reaches it in total (unstructured only)
 * @param criterion   channel ranking: "l1" (default) | "l2" norm of each output channel's weights |
 *                    "activation" (mean |output| on calibration data, needs statistics);
 *                    unstructured and N:M: "magnitude" (default; "l1" reads the same) | "wanda"
 *                    (|w_ij|·‖x_j‖₂ within each output row, needs input statistics)
 * @param minSparsity global scope: no layer ends below this sparsity (default 0)
 * @param maxSparsity global scope: no layer ends above this sparsity (default: no limit)
 * @param storage     "dense" (default) | "sparse": write pruned weights as ONNX sparse_initializer
 */
public record PruneSpec(Double sparsity, Double threshold, String structure, String scope, String criterion,
                        Double minSparsity, Double maxSparsity, String storage) {
    private static final Pattern N_OF_M = Pattern.compile("(\\d+):(\\d+)");

    public PruneSpec {
        structure = structure == null ? "unstructured" : structure.trim().toLowerCase();
        scope = scope == null ? "layer" : scope.trim().toLowerCase();
        criterion = criterion == null ? "l1" : criterion.trim().toLowerCase();
        storage = storage == null ? "dense" : storage.trim().toLowerCase();
        Matcher nm = N_OF_M.matcher(structure);
        boolean isNm = nm.matches();
        if (!isNm && !structure.equals("unstructured") && !structure.equals("channel")) {
            throw bad("prune.structure must be unstructured, N:M (such as 2:4 or 4:8) or channel, got '" + structure + "'");
        }
        if (isNm) {
            int n = Integer.parseInt(nm.group(1));
            int m = Integer.parseInt(nm.group(2));
            if (m < 2 || m > 64 || n < 1 || n >= m) {
                throw bad("prune.structure " + structure + " needs 1 <= N < M <= 64");
            }
            if (sparsity != null || threshold != null) {
                throw bad("prune.structure " + structure + " fixes the sparsity; remove prune."
                        + (sparsity != null ? "sparsity" : "threshold"));
            }
        }
        if (sparsity != null && !(sparsity >= 0 && sparsity < 1)) {
            throw bad("prune.sparsity must be in [0, 1), got " + sparsity);
        }
        if (threshold != null && !(threshold >= 0 && Double.isFinite(threshold))) {
            throw bad("prune.threshold must be a finite number >= 0, got " + threshold);
        }
        if (sparsity != null && threshold != null) {
            throw bad("prune takes sparsity or threshold, not both");
        }
        if (!isNm && sparsity == null && threshold == null) {
            throw bad("prune needs sparsity (or threshold) for structure " + structure);
        }
        if (structure.equals("channel") && threshold != null) {
            throw bad("prune.threshold does not apply to channel pruning; use prune.sparsity");
        }
        if (!scope.equals("layer") && !scope.equals("global")) {
            throw bad("prune.scope must be layer or global, got '" + scope + "'");
        }
        if (scope.equals("global") && !structure.equals("unstructured")) {
            throw bad("prune.scope global applies to unstructured pruning only, not " + structure);
        }
        if (structure.equals("channel") ? !criterion.equals("l1") && !criterion.equals("l2") && !criterion.equals("activation")
                : !criterion.equals("l1") && !criterion.equals("magnitude") && !criterion.equals("wanda")
                && !criterion.equals("sparsegpt")) {
            throw bad(structure.equals("channel") ? "prune.criterion for channel pruning must be l1, l2 or activation, got '" + criterion + "'"
                    : "prune.criterion must be magnitude, wanda or sparsegpt, got '" + criterion + "'");
        }
        if (criterion.equals("wanda") && (scope.equals("global") || threshold != null)) {
            throw bad("prune.criterion wanda ranks |w|·‖x‖ within each output row; it takes sparsity or N:M with scope layer");
        }
        if (criterion.equals("sparsegpt") && (scope.equals("global") || threshold != null)) {
            throw bad("prune.criterion sparsegpt chooses each output's mask from the layer's input statistics; it takes"
                    + " sparsity or N:M with scope layer");
        }
        if ((minSparsity != null || maxSparsity != null) && !scope.equals("global")) {
            throw bad("prune.minSparsity and prune.maxSparsity apply to scope global only");
        }
        if (minSparsity != null && !(minSparsity >= 0 && minSparsity < 1)) {
            throw bad("prune.minSparsity must be in [0, 1), got " + minSparsity);
        }
        if (maxSparsity != null && !(maxSparsity > 0 && maxSparsity <= 1)) {
            throw bad("prune.maxSparsity must be in (0, 1], got " + maxSparsity);
        }
        if (minSparsity != null && maxSparsity != null && minSparsity > maxSparsity) {
            throw bad("prune.minSparsity " + minSparsity + " is above prune.maxSparsity " + maxSparsity);
        }
        if (!storage.equals("dense") && !storage.equals("sparse")) {
            throw bad("prune.storage must be dense or sparse, got '" + storage + "'");
        }
        if (storage.equals("sparse") && structure.equals("channel")) {
            throw bad("prune.storage sparse does not apply to channel pruning, which removes weights physically");
        }
    }

    public static PruneSpec sparsity(double s) {
        return new PruneSpec(s, null, null, null, null, null, null, null);
    }

    public static PruneSpec threshold(double t) {
        return new PruneSpec(null, t, null, null, null, null, null, null);
    }

    public static PruneSpec global(double s, Double min, Double max) {
        return new PruneSpec(s, null, null, "global", null, min, max, null);
    }

    public static PruneSpec nOfM(int n, int m) {
        return new PruneSpec(null, null, n + ":" + m, null, null, null, null, null);
    }

    /** Wanda pruning: a sparsity, or an N:M structure such as "2:4" (then sparsity is null). */
    public static PruneSpec wanda(Double sparsity, String structure) {
        return dataAware(sparsity, structure, "wanda");
    }

    /** Unstructured or N:M pruning by a data-aware {@code criterion}: wanda or sparsegpt. */
    public static PruneSpec dataAware(Double sparsity, String structure, String criterion) {
        return new PruneSpec(sparsity, null, structure, null, criterion, null, null, null);
    }

    /** Whether the ranking needs calibration statistics (Wanda, SparseGPT; activation for channels). */
    public boolean dataAware() {
        return criterion.equals("wanda") || criterion.equals("activation") || sparseGpt();
    }

    /** SparseGPT: the mask and the kept weights' update from the input's XᵀX (not Wanda's norms). */
    public boolean sparseGpt() {
        return criterion.equals("sparsegpt");
    }

    public static PruneSpec channel(double s, String criterion) {
        return new PruneSpec(s, null, "channel", null, criterion, null, null, null);
    }

    public PruneSpec withStorage(String s) {
        return new PruneSpec(sparsity, threshold, structure, scope, criterion, minSparsity, maxSparsity, s);
    }

    @JsonIgnore
    public boolean isChannel() {
        return structure.equals("channel");
    }

    @JsonIgnore
    public boolean isNofM() {
        return N_OF_M.matcher(structure).matches();
    }

    @JsonIgnore
    public boolean isGlobal() {
        return scope.equals("global");
    }

    @JsonIgnore
    public boolean sparseStorage() {
        return storage.equals("sparse");
    }

    /** N of an N:M structure (weights kept per group). */
    @JsonIgnore
    public int keepN() {
        return Integer.parseInt(structure.substring(0, structure.indexOf(':')));
    }

    /** M of an N:M structure (group size). */
    @JsonIgnore
    public int groupM() {
        return Integer.parseInt(structure.substring(structure.indexOf(':') + 1));
    }

    private static BadInputException bad(String message) {
        return new BadInputException(message + ".");
    }
}
