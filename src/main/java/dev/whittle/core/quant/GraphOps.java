package dev.whittle.core.quant;

import java.util.Map;
import java.util.Optional;

/**
 * How the ops between the weight layers take quantized tensors in ONNX Runtime's QDQ
 * transformer, for static activation quantization with graph placement: which ones a Q/DQ pair
 * can pass through unchanged, which ones fold into the range of what they read, and which ones
 * run as an int8 kernel of their own between a DequantizeLinear on each input and a
 * QuantizeLinear with their own calibrated range on the output. Adding an op is one entry.
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
        FOLDED,
        /**
         * One input (input 0), an output range of its own: DQ -> op -> Q becomes ONNX Runtime's
         * QLinearAveragePool, QLinearGlobalAveragePool, QLinearSigmoid or QLinearLeakyRelu (its
         * "unary" rules), which read int8 and write int8 at the output's scale.
         */
        OWN_RANGE,
        /**
         * Several inputs, each with its own scale, and an output range of its own: with a DQ on
         * every input and a Q on the output ONNX Runtime runs QLinearAdd, QLinearMul or
         * QLinearConcat. Not with a constant input (no pair is written for constants).
         */
        JOIN
    }

    // ORT's QDQ "drop" rules, its unary and binary/variadic rules, and the activations it folds
    private static final Map<String, Kind> KINDS = Map.ofEntries(
            Map.entry("MaxPool", Kind.SAME_SCALE),
            Map.entry("Resize", Kind.SAME_SCALE),
            Map.entry("Gather", Kind.SAME_SCALE),
            Map.entry("Flatten", Kind.SAME_SCALE),
            Map.entry("Reshape", Kind.SAME_SCALE),
            Map.entry("Transpose", Kind.SAME_SCALE),
            Map.entry("Squeeze", Kind.SAME_SCALE),
            Map.entry("Unsqueeze", Kind.SAME_SCALE),
            Map.entry("Slice", Kind.SAME_SCALE),
            Map.entry("Relu", Kind.FOLDED),
            Map.entry("Clip", Kind.FOLDED),
            Map.entry("AveragePool", Kind.OWN_RANGE),
            Map.entry("GlobalAveragePool", Kind.OWN_RANGE),
            Map.entry("Sigmoid", Kind.OWN_RANGE),
            Map.entry("LeakyRelu", Kind.OWN_RANGE),
            Map.entry("Add", Kind.JOIN),
            Map.entry("Mul", Kind.JOIN),
            Map.entry("Concat", Kind.JOIN));

    private GraphOps() {
    }

    static Optional<Kind> of(String op) {
        return Optional.ofNullable(KINDS.get(op));
    }

    /** Whether the op runs as an int8 kernel of its own once its inputs and output have pairs. */
    static boolean ownKernel(String op) {
        Kind k = KINDS.get(op);
        return k == Kind.OWN_RANGE || k == Kind.JOIN;
    }
}
