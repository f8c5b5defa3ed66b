package dev.whittle.core.prune;

import dev.whittle.core.onnx.OnnxModel;
import java.util.List;

/**
 * What removing output channels of one layer touches, from the graph analysis channel pruning
 * runs: the weight layers whose inputs shrink with them, and why the channels cannot be
 * removed, if they cannot (a graph output, an op the analysis cannot follow).
 *
 * @param node      the layer
 * @param channels  its output channels
 * @param shrinking node names of weight layers whose input loses the removed channels
 * @param blocked   why none can be removed, or null
 */
public record ChannelImpact(String node, long channels, List<String> shrinking, String blocked) {
    public ChannelImpact {
        shrinking = List.copyOf(shrinking);
    }

    /** Walks the graph from {@code node}'s outputs (no pass over weights). */
    public static ChannelImpact of(OnnxModel model, String node) {
        throw new UnsupportedOperationException("next commit");
    }
}
