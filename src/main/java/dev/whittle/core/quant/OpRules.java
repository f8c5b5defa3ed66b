package dev.whittle.core.quant;

import dev.whittle.core.model.WeightLayer;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What quantization knows about each weight-carrying op: the input axis blocks run along, which
 * formats it can be written in, and which input is the activation. Adding an op is one entry.
 */
public final class OpRules {
    /**
     * @param inputAxis  the weight axis that holds the input (reduction) dimension, given the
     *                   weight's rank and output-channel axis
     * @param formats    formats the op can be written in
     * @param activation index of the node input that carries the activation
     * @param flatBlocks blocks run along the flattened trailing dims (Conv: in-channels x kernel,
     *                   the reduction of the convolution), not along one axis
     */
    public record Rule(AxisRule inputAxis, Set<QuantFormat> formats, int activation, boolean flatBlocks) {
    }

    @FunctionalInterface
    public interface AxisRule {
        int of(int rank, int channelAxis);
    }

    private static final Map<String, Rule> RULES = Map.of(
            "Conv", new Rule((r, c) -> 1, Set.of(QuantFormat.QDQ), 0, true),
            "ConvTranspose", new Rule((r, c) -> 0, Set.of(QuantFormat.QDQ), 0, false),
            "Gemm", new Rule((r, c) -> 1 - c, Set.of(QuantFormat.QDQ), 0, false),
            "MatMul", new Rule((r, c) -> r - 2, Set.of(QuantFormat.QDQ, QuantFormat.MATMULNBITS, QuantFormat.DYNAMIC), 0,
                    false));

    private OpRules() {
    }

    public static Optional<Rule> of(String op) {
        return Optional.ofNullable(RULES.get(op));
    }

    /** Whether blocks of this layer run over its flattened trailing dims (Conv weights of rank > 2). */
    public static boolean flatBlocks(WeightLayer l) {
        Rule r = RULES.get(l.op());
        return r != null && r.flatBlocks && l.shape().length > 2;
    }

    /** The input axis of the layer's weight, or -1 when the op has no rule or the rank is too low. */
    public static int inputAxis(WeightLayer l) {
        Rule r = RULES.get(l.op());
        int rank = l.shape().length;
        if (r == null || rank < 2) {
            return -1;
        }
        return r.inputAxis.of(rank, l.axis());
    }
}
