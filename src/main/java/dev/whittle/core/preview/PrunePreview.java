package dev.whittle.core.preview;

import dev.whittle.core.prune.PruneSpec;

/**
 * Instant-tier pruning figures from a layer's cached |w| histogram: threshold to sparsity and
 * back, within a fine bucket (2^-10 of the value). No pass over the weights.
 */
public final class PrunePreview {
    private PrunePreview() {
    }

    /** Pruning every |w| <= {@code threshold}. */
    public static PruneFigures atThreshold(LayerFacts f, double threshold) {
        long c = Math.min(f.count, Math.round(MagnitudeTable.countAtMost(f, threshold)));
        return new PruneFigures(threshold, f.count == 0 ? 0 : (double) c / f.count, c, f.count, false);
    }

    /**
     * Pruning to {@code sparsity}: exactly floor(s n) weights become zero; the threshold is the
     * |w| of the last one (estimated).
     */
    public static PruneFigures atSparsity(LayerFacts f, double sparsity) {
        long k = (long) Math.floor(sparsity * f.count);
        double t = k == 0 ? 0 : MagnitudeTable.magnitudeAtRank(f, k);
        return new PruneFigures(t, f.count == 0 ? 0 : (double) Math.max(k, f.zeros) / f.count, Math.max(k, f.zeros),
                f.count, false);
    }

    /**
     * What {@code spec} does to the layer (unstructured by threshold or sparsity; N:M keeps N of
     * every M; channel removes floor(s C) output channels).
     */
    public static PruneFigures of(LayerFacts f, PruneSpec spec) {
        if (spec.isNofM()) {
            long groups = f.count / spec.groupM();
            long zeroed = groups * (spec.groupM() - spec.keepN());
            return new PruneFigures(Double.NaN, f.count == 0 ? 0 : (double) zeroed / f.count, zeroed, f.count, false);
        }
        if (spec.isChannel()) {
            long channels = f.layer.outputChannels();
            long removed = (long) Math.floor(spec.sparsity() * channels);
            long c = channels == 0 ? 0 : removed * (f.count / channels);
            return new PruneFigures(Double.NaN, f.count == 0 ? 0 : (double) c / f.count, c, f.count, false);
        }
        return spec.threshold() != null ? atThreshold(f, spec.threshold()) : atSparsity(f, spec.sparsity());
    }
}
