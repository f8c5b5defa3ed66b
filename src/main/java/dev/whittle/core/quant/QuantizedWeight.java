package dev.whittle.core.quant;

/**
 * A quantized weight: codes in the tensor's row-major order and one scale and zero point per
 * group (see {@link Grouping} for the numbering). Codes are signed for symmetric specs and
 * unsigned (stored in a byte, read with {@code & 0xff}) for asymmetric ones and the uint8 layout. The dequantized
 * value of element i in group g is {@code (code - zeroPoint[g]) * scale[g]} in float.
 *
 * @param lo      per group, the low end of the chosen clipping range
 * @param hi      per group, the high end of the chosen clipping range
 * @param clipped elements whose code saturated at qmin or qmax
 * @param signal  sum of w^2 over finite elements
 * @param noise   sum of (w - dequantized)^2 over finite elements
 */
public record QuantizedWeight(Grouping grouping, WeightSpec spec, byte[] codes, float[] scales, int[] zeroPoints,
                              float[] lo, float[] hi, long clipped, double signal, double noise) {

    /**
     * This weight without its codes (scales, ranges and figures kept), for what is still needed
     * once the codes are written: the figures and the scales bias quantization reads.
     */
    public QuantizedWeight withoutCodes() {
        return new QuantizedWeight(grouping, spec, new byte[0], scales, zeroPoints, lo, hi, clipped, signal, noise);
    }

    /** Signal-to-quantization-noise ratio in dB; +Infinity when the error is exactly zero. */
    public double sqnrDb() {
        if (noise == 0) {
            return Double.POSITIVE_INFINITY;
        }
        return 10 * Math.log10(signal / noise);
    }

    public double clippedFraction() {
        return codes.length == 0 ? 0 : (double) clipped / codes.length;
    }

    public int code(int i) {
        return spec.unsignedCodes() ? codes[i] & 0xff : codes[i];
    }

    public double scaleMin() {
        double m = Double.POSITIVE_INFINITY;
        for (float s : scales) {
            m = Math.min(m, s);
        }
        return m;
    }

    public double scaleMax() {
        double m = 0;
        for (float s : scales) {
            m = Math.max(m, s);
        }
        return m;
    }

    /** Widest clipping range over the groups: [min lo, max hi]. */
    public double[] clipRange() {
        double l = 0;
        double h = 0;
        for (int g = 0; g < lo.length; g++) {
            l = Math.min(l, lo[g]);
            h = Math.max(h, hi[g]);
        }
        return new double[] {l, h};
    }

    /** Bytes of the stored codes (int4 packs two per byte). */
    public long codeBytes() {
        return spec.bits() == 4 ? (codes.length + 1L) / 2 : codes.length;
    }

    /** The dequantized weight, in the tensor's order (for previews and checks). */
    public float[] dequantize() {
        float[] out = new float[codes.length];
        int idx = 0;
        Grouping g = grouping;
        for (int o = 0; o < g.outer(); o++) {
            for (int k = 0; k < g.d(); k++) {
                long base = o * g.so() + (k / g.block()) * g.sk();
                for (int i = 0; i < g.inner(); i++) {
                    int gi = (int) (base + i * g.si());
                    out[idx] = (code(idx) - zeroPoints[gi]) * scales[gi];
                    idx++;
                }
            }
        }
        return out;
    }
}
