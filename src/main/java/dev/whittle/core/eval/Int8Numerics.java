package dev.whittle.core.eval;

import dev.whittle.core.model.DataType;
import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.model.NodeInfo;
import dev.whittle.core.model.TensorData;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds full-range u8s8 int8 in a model (uint8 activations times int8 weights whose codes go
 * beyond 7 bits) and words the warning a result carries when such a model runs on an x86 CPU
 * without VNNI, where ONNX Runtime's integer kernels add pairs of products in 16 bits and can
 * saturate. Integer ops (QLinearConv, QLinearMatMul, MatMulInteger, ConvInteger) are checked
 * always; QDQ around Conv/MatMul/Gemm only when graph optimization is on, since ONNX Runtime
 * fuses it into those kernels then (with optimization off it computes the QDQ model in float).
 */
final class Int8Numerics {
    /** Codes up to this magnitude keep every pair sum 255 * (|a| + |b|) below 2^15. */
    static final int SAFE_MAX = 64;

    private static final Set<String> QDQ_COMPUTE = Set.of("Conv", "MatMul", "Gemm");

    private Int8Numerics() {
    }

    /** The warning for a session of {@code g} with these settings, if one applies. */
    static Optional<String> warning(ModelGraph g, RuntimeInfo rt) {
        if (!"cpu".equals(rt.provider()) || rt.cpu() == null || !rt.cpu().int8PairsSaturate()) {
            return Optional.empty();
        }
        Hit hit = find(g, !"none".equals(rt.optLevel()));
        if (hit == null) {
            return Optional.empty();
        }
        return Optional.of("warning: " + g.fileName() + " multiplies uint8 activations by full-range int8 weights ("
                + hit.op() + " '" + hit.node() + "'), and this CPU (" + rt.cpu().name() + ") has no VNNI, so ONNX Runtime's"
                + " integer kernels add those products in 16 bits and can saturate: results may be worse than the model;"
                + " re-quantize with --int8-layout uint8 (or reduced; recipe key weights.int8Layout)"
                + (hit.qdq() ? ", or evaluate with --opt-level none for the exact QDQ result." : "."));
    }

    /** One node that computes uint8 x full-range int8. */
    record Hit(String node, String op, boolean qdq) {
    }

    /** The first node computing uint8 activations times full-range int8 weights, or null. */
    static Hit find(ModelGraph g, boolean qdqFused) {
        Map<String, NodeInfo> producer = new HashMap<>();
        for (NodeInfo n : g.nodes()) {
            if (n.graphPath().isEmpty()) {
                n.outputs().forEach(o -> producer.put(o, n));
            }
        }
        for (NodeInfo n : g.nodes()) {
            if (!n.graphPath().isEmpty() || !(n.domain() == null || n.domain().isEmpty() || n.domain().equals("ai.onnx"))) {
                continue;
            }
            boolean hit = switch (n.opType()) {
                case "QLinearConv", "QLinearMatMul" -> isUint8(g, producer, in(n, 0), in(n, 2)) && fullRangeInt8(g, in(n, 3));
                case "MatMulInteger", "ConvInteger" -> isUint8(g, producer, in(n, 0), in(n, 2)) && fullRangeInt8(g, in(n, 1));
                default -> qdqFused && QDQ_COMPUTE.contains(n.opType()) && qdq(g, producer, n);
            };
            if (hit) {
                return new Hit(n.name(), n.opType(), QDQ_COMPUTE.contains(n.opType()));
            }
        }
        return null;
    }

    /** Activation input 0 dequantized from uint8, weight input 1 dequantized from a full-range int8 constant. */
    private static boolean qdq(ModelGraph g, Map<String, NodeInfo> producer, NodeInfo n) {
        NodeInfo x = producer.get(in(n, 0));
        NodeInfo w = producer.get(in(n, 1));
        if (x == null || w == null || !x.opType().equals("DequantizeLinear") || !w.opType().equals("DequantizeLinear")) {
            return false;
        }
        return isUint8(g, producer, in(x, 0), in(x, 2)) && fullRangeInt8(g, in(w, 0));
    }

    /** Whether a quantized tensor is uint8, from its zero point or from what produced it. */
    private static boolean isUint8(ModelGraph g, Map<String, NodeInfo> producer, String tensor, String zeroPoint) {
        Optional<TensorData> zp = zeroPoint.isEmpty() ? Optional.empty() : g.constant(zeroPoint);
        if (zp.isPresent()) {
            return zp.get().type() == DataType.UINT8;
        }
        Optional<TensorData> c = g.constant(tensor);
        if (c.isPresent()) {
            return c.get().type() == DataType.UINT8;
        }
        NodeInfo p = producer.get(tensor);
        if (p == null) {
            return g.inputs().stream().anyMatch(v -> v.name().equals(tensor) && v.type() == DataType.UINT8);
        }
        if (p.opType().equals("DynamicQuantizeLinear")) {
            return true;
        }
        if (p.opType().equals("QuantizeLinear")) {
            // Without a zero point QuantizeLinear writes uint8.
            String pz = in(p, 2);
            return pz.isEmpty() || g.constant(pz).map(t -> t.type() == DataType.UINT8).orElse(false);
        }
        return false;
    }

    /** An int8 constant with a code beyond {@link #SAFE_MAX} in magnitude. */
    static boolean fullRangeInt8(ModelGraph g, String name) {
        Optional<TensorData> t = name.isEmpty() ? Optional.empty() : g.constant(name);
        if (t.isEmpty() || t.get().type() != DataType.INT8) {
            return false;
        }
        ByteBuffer b = t.get().raw();
        if (b != null) {
            while (b.hasRemaining()) {
                int v = b.get();
                if (v > SAFE_MAX || v < -SAFE_MAX) {
                    return true;
                }
            }
            return false;
        }
        // Values kept in the typed int32_data field.
        float[] chunk = new float[4096];
        for (long at = 0; at < t.get().count(); at += chunk.length) {
            int n = (int) Math.min(chunk.length, t.get().count() - at);
            t.get().readFloats(at, chunk, 0, n);
            for (int i = 0; i < n; i++) {
                if (Math.abs(chunk[i]) > SAFE_MAX) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String in(NodeInfo n, int i) {
        return i < n.inputs().size() ? n.inputs().get(i) : "";
    }
}
