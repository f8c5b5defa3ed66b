package dev.whittle.core.onnx;

/** What is wrong with a model file; carried by {@link InvalidModelException} for tests and the UI. */
public enum ModelProblem {
    NOT_FOUND, EMPTY, TOO_LARGE, TRUNCATED, NOT_PROTOBUF, NOT_A_MODEL, UNSUPPORTED_VERSION,
    MISSING_EXTERNAL_DATA, EXTERNAL_DATA_ESCAPES, BAD_TENSOR_DATA, BAD_DIMS, DUPLICATE_NAME,
    CYCLE, DANGLING_INPUT, IO_ERROR
}
