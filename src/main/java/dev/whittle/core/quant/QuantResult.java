package dev.whittle.core.quant;

import dev.whittle.core.onnx.OnnxModel;

/** A quantized model (a new model; the input is never changed) and its report. */
public record QuantResult(OnnxModel model, QuantReport report) {
}
