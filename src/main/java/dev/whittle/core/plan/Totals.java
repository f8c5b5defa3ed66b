package dev.whittle.core.plan;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The model's size and cost before and after a plan, and per weight layer. {@code before} and
 * {@code after} cover the whole file (the bytes of what the plan leaves alone are counted once
 * in both); {@code layers} holds the figures of each layer's weight, bias and what changes with
 * it (factors, scales, the consumers that channel removal shrinks).
 */
public record Totals(Figures before, Figures after, Map<String, Layer> layers) {
    public Totals {
        layers = Collections.unmodifiableMap(new LinkedHashMap<>(layers));
    }

    /**
     * One layer's figures.
     *
     * @param note why the estimate differs from the setting's face value ("saves nothing",
     *             "channels blocked: graph output"), or null
     */
    public record Layer(String node, Figures before, Figures after, String note) {
    }

    /** after.bytes / before.bytes (1 when nothing changes). */
    public double sizeRatio() {
        return before.bytes() == 0 ? 1 : (double) after.bytes() / before.bytes();
    }
}
