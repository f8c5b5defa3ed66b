package dev.whittle.core.plan;

/**
 * Size and cost of a model or of one layer.
 *
 * @param params parameters (constant tensor elements; quantized codes count one each)
 * @param bytes  bytes on disk as the writer stores them (codes packed, scales and zero points,
 *               sparse values and indices, factors)
 * @param macs   multiply-accumulates for one sample (batch 1; a dynamic sequence length at
 *               {@link TotalsEstimator#sequenceLength()})
 */
public record Figures(long params, long bytes, long macs) {
    public static final Figures ZERO = new Figures(0, 0, 0);

    public Figures plus(Figures o) {
        return new Figures(params + o.params, bytes + o.bytes, macs + o.macs);
    }

    public Figures minus(Figures o) {
        return new Figures(params - o.params, bytes - o.bytes, macs - o.macs);
    }
}
