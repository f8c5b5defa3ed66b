package dev.whittle.core.prune;

import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.transform.TransformResult;
import java.util.List;

final class ChannelPruner {
    private ChannelPruner() {
    }

    static TransformResult apply(OnnxModel model, List<WeightLayer> selected, PruneSpec spec) {
        throw new UnsupportedOperationException("channel pruning");
    }
}
