package dev.whittle.core.quant;

import dev.whittle.core.BadInputException;
import java.util.Locale;

/**
 * How many scales a weight gets: one for the tensor, one per output channel (the layer's
 * output-channel axis), or one per block of consecutive elements along the input dimension.
 */
public enum Granularity {
    TENSOR, CHANNEL, BLOCK;

    /** The recipe spelling: tensor, channel, block. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Granularity parse(String field, String text) {
        for (Granularity g : values()) {
            if (g.key().equalsIgnoreCase(text == null ? "" : text.trim())) {
                return g;
            }
        }
        throw new BadInputException(field + " must be tensor, channel or block, got '" + text + "'.");
    }

    @Override
    public String toString() {
        return key();
    }
}
