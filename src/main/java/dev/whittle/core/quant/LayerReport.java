package dev.whittle.core.quant;

/**
 * What quantization did to one layer's weight.
 *
 * @param granularity   the granularity applied (tensor when a spec's blocks or channels do not apply)
 * @param scaleMin      smallest scale over the groups
 * @param zeroPointMin  smallest zero point (0 for symmetric)
 * @param clipLo        widest clipping range over the groups, low end (weight units)
 * @param clipped       fraction of weights whose code saturated
 * @param sqnrDb        10 log10(sum w^2 / sum (w - dequantized)^2); +Infinity for no error
 * @param bytesBefore   bytes of the float weight
 * @param bytesAfter    bytes of the codes plus scales and zero points as stored
 * @param scales        one scale per group (see {@link Grouping} for the order), when there are at
 *                      most {@link QuantReportMaps#MAX_LISTED} groups; else empty (a large model's
 *                      blocks would hold hundreds of megabytes in the report)
 * @param zeroPoints    one zero point per group, listed as the scales are
 * @param groups        the number of groups
 * @param int8Layout    the 8-bit layout of a symmetric 8-bit weight, null for other weights
 */
public record LayerReport(String node, String op, String weight, QuantFormat format, int bits, boolean symmetric,
                          Granularity granularity, int block, String range, double scaleMin, double scaleMax,
                          int zeroPointMin, int zeroPointMax, double clipLo, double clipHi, double clipped,
                          double sqnrDb, long bytesBefore, long bytesAfter, float[] scales, int[] zeroPoints,
                          int groups, Int8Layout int8Layout) {
}
