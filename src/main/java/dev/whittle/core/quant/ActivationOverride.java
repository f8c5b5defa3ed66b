package dev.whittle.core.quant;

import dev.whittle.core.BadInputException;

/**
 * A per-tensor override of activation quantization, keyed in {@link ActivationSpec#overrides()}
 * by the activation tensor's name or by the name of the node that reads it.
 *
 * @param exclude leave this activation in float
 * @param lo      forced range low end (with hi), or null to calibrate
 * @param hi      forced range high end (with lo), or null
 * @param bits    forced bits (8 or 4), or null for the spec's bits
 */
public record ActivationOverride(boolean exclude, Double lo, Double hi, Integer bits) {
    public ActivationOverride {
        if ((lo == null) != (hi == null)) {
            throw new BadInputException("activation override range needs both lo and hi, got [" + lo + ", " + hi + "].");
        }
        if (lo != null && (!Double.isFinite(lo) || !Double.isFinite(hi) || !(lo < hi))) {
            throw new BadInputException("activation override range needs finite lo < hi, got [" + lo + ", " + hi + "].");
        }
        if (bits != null && bits != 8 && bits != 4) {
            throw new BadInputException("activation override bits must be 8 or 4, got " + bits + ".");
        }
    }

    public static ActivationOverride excluded() {
        return new ActivationOverride(true, null, null, null);
    }

    public static ActivationOverride range(double lo, double hi) {
        return new ActivationOverride(false, lo, hi, null);
    }

    public static ActivationOverride bits(int bits) {
        return new ActivationOverride(false, null, null, bits);
    }

    public boolean hasRange() {
        return lo != null;
    }
}
