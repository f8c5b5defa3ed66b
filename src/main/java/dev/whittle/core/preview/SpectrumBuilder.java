package dev.whittle.core.preview;

import dev.whittle.core.job.CancelToken;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;

final class SpectrumBuilder {
    private SpectrumBuilder() {
    }

    static Spectrum build(OnnxModel model, WeightLayer layer, String method, CancelToken cancel) {
        throw new UnsupportedOperationException("next commit");
    }
}
