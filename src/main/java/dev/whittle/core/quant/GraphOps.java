package dev.whittle.core.quant;

import java.util.Map;
import java.util.Optional;

/**
 * How the ops between the weight layers take quantized tensors in ONNX Runtime's QDQ
 * transformer, for static activation quantization with graph placement: which ones a Q/DQ pair
 * can pass through unchanged, and which ones fold into the range of what they read.
 */
final class GraphOps {
    /** What an op needs to run on int8 tensors. */
    enum Kind {
        /**
         * Output values are some of the input values (or the input reshaped): the same scale and
         * zero point before and after, so ONNX Runtime drops the Q/DQ pairs around it and runs it
         * on int8 (MaxPool, Resize: nearest picks input values, linear ones lie between them) or
         * moves the bytes (the shape ops, Gather). Data is input 0.
         */
        SAME_SCALE,
        /**
         * Relu and Clip: a Q with the activation's own range right after them saturates as they
         * do, so ONNX Runtime removes them and the producer writes int8 directly.
         */
        FOLDED
    }

    // the ops ORT's QDQ transformer runs between a DQ and a Q of equal parameters (its "drop" rules), and Flatten
    private static final Map<String, Kind> KINDS = Map.of(
            "MaxPool", Kind.SAME_SCALE,
            "Resize", Kind.SAME_SCALE,
            "Gather", Kind.SAME_SCALE,
            "Flatten", Kind.SAME_SCALE,
            "Reshape", Kind.SAME_SCALE,
            "Transpose", Kind.SAME_SCALE,
            "Squeeze", Kind.SAME_SCALE,
            "Unsqueeze", Kind.SAME_SCALE,
            "Relu", Kind.FOLDED,
            "Clip", Kind.FOLDED);

    private GraphOps() {
    }

    static Optional<Kind> of(String op) {
        return Optional.ofNullable(KINDS.get(op));
    }
}
