package dev.whittle.core.onnx;

/** What is wrong with a model file; carried by {@link InvalidModelException} for tests and the UI. */
public enum ModelProblem {
    /** The model file does not exist. */
    NOT_FOUND,
    /** The path is a folder or another non-regular file. */
    NOT_A_FILE,
    /** The file has 0 bytes. */
    EMPTY,
    /** The .onnx file is over 2 GiB (protobuf's limit) or one tensor is. */
    TOO_LARGE,
    /** The file, or an external data file, ends before the data it declares. */
    TRUNCATED,
    /** The bytes are not protobuf at all (text, an image, an archive, random bytes). */
    NOT_PROTOBUF,
    /** Valid protobuf, but not an ONNX ModelProto (e.g. a lone TensorProto or GraphProto). */
    NOT_A_MODEL,
    /** IR version or default-domain opset outside what Whittle supports, or no opset at all. */
    UNSUPPORTED_VERSION,
    /** Subgraphs (If/Loop/Scan bodies) nested deeper than Whittle follows. */
    NESTED_TOO_DEEP,
    /** An external data file is missing or names no location. */
    MISSING_EXTERNAL_DATA,
    /** An external data location leaves the model's folder; raised as {@link UnsafeModelException}. */
    EXTERNAL_DATA_ESCAPES,
    /** A tensor's stored data disagrees with its type and dims, or its type is unknown. */
    BAD_TENSOR_DATA,
    /** A tensor has negative or absurdly large dims. */
    BAD_DIMS,
    /** Two inputs, initializers or node outputs share a name in one graph. */
    DUPLICATE_NAME,
    /** The nodes of a graph form a cycle. */
    CYCLE,
    /** A node or graph output reads a value that nothing provides. */
    DANGLING_INPUT,
    /** The operating system could not read the file. */
    IO_ERROR
}
