package dev.whittle.core.plan;

/**
 * Size and cost of a model or of one layer.
 *
 * @param params      parameters (constant tensor elements; quantized codes count one each), the
 *                    quantization scales and zero points excluded, as the CLI counts them
 * @param bytes       bytes on disk as the writer stores them (codes packed, scales and zero points,
 *                    sparse values and indices, factors)
 * @param macs        multiply-accumulates for one sample (batch 1; a dynamic sequence length at
 *                    {@link TotalsEstimator#sequenceLength()})
 * @param quantParams elements of the quantization scales and zero points, counted apart from
 *                    {@code params}
 */
public record Figures(long params, long bytes, long macs, long quantParams) {
    public static final Figures ZERO = new Figures(0, 0, 0, 0);

    /** Figures without quantization data. */
    public Figures(long params, long bytes, long macs) {
        this(params, bytes, macs, 0);
    }

    public Figures plus(Figures o) {
        return new Figures(params + o.params, bytes + o.bytes, macs + o.macs, quantParams + o.quantParams);
    }

    public Figures minus(Figures o) {
        return new Figures(params - o.params, bytes - o.bytes, macs - o.macs, quantParams - o.quantParams);
    }
}
