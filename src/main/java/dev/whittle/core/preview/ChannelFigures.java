package dev.whittle.core.preview;

import java.util.List;

/**
 * Channel pruning of one layer at a sparsity: the norms the channels are ranked by, which go,
 * and what shrinks with them.
 *
 * @param norms     each output channel's L1 or L2 norm (the criterion), in channel order
 * @param removed   indices of the removed channels, ascending: floor(s C) lowest norms, ties by position
 * @param shrinking node names of the weight layers whose inputs lose these channels
 * @param blocked   why the channels cannot be removed (a graph output, an unsupported op), or null
 */
public record ChannelFigures(double[] norms, int[] removed, List<String> shrinking, String blocked) {
    public ChannelFigures {
        shrinking = List.copyOf(shrinking);
    }
}
