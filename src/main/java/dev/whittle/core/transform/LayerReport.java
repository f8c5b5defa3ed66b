package dev.whittle.core.transform;

/**
 * What a transform did to one weight layer. Counts are elements of the layer's weight tensor
 * (for low-rank, of both factors; bias excluded); bytes are their dense storage size.
 *
 * @param node         node name, as in the model view
 * @param weight       weight tensor name
 * @param method       e.g. "prune unstructured", "prune 2:4", "prune channel", "lowrank svd"
 * @param zeros        zero elements of the weight after the transform
 * @param sparsity     zeros / paramsAfter (0 when paramsAfter is 0)
 * @param rank         rank kept by low-rank factorization, else null
 * @param relError     ||W - W'||_F / ||W||_F of the weight as the rest of the network sees it
 *                     (removed channels count as zeros; factors multiplied back), null if skipped
 * @param energyKept   low-rank: sum of kept sigma^2 / sum of all sigma^2, else null
 * @param channels     channel pruning: "kept/total" output channels, else null
 * @param skipped      why the layer was left unchanged, or null (a layer whose inputs shrank is changed)
 * @param note         what happened to the layer, in words that match the numbers ("removed 36 of 120
 *                     output channels (30.0%)", "skipped: ..."); never null
 */
public record LayerReport(String node, String weight, String method, long paramsBefore, long paramsAfter,
                          long bytesBefore, long bytesAfter, long zeros, double sparsity, Integer rank,
                          Double relError, Double energyKept, String channels, String skipped, String note) {
    public LayerReport {
        note = note != null ? note : describe(method, channels, skipped);
    }

    /** With the note derived from the other fields. */
    public LayerReport(String node, String weight, String method, long paramsBefore, long paramsAfter, long bytesBefore,
                       long bytesAfter, long zeros, double sparsity, Integer rank, Double relError, Double energyKept,
                       String channels, String skipped) {
        this(node, weight, method, paramsBefore, paramsAfter, bytesBefore, bytesAfter, zeros, sparsity, rank, relError,
                energyKept, channels, skipped, null);
    }

    private static String describe(String method, String channels, String skipped) {
        if (skipped != null) {
            return "skipped: " + skipped;
        }
        if (channels != null && channels.contains("/")) {
            long kept = Long.parseLong(channels.substring(0, channels.indexOf('/')));
            long total = Long.parseLong(channels.substring(channels.indexOf('/') + 1));
            return String.format(java.util.Locale.ROOT, "removed %d of %d output channels (%.1f%%)", total - kept, total,
                    total == 0 ? 0.0 : 100.0 * (total - kept) / total);
        }
        if (method != null && method.endsWith("(inputs of removed channels)")) {
            return "inputs shrank with the channels removed upstream";
        }
        return "";
    }

    /** A layer the transform selected but left alone, with the reason. */
    public static LayerReport skipped(String node, String weight, String method, long params, long bytes, long zeros,
                                      String reason) {
        return new LayerReport(node, weight, method, params, params, bytes, bytes, zeros,
                params == 0 ? 0 : (double) zeros / params, null, null, null, null, reason);
    }

    public boolean isSkipped() {
        return skipped != null;
    }
}
