package dev.whittle.core.recipe;

import dev.whittle.core.quant.ActivationReport;
import dev.whittle.core.transform.LayerReport;
import java.util.List;
import java.util.Map;

/**
 * What applying a recipe did: one entry per layer per transform, in the order they ran (all
 * pruning, then low-rank, then quantization), the quantized activations, and totals over the
 * whole model.
 *
 * @param paramsBefore     elements of every constant tensor of the input model, quantization data excluded
 * @param paramsAfter      the same for the output model (weights, biases, quantized codes)
 * @param bytesBefore      size of the input model file(s) in bytes
 * @param bytesAfter       serialized size of the output model in bytes (the CLI replaces it with the
 *                         size it actually wrote, external data included)
 * @param quantParamsAfter elements of the output's quantization scales and zero points, counted apart
 * @param factors          each layer low-rank factored, to its two factors' node names (first the one
 *                         reading the input), e.g. fc1 to [fc1.u, fc1.v]
 */
public record RecipeReport(List<Entry> layers, List<ActivationReport> activations, long paramsBefore, long paramsAfter,
                           long bytesBefore, long bytesAfter, long quantParamsAfter, Map<String, List<String>> factors) {
    public RecipeReport {
        layers = List.copyOf(layers);
        activations = List.copyOf(activations);
        factors = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(factors));
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
        return new RecipeReport(layers, activations, paramsBefore, paramsAfter, bytesBefore, bytes, quantParamsAfter, factors);
    }

    /** bytesAfter / bytesBefore. */
    public double sizeRatio() {
        return bytesBefore == 0 ? 1 : (double) bytesAfter / bytesBefore;
    }
}
