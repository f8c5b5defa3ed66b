package dev.whittle.core.preview;

/**
 * What a weight quantization setting does to one layer.
 *
 * <p>{@code lo}, {@code hi}, {@code scale} and {@code zeroPoint} describe the common range (the
 * tensor's, or the common clip that every channel's or block's own range is intersected with);
 * per channel or block each group has its own scale, between {@code scaleMin} and
 * {@code scaleMax}.
 *
 * @param lo              low end of the common clip (symmetric: -max(|lo|, |hi|))
 * @param hi              high end of the common clip
 * @param scale           scale of the common range: symmetric max(|lo|, |hi|) / (2^(b-1) - 1),
 *                        asymmetric (hi - lo) / (2^b - 1)
 * @param zeroPoint       round(-lo / scale) for asymmetric, 0 for symmetric
 * @param scaleMin        smallest group scale
 * @param scaleMax        largest group scale
 * @param groups          number of groups (1, channels, or blocks)
 * @param clippedFraction share of weights whose code saturates
 * @param sqnrDb          10 log10(sum w^2 / sum (w - w_hat)^2); +Infinity when the error is 0
 * @param exact           false for an instant-tier estimate, true for the exact quantization
 */
public record QuantFigures(double lo, double hi, double scale, int zeroPoint, double scaleMin, double scaleMax,
                           int groups, double clippedFraction, double sqnrDb, boolean exact) {
}
