package dev.whittle.core.recipe;

import dev.whittle.core.select.LayerSelector;
import java.util.List;

/** A step's {@code select}: op types, full-match name regexes, exclusions (docs/recipes.md). */
public record Selection(List<String> ops, List<String> names, List<String> exclude) {
    public Selection {
        ops = ops == null ? List.of() : List.copyOf(ops);
        names = names == null ? List.of() : List.copyOf(names);
        exclude = exclude == null ? List.of() : List.copyOf(exclude);
        selector(ops, names, exclude);
    }

    private static LayerSelector selector(List<String> ops, List<String> names, List<String> exclude) {
        return new LayerSelector(ops, names, exclude);
    }

    /**
     * The selector this {@code select} means in a recipe of format {@code version}: in version 1
     * an empty {@code ops} reaches only the kinds version 1 knew (Conv, ConvTranspose, Gemm,
     * MatMul); in version 2 it reaches every kind, Gather tables included.
     */
    public LayerSelector selector(int version) {
        LayerSelector s = selector(ops, names, exclude);
        return version >= 2 ? s : s.version1();
    }
}
