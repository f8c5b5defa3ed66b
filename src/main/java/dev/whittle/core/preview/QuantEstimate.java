package dev.whittle.core.preview;

import dev.whittle.core.quant.RangeSpec;
import dev.whittle.core.quant.WeightSpec;

final class QuantEstimate {
    private QuantEstimate() {
    }

    static QuantFigures estimate(LayerFacts f, WeightSpec spec) {
        throw new UnsupportedOperationException("next commit");
    }

    static RangeSpec.Explicit snap(LayerFacts f, WeightSpec spec, RangeSpec how) {
        throw new UnsupportedOperationException("next commit");
    }
}
