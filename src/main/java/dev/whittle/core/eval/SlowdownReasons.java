package dev.whittle.core.eval;

import dev.whittle.core.model.DataType;
import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.model.NodeInfo;
import dev.whittle.core.onnx.GraphEditor;
import dev.whittle.core.onnx.GraphNode;
import dev.whittle.core.onnx.OnnxModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The known reasons why a quantized model can run slower than its float original on a CPU. */
final class SlowdownReasons {
    private static final Set<String> INT8_OPS = Set.of("QuantizeLinear", "DequantizeLinear", "QLinearConv", "QLinearMatMul",
            "ConvInteger", "MatMulInteger", "DynamicQuantizeLinear", "DynamicQuantizeMatMul", "MatMulIntegerToFloat");
    private static final Set<String> WEIGHT_OPS = Set.of("Conv", "ConvTranspose", "Gemm", "MatMul", "QLinearConv",
            "QLinearMatMul", "ConvInteger", "MatMulInteger", "MatMulNBits", "DynamicQuantizeMatMul");

    private SlowdownReasons() {
    }

    /** @param file the model itself, to read MatMulNBits' bits; null to skip that check */
    static List<String> of(ModelGraph model, OnnxModel file, RuntimeInfo runtime) {
        List<String> out = new ArrayList<>();
        boolean int8 = model.nodes().stream().anyMatch(n -> INT8_OPS.contains(n.opType()));
        if (int8 && runtime != null && runtime.cpu() != null && runtime.cpu().int8PairsSaturate()) {
            out.add("no VNNI on this CPU (" + runtime.cpu().name() + "), so ONNX Runtime's int8 kernels gain little over float");
        }
        KernelCounts k = null;
        if (file != null && int8) {
            try {
                k = KernelCounts.of(file, SessionSpec.defaults(), SessionSpec.OptLevel.ALL);
            } catch (RuntimeException e) {
                k = null; // the counts in the file below say less, but something
            }
        }
        if (k != null) {
            // What ONNX Runtime actually runs, not what the file holds: its QDQ transformer fuses
            // Q/DQ pairs into int8 kernels and drops them around MaxPool and the shape ops.
            if (!k.floatNodes().isEmpty()) {
                out.add(k.floatNodes().size() + " Conv/Gemm/MatMul still run in float in ONNX Runtime's optimized graph ("
                        + String.join(", ", k.floatNodes().stream().limit(5).toList()) + (k.floatNodes().size() > 5 ? ", ..." : "")
                        + "): no Q/DQ pair ONNX Runtime can fuse around them");
            }
            int left = k.quantizeLinear() + k.dequantizeLinear();
            if (left > 1) { // one is the float input's own QuantizeLinear
                out.add(k.quantizeLinear() + " QuantizeLinear and " + k.dequantizeLinear() + " DequantizeLinear left in ONNX"
                        + " Runtime's optimized graph: tensors are converted to int8 and back between the int8 kernels"
                        + " (whittle inspect --kernels lists them; --placement graph keeps more of the graph in int8, --placement speed also leaves out the pairs no int8 kernel uses)");
            }
            if (k.floatNodes().isEmpty() && left <= 1 && k.int8() > 0) {
                out.add("every weight layer runs an int8 kernel and at most the input is converted: ONNX Runtime's int8"
                        + " kernels are slower than float for these layer shapes on this CPU (whittle profile shows which)");
            }
        } else {
            long q = count(model, "QuantizeLinear");
            long dq = count(model, "DequantizeLinear");
            long weights = model.nodes().stream().filter(n -> WEIGHT_OPS.contains(n.opType())).count();
            if (q > 0) {
                out.add(q + " QuantizeLinear and " + dq + " DequantizeLinear around " + weights
                        + " weight layers: the ops between them run in float, converting tensors to int8 and back");
            }
        }
        if (file != null) {
            GraphEditor e = GraphEditor.of(file);
            long u8 = uint8WeightKernels(e);
            if (u8 > 0) {
                out.add(u8 + " int8 weight layers store their weights as uint8 (zero point 128, the default `uint8` int8"
                        + " layout): ONNX Runtime multiplies them with its slower uint8 x uint8 kernels and, for Conv, without"
                        + " its symmetric int8 convolution; --int8-layout reduced (exact on every CPU) or full (exact with VNNI)"
                        + " stores int8 weights with zero point 0");
            }
            long nbits8 = 0;
            for (int i = 0; i < e.nodeCount(); i++) {
                GraphNode n = e.node(i);
                if (n.op().equals("MatMulNBits") && n.intAttr("bits", 4) == 8) {
                    nbits8++;
                }
            }
            if (nbits8 > 0) {
                out.add(nbits8 + " MatMulNBits with 8-bit weights: ONNX Runtime runs 8-bit MatMulNBits far slower than 4-bit"
                        + " (use --bits 4 or --format dynamic)");
            }
        }
        return out;
    }

    /**
     * Weight layers ONNX Runtime runs with integer kernels (quantized activations, or MatMulInteger)
     * whose weights are uint8 with a nonzero zero point: MLAS then takes its u8u8 path, and
     * QLinearConv's symmetric (indirect and depthwise) kernels need int8 weights with zero point 0.
     */
    static long uint8WeightKernels(GraphEditor e) {
        long n = 0;
        for (int i = 0; i < e.nodeCount(); i++) {
            GraphNode node = e.node(i);
            if (!node.isDefaultDomain() || node.inputs().size() < 2) {
                continue;
            }
            boolean hit = switch (node.op()) {
                case "Conv", "Gemm", "MatMul" -> dequantizedFrom(e, node.input(0), null)
                        && dequantizedFrom(e, node.input(1), DataType.UINT8);
                case "MatMulInteger", "ConvInteger" -> isUint8(e, node.input(1)) && node.inputs().size() > 3
                        && !allZero(e, node.input(3));
                default -> false;
            };
            if (hit) {
                n++;
            }
        }
        return n;
    }

    /** Whether {@code value} comes from a DequantizeLinear (of a {@code type} constant with a nonzero zero point, if given). */
    private static boolean dequantizedFrom(GraphEditor e, String value, DataType type) {
        int p = e.producer(value);
        if (p < 0) {
            return false;
        }
        GraphNode dq = e.node(p);
        if (!dq.op().equals("DequantizeLinear")) {
            return false;
        }
        if (type == null) {
            return true;
        }
        return isUint8(e, dq.input(0)) && dq.inputs().size() > 2 && !allZero(e, dq.input(2));
    }

    private static boolean isUint8(GraphEditor e, String value) {
        return e.isConstant(value) && e.tensor(value).type() == DataType.UINT8;
    }

    private static boolean allZero(GraphEditor e, String value) {
        if (value.isEmpty() || !e.isConstant(value)) {
            return value.isEmpty();
        }
        for (float f : e.floats(value)) {
            if (f != 0f) {
                return false;
            }
        }
        return true;
    }

    private static long count(ModelGraph g, String op) {
        return g.nodes().stream().map(NodeInfo::opType).filter(op::equals).count();
    }
}
