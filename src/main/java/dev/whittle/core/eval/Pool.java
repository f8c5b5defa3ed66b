package dev.whittle.core.eval;

import dev.whittle.core.BadInputException;

/**
 * How an output of shape [batch, tokens, hidden] becomes one vector per sample before cosine
 * similarity: {@link #MEAN} averages tokens weighted by the attention mask, {@link #CLS} takes
 * the first token; both then L2-normalize. {@link #NONE} flattens each sample's output as is.
 */
public enum Pool {
    NONE, MEAN, CLS;

    public static Pool parse(String s) {
        if (s == null || s.isBlank()) {
            return NONE;
        }
        return switch (s.trim().toLowerCase()) {
            case "none" -> NONE;
            case "mean" -> MEAN;
            case "cls", "first" -> CLS;
            default -> throw new BadInputException("Unknown pooling '" + s + "'; use mean, cls or none.");
        };
    }
}
