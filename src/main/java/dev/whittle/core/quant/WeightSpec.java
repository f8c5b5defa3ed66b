package dev.whittle.core.quant;

import dev.whittle.core.BadInputException;

/**
 * The recipe's {@code quantize.weights}: how weights are quantized.
 *
 * <p>Symmetric b-bit quantization uses signed codes in [-(2^(b-1)-1), 2^(b-1)-1] with scale
 * max|w| / (2^(b-1)-1) over the group and zero point 0; asymmetric uses unsigned codes in
 * [0, 2^b-1] with scale (hi - lo) / (2^b - 1) and zero point round(-lo / scale), where the
 * range is widened to contain 0. Rounding is half to even; an all-zero group gets scale 1.
 * Symmetric 8-bit weights are laid out as {@code int8Layout} says: full range, 7-bit codes in
 * [-63, 63] with scale max|w| / 63, or the full-range codes shifted to uint8 with zero point 128.
 *
 * @param bits        8 or 4
 * @param granularity tensor, channel (the layer's output-channel axis) or block
 * @param block       elements per block along the input dimension, 16 to 256; used only with
 *                    {@link Granularity#BLOCK} (0 means unset)
 * @param range       how each group's clipping range is chosen
 * @param int8Layout  how symmetric 8-bit codes are stored; null means "not chosen": the
 *                    quantizer then picks {@link Int8Layout#SAFE_DEFAULT} when the layer's
 *                    activations are quantized (static or dynamic) and {@link Int8Layout#FULL}
 *                    otherwise (see {@link QuantizeSpec#withLayoutDefault()})
 * @param gptq        codes chosen by GPTQ from the layer's input statistics on calibration data
 *                    (the recipe's {@code weights.method: gptq}) rather than rounded to nearest; the
 *                    quantizer is given those statistics separately, this records the choice
 * @param biasCorrection the layer's expected output shift is folded into its bias (the recipe's
 *                    {@code quantize.biasCorrection}); carried here because, like the method, it
 *                    is decided by the step that sets a layer's weights
 */
public record WeightSpec(int bits, boolean symmetric, Granularity granularity, int block, RangeSpec range,
                         Int8Layout int8Layout, boolean gptq, boolean biasCorrection) {
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
        if (int8Layout != null && bits != 8) {
            throw new BadInputException("weights.int8Layout applies to 8-bit weights only, got bits " + bits + ".");
        }
    }

    /** Rounded to nearest, no bias correction. */
    public WeightSpec(int bits, boolean symmetric, Granularity granularity, int block, RangeSpec range,
                      Int8Layout int8Layout) {
        this(bits, symmetric, granularity, block, range, int8Layout, false, false);
    }

    /** No layout chosen (see {@link #int8Layout()}). */
    public WeightSpec(int bits, boolean symmetric, Granularity granularity, int block, RangeSpec range) {
        this(bits, symmetric, granularity, block, range, null);
    }

    /** Symmetric, per channel, min/max range. */
    public static WeightSpec of(int bits, Granularity granularity) {
        return new WeightSpec(bits, true, granularity, granularity == Granularity.BLOCK ? 32 : 0, RangeSpec.MINMAX);
    }

    public static WeightSpec blocks(int bits, int block) {
        return new WeightSpec(bits, true, Granularity.BLOCK, block, RangeSpec.MINMAX);
    }

    public WeightSpec withRange(RangeSpec r) {
        return new WeightSpec(bits, symmetric, granularity, block, r, int8Layout, gptq, biasCorrection);
    }

    public WeightSpec withSymmetric(boolean s) {
        return new WeightSpec(bits, s, granularity, block, range, int8Layout, gptq, biasCorrection);
    }

    public WeightSpec withInt8Layout(Int8Layout l) {
        return new WeightSpec(bits, symmetric, granularity, block, range, l, gptq, biasCorrection);
    }

    /** The same quantization, with codes chosen by GPTQ (true) or rounded to nearest. */
    public WeightSpec withGptq(boolean g) {
        return new WeightSpec(bits, symmetric, granularity, block, range, int8Layout, g, biasCorrection);
    }

    /** The same quantization, with or without bias correction. */
    public WeightSpec withBiasCorrection(boolean b) {
        return new WeightSpec(bits, symmetric, granularity, block, range, int8Layout, gptq, b);
    }

    /** Whether this setting needs calibration data (GPTQ or bias correction). */
    public boolean dataAware() {
        return gptq || biasCorrection;
    }

    /** The layout in effect: {@link #int8Layout()}, or {@link Int8Layout#FULL} when none is chosen. */
    public Int8Layout layout() {
        return int8Layout == null ? Int8Layout.FULL : int8Layout;
    }

    /** True when codes are stored unsigned (uint8/uint4): asymmetric specs and the uint8 layout. */
    public boolean unsignedCodes() {
        return !symmetric || layout() == Int8Layout.UINT8;
    }

    /**
     * The divisor of the scale: the largest |code - zero point| of a symmetric spec (127, 63 in
     * the reduced layout, 7 for 4 bits), the number of steps 2^b - 1 of an asymmetric one.
     */
    public int levels() {
        if (!symmetric) {
            return (1 << bits) - 1;
        }
        return layout() == Int8Layout.REDUCED ? 63 : (1 << (bits - 1)) - 1;
    }

    /** The zero point of a symmetric spec: 128 in the uint8 layout, else 0. */
    public int symmetricZeroPoint() {
        return symmetric && layout() == Int8Layout.UINT8 ? 128 : 0;
    }

    /** Largest code: 127, 63 (reduced), 255 (uint8) or 7 symmetric; 255 or 15 asymmetric. */
    public int qmax() {
        return symmetric ? levels() + symmetricZeroPoint() : levels();
    }

    /** Smallest code: -127, -63 (reduced), 1 (uint8) or -7 symmetric; 0 asymmetric. */
    public int qmin() {
        return symmetric ? symmetricZeroPoint() - levels() : 0;
    }

    /** Block size in effect: {@link #block()} for blocks, else 0. */
    public int effectiveBlock() {
        return granularity == Granularity.BLOCK ? block : 0;
    }
}
