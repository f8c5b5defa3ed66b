package dev.whittle.core.preview;

import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.prune.ChannelImpact;

/**
 * Instant-tier channel pruning: the norms come from {@link LayerFacts}, the layers that shrink
 * from {@link ChannelImpact} (the same graph analysis the pruner runs), computed once per layer.
 */
public final class ChannelPreview {
    private ChannelPreview() {
    }

    /**
     * Which channels go at {@code sparsity} when ranked by {@code criterion} (l1 | l2).
     *
     * @param impact the layer's channel impact ({@link ChannelImpact#of}); walks the graph, so
     *               compute it once per layer, off the UI thread
     */
    public static ChannelFigures at(LayerFacts f, ChannelImpact impact, double sparsity, String criterion) {
        double[] norms = "l2".equalsIgnoreCase(criterion) ? f.channelL2() : f.channelL1();
        int c = norms.length;
        int k = (int) Math.floor(sparsity * c);
        Integer[] order = new Integer[c];
        for (int i = 0; i < c; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> norms[a] != norms[b] ? Double.compare(norms[a], norms[b]) : Integer.compare(a, b));
        int[] removed = new int[impact.blocked() == null ? k : 0];
        for (int i = 0; i < removed.length; i++) {
            removed[i] = order[i];
        }
        java.util.Arrays.sort(removed);
        return new ChannelFigures(norms, removed, impact.shrinking(), impact.blocked());
    }

    /** {@link ChannelImpact#of} for one layer (a graph walk; run it off the UI thread). */
    public static ChannelImpact impact(OnnxModel model, String node) {
        return ChannelImpact.of(model, node);
    }
}
