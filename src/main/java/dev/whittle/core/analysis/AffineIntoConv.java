package dev.whittle.core.analysis;

import dev.whittle.core.model.DataType;
import dev.whittle.core.onnx.GraphEditor;
import dev.whittle.core.onnx.GraphNode;
import dev.whittle.core.onnx.OnnxModel;
import java.util.List;

/**
 * Folds a scale and shift by one-element constants in front of a Conv into its weights and bias:
 * {@code Conv(Add(Mul(z, a), b))} becomes a Conv of {@code z} with weights {@code a W} and bias
 * {@code B + b sum(W)} per output channel. ONNX Runtime fuses such ops after a Conv, never before
 * one, and Paddle2ONNX writes one of these "learnable affine blocks" after every activation of
 * PP-LCNet, where they cost two element-wise passes each. Exact: the shift only where the Conv
 * pads nothing (a padded border would see 0, not {@code b}); the scale always (a 0 scaled is 0).
 */
final class AffineIntoConv {
    private AffineIntoConv() {
    }

    /** The folded model and how many Mul/Add it removed ({@code model} itself when none). */
    record Folded(OnnxModel model, int removed) {
    }

    static Folded apply(OnnxModel model) {
        GraphEditor e = GraphEditor.of(model);
        int removed = 0;
        for (int i = 0; i < e.nodeCount(); i++) {
            GraphNode conv = e.node(i);
            if (!conv.isDefaultDomain() || !conv.op().equals("Conv") || conv.inputs().size() < 2 || !e.isConstant(conv.input(1))
                    || conv.inputs().size() == 3 && !e.isConstant(conv.input(2)) || e.floatType(conv.input(1)) != DataType.FLOAT) {
                continue;
            }
            String x = conv.input(0);
            Operand shift = operand(e, x, "Add");
            if (shift != null && !padsNothing(conv)) {
                continue; // the shift cannot move behind zero padding, and it keeps the scale out of reach
            }
            String z = shift != null ? shift.other() : x;
            Operand scale = operand(e, z, "Mul");
            if (shift == null && scale == null) {
                continue;
            }
            long[] dims = e.dims(conv.input(1));
            float[] w = e.floats(conv.input(1));
            int out = (int) dims[0];
            int per = w.length / out;
            float[] bias = conv.inputs().size() == 3 ? e.floats(conv.input(2)) : new float[out];
            if (shift != null) {
                for (int o = 0; o < out; o++) {
                    double sum = 0;
                    for (int k = 0; k < per; k++) {
                        sum += w[o * per + k];
                    }
                    bias[o] += (float) (shift.value() * sum);
                }
                removed++;
            }
            String input = z;
            if (scale != null) {
                for (int k = 0; k < w.length; k++) {
                    w[k] *= scale.value();
                }
                input = scale.other();
                removed++;
            }
            e.setInput(i, 0, input);
            e.setInput(i, 1, e.addTensor(conv.input(1) + "_affine", dims, w));
            String b = e.addTensor(conv.name() + "_affine_bias", new long[] {out}, bias);
            if (conv.inputs().size() == 3) {
                e.setInput(i, 2, b);
            } else {
                e.replaceNode(i, List.of(conv.withIo(conv.name(), List.of(input, conv.input(1) + "_affine", b), conv.outputs())));
            }
            if (shift != null) {
                e.replaceNode(e.producer(x), List.of());
                e.dropIfUnused(shift.constant());
            }
            if (scale != null) {
                e.replaceNode(e.producer(z), List.of());
                e.dropIfUnused(scale.constant());
            }
            // the old weight and bias, unless another node reads them (ORT warns of unused initializers)
            e.dropIfUnused(conv.input(1));
            if (conv.inputs().size() == 3) {
                e.dropIfUnused(conv.input(2));
            }
        }
        return removed == 0 ? new Folded(model, 0) : new Folded(e.build(), removed);
    }

    /** {@code Op(value's other operand, c)} or {@code Op(c, ...)} with a one-element float32 constant c, read by nothing else. */
    private record Operand(String other, float value, String constant) {
    }

    private static Operand operand(GraphEditor e, String value, String op) {
        int p = e.producer(value);
        if (p < 0 || e.uses(value).size() != 1 || e.isGraphOutput(value)) {
            return null;
        }
        GraphNode n = e.node(p);
        if (!n.isDefaultDomain() || !n.op().equals(op) || n.inputs().size() != 2) {
            return null;
        }
        for (int c = 0; c < 2; c++) {
            String k = n.input(c);
            String other = n.input(1 - c);
            if (e.isConstant(k) && !e.isConstant(other) && e.floatType(k) == DataType.FLOAT && e.floats(k).length == 1) {
                return new Operand(other, e.floats(k)[0], k);
            }
        }
        return null;
    }

    private static boolean padsNothing(GraphNode conv) {
        String auto = conv.stringAttr("auto_pad", "NOTSET");
        if (!auto.equals("NOTSET") && !auto.equals("VALID")) {
            return false;
        }
        long[] pads = conv.intsAttr("pads");
        if (pads != null) {
            for (long p : pads) {
                if (p != 0) {
                    return false;
                }
            }
        }
        return true;
    }
}
