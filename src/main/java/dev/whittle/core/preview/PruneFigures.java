package dev.whittle.core.preview;

/**
 * What a prune setting does to one layer.
 *
 * @param threshold the |w| at or below which weights are pruned (NaN for N:M and channel)
 * @param fraction  share of the layer's weights that are zero afterwards, in [0, 1]
 * @param count     weights that are zero afterwards
 * @param total     weights of the layer
 * @param exact     false for an instant-tier estimate, true for the exact computation
 */
public record PruneFigures(double threshold, double fraction, long count, long total, boolean exact) {
}
