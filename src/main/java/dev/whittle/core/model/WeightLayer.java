package dev.whittle.core.model;

import java.util.Arrays;

/**
 * A Conv, ConvTranspose, Gemm or MatMul (or an already quantized equivalent) whose weight is a
 * constant, or the W or R input of an LSTM, GRU or RNN node. {@code axis} is the output-channel
 * axis of the weight: Conv 0, ConvTranspose 1, Gemm 0 when transB=1 else 1, MatMul the last
 * axis, recurrent weights 1 (the gate rows of [directions, gates x hidden, inputs]).
 *
 * @param node      node name (synthesized as {@code Op_index} when the model leaves it empty)
 * @param op        op type, domain-qualified outside the default domain
 * @param weight    name of the weight tensor (for a quantized layer, the integer tensor)
 * @param quantized true for MatMulInteger, ConvInteger, QLinear*, MatMulNBits and weights
 *                  that feed DequantizeLinear
 * @param graphPath empty for the main graph, else the enclosing subgraph's path
 */
public record WeightLayer(String node, String op, String weight, long[] shape, DataType dtype,
                          long params, long bytes, Storage storage, int axis, boolean quantized,
                          String graphPath, TensorData tensor) {
    public WeightLayer {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public String shapeText() {
        return Arrays.toString(shape);
    }

    /** Recurrent ops: their weight layers are the W and R inputs, named {@code <node>.W} and {@code <node>.R}. */
    public static final java.util.Set<String> RECURRENT = java.util.Set.of("LSTM", "GRU", "RNN");

    /** Whether this is the W or R weight of an LSTM, GRU or RNN node. */
    public boolean recurrent() {
        return RECURRENT.contains(op);
    }

    /**
     * The name of the graph node that reads the weight: {@link #node()} itself, except for a
     * recurrent layer, whose name adds {@code .W} or {@code .R} to its node's.
     */
    public String graphNode() {
        return recurrent() ? node.substring(0, node.length() - 2) : node;
    }

    /** Number of output channels: the size of {@link #axis()}. */
    public long outputChannels() {
        return shape.length == 0 ? 1 : shape[axis];
    }
}
