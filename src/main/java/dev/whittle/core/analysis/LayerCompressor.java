package dev.whittle.core.analysis;

import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;

/**
 * Compresses one weight layer of a model at one level, for sensitivity analysis: a new model in
 * which only {@code layer} changed. What {@code level} means is the method's: a sparsity
 * fraction for pruning, a bit width for quantization, a rank for low-rank factorization.
 */
@FunctionalInterface
public interface LayerCompressor {
    OnnxModel apply(OnnxModel model, WeightLayer layer, double level);
}
