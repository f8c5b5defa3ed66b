package dev.whittle.core.quant;

import dev.whittle.core.model.DataType;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.GraphEditor;
import dev.whittle.core.onnx.GraphPaths;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.QdqEditor;
import dev.whittle.core.onnx.TensorBytes;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code format: dynamic} for LSTM layers: ONNX Runtime's {@code com.microsoft::DynamicQuantizeLSTM}
 * runs the LSTM with int8 W and R and quantizes its input and hidden state on the fly, as its own
 * {@code quantize_dynamic} writes it. It takes both weights of a node at once, so a node qualifies
 * only when its W and R are both quantized here at 8 bits, per gate row or per tensor, from
 * float32, read by that node alone, with the default {@code layout}; others stay weight-only QDQ.
 */
final class DynamicLstm {
    private DynamicLstm() {
    }

    /** The key of a recurrent layer's node: its graph path and node name. */
    static String key(WeightLayer l) {
        return l.graphPath() + "\n" + l.graphNode();
    }

    /** The LSTM nodes (by {@link #key}) whose W and R the plan lets become a DynamicQuantizeLSTM. */
    static Set<String> eligible(OnnxModel model, List<Quantizer.Planned> plan) {
        Map<String, List<Quantizer.Planned>> parts = new HashMap<>();
        for (Quantizer.Planned p : plan) {
            WeightLayer l = p.layer();
            WeightSpec w = p.spec().weights();
            if (l.op().equals("LSTM") && w != null && p.spec().formatOrDefault() == QuantFormat.DYNAMIC && w.bits() == 8
                    && (w.granularity() == Granularity.CHANNEL || w.granularity() == Granularity.TENSOR)
                    && l.dtype() == DataType.FLOAT && l.shape().length == 3) {
                parts.computeIfAbsent(key(l), k -> new java.util.ArrayList<>()).add(p);
            }
        }
        Set<String> out = new HashSet<>();
        for (var e : parts.entrySet()) {
            List<Quantizer.Planned> ps = e.getValue();
            if (ps.size() != 2 || ps.get(0).spec().weights().unsignedCodes() != ps.get(1).spec().weights().unsignedCodes()) {
                continue;
            }
            WeightLayer l = ps.get(0).layer();
            GraphEditor ed = GraphEditor.of(model, l.graphPath());
            var node = ed.node(ed.nodeIndex(l.graphNode()).orElseThrow());
            // W and R must be this node's alone: a weight of an enclosing graph may be read by other bodies too
            if (node.intAttr("layout", 0) == 0 && ps.stream().allMatch(p -> ed.uses(p.layer().weight()).size() == 1
                    && l.graphPath().equals(GraphPaths.owner(model, l.graphPath(), p.layer().weight())))) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    /** The bytes one part takes as written: its codes, and a scale and zero point per direction and row. */
    static long bytes(WeightLayer l, QuantizedWeight q) {
        long dirs = l.shape()[0];
        return q.codes().length + dirs * perDirection(l, q) * 5L;
    }

    private static int perDirection(WeightLayer l, QuantizedWeight q) {
        return q.scales().length == 1 ? 1 : (int) l.shape()[1];
    }

    /** Replaces the LSTM by DynamicQuantizeLSTM with {@code w}'s and {@code r}'s codes. */
    static void write(QdqEditor ed, WeightLayer wl, QuantizedWeight w, WeightLayer rl, QuantizedWeight r) {
        DataType t = WeightEmitter.codeType(8, !w.spec().unsignedCodes());
        ed.dynamicLstm(wl.graphNode(), codes(t, wl, w), scales(wl, w), zeroPoints(t, wl, w), codes(t, rl, r), scales(rl, r),
                zeroPoints(t, rl, r));
    }

    /** [directions, rows, inputs] codes as [directions, inputs, rows]. */
    private static TensorBytes codes(DataType t, WeightLayer l, QuantizedWeight q) {
        long[] s = l.shape();
        int dirs = (int) s[0];
        int rows = (int) s[1];
        int in = (int) s[2];
        byte[] c = q.codes();
        byte[] out = new byte[c.length];
        for (int d = 0; d < dirs; d++) {
            int base = d * rows * in;
            for (int g = 0; g < rows; g++) {
                for (int i = 0; i < in; i++) {
                    out[base + i * rows + g] = c[base + g * in + i];
                }
            }
        }
        return TensorBytes.codes(t, new long[] {dirs, in, rows}, out);
    }

    /** One scale per gate row (or one) for every direction: the written scales are shared across directions. */
    private static TensorBytes scales(WeightLayer l, QuantizedWeight q) {
        int dirs = (int) l.shape()[0];
        int per = perDirection(l, q);
        float[] out = new float[dirs * per];
        for (int d = 0; d < dirs; d++) {
            for (int g = 0; g < per; g++) {
                out[d * per + g] = q.scales()[per == 1 ? 0 : g];
            }
        }
        return TensorBytes.floats(per == 1 ? new long[] {dirs} : new long[] {dirs, per}, out);
    }

    private static TensorBytes zeroPoints(DataType t, WeightLayer l, QuantizedWeight q) {
        int dirs = (int) l.shape()[0];
        int per = perDirection(l, q);
        byte[] out = new byte[dirs * per];
        for (int d = 0; d < dirs; d++) {
            for (int g = 0; g < per; g++) {
                out[d * per + g] = (byte) q.zeroPoints()[per == 1 ? 0 : g];
            }
        }
        return TensorBytes.codes(t, per == 1 ? new long[] {dirs} : new long[] {dirs, per}, out);
    }
}
