package dev.whittle.core.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import dev.whittle.core.model.TensorData;
import dev.whittle.core.model.WeightLayer;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The registry of ops that carry a weight: which input holds it, and its output-channel axis.
 * Adding an op is one entry here. {@code Gather} counts when its data (input 0) is a floating
 * constant of rank 2 or more (an embedding table), or an 8- or 4-bit integer one (a table
 * quantized by another tool, listed as quantized); its "channel" axis is the gathered axis
 * (the {@code axis} attribute, 0 by default), so each gathered row gets its own scale.
 */
final class WeightOps {
    private WeightOps() {
    }

    /** Which input is the weight, whether the op is itself quantized, and how to find the axis. */
    private record Entry(int input, boolean quantized, Function<NodeProto, Integer> axisOf) {
        int axis(NodeProto n, int rank) {
            int a = axisOf.apply(n);
            return a < 0 ? Math.max(rank - 1, 0) : a;
        }
    }

    private static final int LAST = -1;
    private static final Map<String, Entry> OPS = Map.of(
            "Conv", new Entry(1, false, n -> 0),
            "ConvTranspose", new Entry(1, false, n -> 1),
            "Gemm", new Entry(1, false, n -> intAttr(n, "transB", 0) == 1 ? 0 : 1),
            "MatMul", new Entry(1, false, n -> LAST),
            "ConvInteger", new Entry(1, true, n -> 0),
            "MatMulInteger", new Entry(1, true, n -> LAST),
            "QLinearConv", new Entry(3, true, n -> 0),
            "QLinearMatMul", new Entry(3, true, n -> LAST),
            "com.microsoft::MatMulNBits", new Entry(1, true, n -> 0),
            "Gather", new Entry(0, false, n -> (int) intAttr(n, "axis", 0)));

    /**
     * The W and R inputs of an LSTM, GRU or RNN node ({@code [directions, gates x hidden, inputs]})
     * when they are constants (through Identity or DequantizeLinear) or computed from constants
     * by layout ops ({@link ConstantFold}; storage computed): layers {@code <node>.W} and
     * {@code <node>.R}, channel axis 1 (one row per gate unit). B stays out: it is small and float.
     */
    static java.util.List<WeightLayer> detectRecurrent(NodeProto n, String name, String path,
                                                        Function<String, TensorData> constant,
                                                        Function<String, NodeProto> producer) {
        if (!ModelViewBuilder.isDefaultDomain(n) || !WeightLayer.RECURRENT.contains(n.getOpType())) {
            return java.util.List.of();
        }
        java.util.List<WeightLayer> out = new java.util.ArrayList<>();
        String[] suffix = {".W", ".R"};
        for (int slot = 1; slot <= 2 && slot < n.getInputCount(); slot++) {
            String in = n.getInput(slot);
            boolean viaDequantize = false;
            TensorData t = null;
            for (int hops = 0; hops < 8 && !in.isEmpty(); hops++) {
                t = constant.apply(in);
                if (t != null) {
                    break;
                }
                NodeProto p = producer.apply(in);
                if (p == null || !ModelViewBuilder.isDefaultDomain(p) || p.getInputCount() == 0) {
                    break;
                }
                if (!(p.getOpType().equals("Identity") || p.getOpType().equals("DequantizeLinear"))) {
                    // computed from constants by layout ops (Silero VAD v5's gate reordering)
                    t = viaDequantize ? null : ConstantFold.fold(in, constant, producer).orElse(null);
                    break;
                }
                viaDequantize |= p.getOpType().equals("DequantizeLinear");
                in = p.getInput(0);
            }
            if (t == null || !t.isNumeric() || t.rank() != 3) {
                continue;
            }
            out.add(new WeightLayer(name + suffix[slot - 1], n.getOpType(), t.name(), t.dims(), t.type(), t.count(),
                    t.bytes(), t.storage(), 1, viaDequantize || !t.type().isFloating(), path, t));
        }
        return out;
    }

    static Optional<WeightLayer> detect(NodeProto n, String name, String path,
                                        Function<String, TensorData> constant,
                                        Function<String, NodeProto> producer) {
        boolean onnxDomain = ModelViewBuilder.isDefaultDomain(n);
        String op = onnxDomain ? n.getOpType() : n.getDomain() + "::" + n.getOpType();
        Entry e = OPS.get(op);
        if (e == null || n.getInputCount() <= e.input || n.getInput(e.input).isEmpty()) {
            return Optional.empty();
        }
        String in = n.getInput(e.input);
        boolean viaDequantize = false;
        TensorData t = null;
        for (int hops = 0; hops < 8 && t == null; hops++) {
            t = constant.apply(in);
            if (t != null) {
                break;
            }
            NodeProto p = producer.apply(in);
            if (p == null || !ModelViewBuilder.isDefaultDomain(p) || p.getInputCount() == 0) {
                return Optional.empty();
            }
            if (p.getOpType().equals("Identity")) {
                in = p.getInput(0);
            } else if (p.getOpType().equals("DequantizeLinear")) {
                viaDequantize = true;
                in = p.getInput(0);
            } else {
                return Optional.empty();
            }
        }
        if (t == null || !t.isNumeric()) {
            return Optional.empty();
        }
        boolean codes = false;
        if (op.equals("Gather")) {
            // int8/int4 tables are quantized embeddings gathered before dequantizing (ONNX
            // Runtime's quantize_dynamic layout); other integer tables are indices or shapes
            codes = t.type().bits() <= 8 && !t.type().isFloating() && t.type() != dev.whittle.core.model.DataType.BOOL;
            // a table of one column is a per-row lookup (the row scales of a gathered quantized
            // table), not an embedding
            if (t.rank() < 2 || t.dims()[t.rank() - 1] == 1 || !(viaDequantize || codes || t.type().isFloating())) {
                return Optional.empty();
            }
        }
        int axis = e.axis(n, t.rank());
        if (op.equals("Gather")) {
            long a = intAttr(n, "axis", 0);
            axis = (int) Math.max(0, a < 0 ? a + t.rank() : a); // Gather's axis may count from the end
        }
        if (t.rank() > 0) {
            axis = Math.min(axis, t.rank() - 1);
        }
        return Optional.of(new WeightLayer(name, op, t.name(), t.dims(), t.type(), t.count(), t.bytes(),
                t.storage(), axis, e.quantized || viaDequantize || codes, path, t));
    }

    static long intAttr(NodeProto n, String name, long fallback) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getI();
            }
        }
        return fallback;
    }
}
