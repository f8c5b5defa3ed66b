package dev.whittle.core.preview;

import dev.whittle.core.quant.RangeSpec;
import dev.whittle.core.quant.WeightSpec;

/**
 * Instant-tier quantization figures from a layer's {@link LayerFacts}: the per-group ranges are
 * cached, so each group's scale and zero point are computed exactly as the quantizer computes
 * them (the common clip intersected with each group's own range, as {@code RangeSpec} says);
 * the squared error is summed over the facts' sample (the largest magnitudes exactly, the rest
 * weighted), so SQNR and the clipped fraction are estimates, exact for small layers. Well under
 * a millisecond for any layer size.
 *
 * <p>Ranges: minmax and explicit [lo, hi] are per group as the quantizer does; percentile and
 * mse are estimated with the common clip {@link #snap} gives for them (the exact tier computes
 * them per group).
 */
public final class QuantPreview {
    private QuantPreview() {
    }

    /**
     * Estimated figures for {@code spec} on the layer. For a block size whose ranges are not
     * cached ({@link LayerFacts#hasRanges}), the nearest cached block size stands in.
     */
    public static QuantFigures estimate(LayerFacts f, WeightSpec spec) {
        return QuantEstimate.estimate(f, spec);
    }

    /**
     * The common clip range that {@code how} picks on this layer for {@code spec}'s bits,
     * symmetry and granularity, as an explicit range for the range slider: minmax gives the
     * tensor's [min, max]; percentile:P the P-th percentile of |w| (from the fine histogram);
     * mse the clip with the least estimated squared error. Symmetric ranges come back as [-c, c].
     */
    public static RangeSpec.Explicit snap(LayerFacts f, WeightSpec spec, RangeSpec how) {
        return QuantEstimate.snap(f, spec, how);
    }
}
