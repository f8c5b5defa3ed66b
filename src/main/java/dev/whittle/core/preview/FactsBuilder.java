package dev.whittle.core.preview;

import dev.whittle.core.job.CancelToken;
import dev.whittle.core.model.WeightLayer;

final class FactsBuilder {
    private FactsBuilder() {
    }

    static LayerFacts build(WeightLayer layer, CancelToken cancel) {
        throw new UnsupportedOperationException("next commit");
    }
}
