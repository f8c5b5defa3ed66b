package dev.whittle.core.recipe;

import dev.whittle.core.quant.ActivationReport;
import dev.whittle.core.transform.LayerReport;
import java.util.List;

/**
 * What applying a recipe did: one entry per layer per transform, in the order they ran (all
 * pruning, then low-rank, then quantization), the quantized activations, and totals over the
 * whole model.
 *
 * @param paramsBefore elements of every constant tensor of the input model
 * @param paramsAfter  the same for the output model
 * @param bytesBefore  size of the input model file(s) in bytes
 * @param bytesAfter   serialized size of the output model in bytes (the CLI replaces it with the
 *                     size it actually wrote, external data included)
 */
public record RecipeReport(List<Entry> layers, List<ActivationReport> activations, long paramsBefore, long paramsAfter,
                           long bytesBefore, long bytesAfter) {
    public RecipeReport {
        layers = List.copyOf(layers);
        activations = List.copyOf(activations);
    }

    /**
     * What step {@code step} (1-based) did to one layer: a prune or low-rank {@code transform}, or
     * a {@code quant}ization (exactly one is set; {@code quantParams} is then the weight's
     * element count). For quantization the step is the one whose {@code weights} setting applied.
     */
    public record Entry(int step, LayerReport transform, dev.whittle.core.quant.LayerReport quant, long quantParams) {
        public Entry {
            if ((transform == null) == (quant == null)) {
                throw new IllegalArgumentException("an entry holds a transform or a quantization");
            }
        }

        public static Entry of(int step, LayerReport t) {
            return new Entry(step, t, null, 0);
        }

        /** A quantized layer whose weight has {@code params} elements. */
        public static Entry of(int step, dev.whittle.core.quant.LayerReport q, long params) {
            return new Entry(step, null, q, params);
        }

        public String node() {
            return transform != null ? transform.node() : quant.node();
        }
    }

    public RecipeReport withBytesAfter(long bytes) {
        return new RecipeReport(layers, activations, paramsBefore, paramsAfter, bytesBefore, bytes);
    }

    /** bytesAfter / bytesBefore. */
    public double sizeRatio() {
        return bytesBefore == 0 ? 1 : (double) bytesAfter / bytesBefore;
    }
}
