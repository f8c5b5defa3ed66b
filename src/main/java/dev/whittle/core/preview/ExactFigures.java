package dev.whittle.core.preview;

import dev.whittle.core.job.CancelToken;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.prune.PruneSpec;
import dev.whittle.core.quant.QuantizedWeight;
import dev.whittle.core.quant.WeightSpec;

final class ExactFigures {
    private ExactFigures() {
    }

    static QuantFigures of(QuantizedWeight q, WeightSpec spec) {
        throw new UnsupportedOperationException("next commit");
    }

    static PruneFigures prune(WeightLayer layer, PruneSpec spec, CancelToken cancel) {
        throw new UnsupportedOperationException("next commit");
    }
}
