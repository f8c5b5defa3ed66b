package dev.whittle.core.recipe;

import dev.whittle.core.select.LayerSelector;
import java.util.List;

/**
 * A step's {@code select}: op types, full-match name regexes, exclusions, and the graphs it
 * reaches ({@code graphs}: {@code main}, the default, {@code all}, or a full-match regex on a
 * layer's graph path such as {@code If_0.then_branch}; docs/recipes.md).
 */
public record Selection(List<String> ops, List<String> names, List<String> exclude, String graphs) {
    public Selection {
        ops = ops == null ? List.of() : List.copyOf(ops);
        names = names == null ? List.of() : List.copyOf(names);
        exclude = exclude == null ? List.of() : List.copyOf(exclude);
        if (graphs != null && graphs.isBlank()) {
            throw new dev.whittle.core.BadInputException("select.graphs is empty: write main, all, or a regular"
                    + " expression on the graph path (e.g. If_0.then_branch).");
        }
        selector(ops, names, exclude, graphs);
    }

    public Selection(List<String> ops, List<String> names, List<String> exclude) {
        this(ops, names, exclude, null);
    }

    private static LayerSelector selector(List<String> ops, List<String> names, List<String> exclude, String graphs) {
        return new LayerSelector(ops, names, exclude).inGraphs(graphs);
    }

    /**
     * The selector this {@code select} means in a recipe of format {@code version}: in version 1
     * an empty {@code ops} reaches only the kinds version 1 knew (Conv, ConvTranspose, Gemm,
     * MatMul); in version 2 it reaches every kind, Gather tables included. Either version reaches
     * the main graph only unless {@code graphs} says otherwise.
     */
    public LayerSelector selector(int version) {
        LayerSelector s = selector(ops, names, exclude, graphs);
        return version >= 2 ? s : s.version1();
    }
}
