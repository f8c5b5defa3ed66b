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
     * @param weight     index of the node input that carries the weight
     */
    public record Rule(AxisRule inputAxis, Set<QuantFormat> formats, int activation, boolean flatBlocks, int weight) {
    }

    @FunctionalInterface
    public interface AxisRule {
        int of(int rank, int channelAxis);
    }

    /** Gather has no activation to quantize: its other input holds integer indices. */
    public static final int NO_ACTIVATION = -1;

    // Gather (an embedding table): rows are the gathered axis, blocks run along the last axis
    // (along the first when the rows are the last axis); written as weight-only QDQ only.
    // LSTM/GRU/RNN W and R ([directions, gates x hidden, inputs]): one scale per gate row, blocks
    // along the inputs; weight-only QDQ (the op reads a float weight); inputs 1 (W) and 2 (R).
    private static final Rule RECURRENT_W = new Rule((r, c) -> r - 1, Set.of(QuantFormat.QDQ), NO_ACTIVATION, false, 1);
    private static final Rule RECURRENT_R = new Rule((r, c) -> r - 1, Set.of(QuantFormat.QDQ), NO_ACTIVATION, false, 2);

    private static final Map<String, Rule> RULES = Map.of(
            "Conv", new Rule((r, c) -> 1, Set.of(QuantFormat.QDQ), 0, true, 1),
            "ConvTranspose", new Rule((r, c) -> 0, Set.of(QuantFormat.QDQ), 0, false, 1),
            "Gemm", new Rule((r, c) -> 1 - c, Set.of(QuantFormat.QDQ), 0, false, 1),
            "MatMul", new Rule((r, c) -> r - 2, Set.of(QuantFormat.QDQ, QuantFormat.MATMULNBITS, QuantFormat.DYNAMIC), 0,
                    false, 1),
            "Gather", new Rule((r, c) -> c == r - 1 ? 0 : r - 1, Set.of(QuantFormat.QDQ), NO_ACTIVATION, false, 0));

    private OpRules() {
    }

    public static Optional<Rule> of(String op) {
        return Optional.ofNullable(WeightLayer.RECURRENT.contains(op) ? RECURRENT_W : RULES.get(op));
    }

    private static Rule rule(WeightLayer l) {
        if (l.recurrent()) {
            return l.node().endsWith(".R") ? RECURRENT_R : RECURRENT_W;
        }
        return RULES.get(l.op());
    }

    /** Whether blocks of this layer run over its flattened trailing dims (Conv weights of rank > 2). */
    public static boolean flatBlocks(WeightLayer l) {
        Rule r = rule(l);
        return r != null && r.flatBlocks && l.shape().length > 2;
    }

    /** Which node input holds the layer's weight (1 for Conv, Gemm, MatMul; 0 for Gather). */
    public static int weightInput(WeightLayer l) {
        Rule r = rule(l);
        return r == null ? 1 : r.weight;
    }

    /** The input axis of the layer's weight, or -1 when the op has no rule or the rank is too low. */
    public static int inputAxis(WeightLayer l) {
        Rule r = rule(l);
        int rank = l.shape().length;
        if (r == null || rank < 2) {
            return -1;
        }
        return r.inputAxis.of(rank, l.axis());
    }
}
