package dev.whittle.core.recipe;

import dev.whittle.core.transform.LayerReport;
import java.util.List;

/**
 * What applying a recipe did: one entry per layer per transform, in the order they ran (all
 * pruning, then low-rank), and totals over the whole model.
 *
 * @param paramsBefore elements of every constant tensor of the input model
 * @param paramsAfter  the same for the output model
 * @param bytesBefore  size of the input model file(s) in bytes
 * @param bytesAfter   serialized size of the output model in bytes (the CLI replaces it with the
 *                     size it actually wrote, external data included)
 */
public record RecipeReport(List<Entry> layers, long paramsBefore, long paramsAfter, long bytesBefore, long bytesAfter) {
    public RecipeReport {
        layers = List.copyOf(layers);
    }

    /** What step {@code step} (1-based) did to one layer. */
    public record Entry(int step, LayerReport transform) {
    }

    public RecipeReport withBytesAfter(long bytes) {
        return new RecipeReport(layers, paramsBefore, paramsAfter, bytesBefore, bytes);
    }

    /** bytesAfter / bytesBefore. */
    public double sizeRatio() {
        return bytesBefore == 0 ? 1 : (double) bytesAfter / bytesBefore;
    }
}
