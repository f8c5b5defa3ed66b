package dev.whittle.core.quant;

import dev.whittle.core.BadInputException;

/**
 * The recipe's {@code quantize.weights}: how weights are quantized.
 *
 * <p>Symmetric b-bit quantization uses signed codes in [-(2^(b-1)-1), 2^(b-1)-1] with scale
 * max|w| / (2^(b-1)-1) over the group and zero point 0; asymmetric uses unsigned codes in
 * [0, 2^b-1] with scale (hi - lo) / (2^b - 1) and zero point round(-lo / scale), where the
 * range is widened to contain 0. Rounding is half to even; an all-zero group gets scale 1.
 *
 * @param bits        8 or 4
 * @param granularity tensor, channel (the layer's output-channel axis) or block
 * @param block       elements per block along the input dimension, 16 to 256; used only with
 *                    {@link Granularity#BLOCK} (0 means unset)
 * @param range       how each group's clipping range is chosen
 */
public record WeightSpec(int bits, boolean symmetric, Granularity granularity, int block, RangeSpec range) {
    public static final int MIN_BLOCK = 16;
    public static final int MAX_BLOCK = 256;

    public WeightSpec {
        if (bits != 8 && bits != 4) {
            throw new BadInputException("weights.bits must be 8 or 4, got " + bits + ".");
        }
        if (granularity == null) {
            throw new BadInputException("weights.granularity is missing (tensor, channel or block).");
        }
        if (range == null) {
            range = RangeSpec.MINMAX;
        }
        if (block != 0 && (block < MIN_BLOCK || block > MAX_BLOCK)) {
            throw new BadInputException("weights.block must be between " + MIN_BLOCK + " and " + MAX_BLOCK + ", got " + block + ".");
        }
        if (granularity == Granularity.BLOCK && block == 0) {
            throw new BadInputException("weights.block is needed with granularity block (16 to 256, e.g. 32).");
        }
    }

    /** Symmetric, per channel, min/max range. */
    public static WeightSpec of(int bits, Granularity granularity) {
        return new WeightSpec(bits, true, granularity, granularity == Granularity.BLOCK ? 32 : 0, RangeSpec.MINMAX);
    }

    public static WeightSpec blocks(int bits, int block) {
        return new WeightSpec(bits, true, Granularity.BLOCK, block, RangeSpec.MINMAX);
    }

    public WeightSpec withRange(RangeSpec r) {
        return new WeightSpec(bits, symmetric, granularity, block, r);
    }

    public WeightSpec withSymmetric(boolean s) {
        return new WeightSpec(bits, s, granularity, block, range);
    }

    /** Largest code: 127 or 7 symmetric, 255 or 15 asymmetric. */
    public int qmax() {
        return symmetric ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
    }

    /** Smallest code: -127 or -7 symmetric, 0 asymmetric. */
    public int qmin() {
        return symmetric ? -qmax() : 0;
    }

    /** Block size in effect: {@link #block()} for blocks, else 0. */
    public int effectiveBlock() {
        return granularity == Granularity.BLOCK ? block : 0;
    }
}
