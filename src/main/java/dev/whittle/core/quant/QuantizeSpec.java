package dev.whittle.core.quant;

import dev.whittle.core.BadInputException;

/**
 * The recipe's {@code quantize} block. Any of the three settings may be null, meaning "not set
 * by this step": when several steps select a layer, a later step's non-null setting replaces an
 * earlier one. A layer whose merged spec has no weights keeps float weights; a null format
 * means {@link QuantFormat#QDQ}.
 */
public record QuantizeSpec(WeightSpec weights, ActivationSpec activations, QuantFormat format) {
    public QuantizeSpec {
        if (weights == null && activations == null && format == null) {
            throw new BadInputException("quantize needs at least one of weights, activations or format.");
        }
    }

    public static QuantizeSpec weights(WeightSpec w) {
        return new QuantizeSpec(w, null, QuantFormat.QDQ);
    }

    /** This step's settings laid over {@code earlier}'s (null means keep the earlier one). */
    public QuantizeSpec over(QuantizeSpec earlier) {
        if (earlier == null) {
            return this;
        }
        return new QuantizeSpec(weights != null ? weights : earlier.weights,
                activations != null ? activations : earlier.activations,
                format != null ? format : earlier.format);
    }

    /**
     * This spec with the 8-bit weight layout decided: when {@code weights.int8Layout} is not
     * chosen, {@link Int8Layout#REDUCED} if activations are placed for speed (placement speed or
     * measured: uint8 weights keep ONNX Runtime's u8s8 and symmetric convolution kernels out,
     * and 7-bit codes are exact on every CPU too; decision 0027) or the format is dynamic
     * (decision 0029), {@link Int8Layout#SAFE_DEFAULT} if activations are quantized otherwise
     * (static activations placed by layers or graph, whose integer kernels can saturate on CPUs
     * without VNNI), else {@link Int8Layout#FULL}
     * (weight-only QDQ is computed in float, so its bytes stay as they were).
     */
    public QuantizeSpec withLayoutDefault() {
        if (weights == null || weights.bits() != 8 || weights.int8Layout() != null) {
            return this;
        }
        boolean intActivations = activations != null || formatOrDefault() == QuantFormat.DYNAMIC;
        // the dynamic format exists for speed on the CPU (decision 0029), as placements speed and measured do
        boolean forSpeed = formatOrDefault() == QuantFormat.DYNAMIC || activations != null
                && (activations.placement() == ActivationPlacement.SPEED || activations.placement() == ActivationPlacement.MEASURED);
        return new QuantizeSpec(weights.withInt8Layout(forSpeed ? Int8Layout.REDUCED
                : intActivations ? Int8Layout.SAFE_DEFAULT : Int8Layout.FULL), activations, format);
    }

    public QuantFormat formatOrDefault() {
        return format == null ? QuantFormat.QDQ : format;
    }

    /**
     * Checks that the settings fit together (the format's bits and granularity; activations only
     * with QDQ). {@code where} names the step in messages.
     */
    public void validate(String where) {
        QuantFormat f = formatOrDefault();
        if (f == QuantFormat.MATMULNBITS) {
            if (weights == null) {
                throw new BadInputException(where + ": format matmulnbits needs weights settings.");
            }
            if (weights.bits() != 4) {
                throw new BadInputException(where + ": format matmulnbits needs weights.bits 4, got " + weights.bits() + ".");
            }
            if (weights.granularity() != Granularity.BLOCK || Integer.bitCount(weights.block()) != 1) {
                throw new BadInputException(where + ": format matmulnbits needs granularity block with a power-of-two block"
                        + " (16 to 256), got " + weights.granularity() + (weights.granularity() == Granularity.BLOCK
                        ? " " + weights.block() : "") + ".");
            }
        }
        if (f == QuantFormat.DYNAMIC) {
            if (weights == null) {
                throw new BadInputException(where + ": format dynamic needs weights settings.");
            }
            if (weights.bits() != 8) {
                throw new BadInputException(where + ": format dynamic needs weights.bits 8, got " + weights.bits() + ".");
            }
            if (weights.granularity() == Granularity.BLOCK) {
                throw new BadInputException(where + ": format dynamic supports granularity tensor or channel, not block.");
            }
        }
        if (activations != null && f != QuantFormat.QDQ) {
            throw new BadInputException(where + ": activations can only be quantized with format qdq, not " + f + ".");
        }
    }
}
