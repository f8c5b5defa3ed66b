package dev.whittle.core.transform;

import dev.whittle.core.onnx.OnnxModel;

/** A transform's output: a new model (the input is never changed) and what was done. */
public record TransformResult(OnnxModel model, TransformReport report) {
}
