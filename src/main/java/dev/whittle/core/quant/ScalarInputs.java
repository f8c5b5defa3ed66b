package dev.whittle.core.quant;

import dev.whittle.core.model.DataType;
import dev.whittle.core.model.TensorData;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.QdqEditor;
import dev.whittle.core.onnx.TensorBytes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one-element constant inputs of the Add and Mul nodes that graph placement runs in int8
 * (a hard-swish's "+ 3" and "x 1/6"): ORT's QDQ transformer fuses DQ -> Add -> Q into QLinearAdd
 * only when every input is dequantized, so each such constant is written as an int8 code behind a
 * DequantizeLinear. One value at the end of its own range is exact: code qmax (or 0 for a negative
 * value with an unsigned type) and scale |v| / qmax. The codes take the activations' type, as
 * QLinearAdd and QLinearMul need one type for all inputs.
 */
final class ScalarInputs {
    private ScalarInputs() {
    }

    /** Writes the constants and rewires the nodes; returns how many inputs now read an int8 constant. */
    static int write(OnnxModel model, QdqEditor ed, Map<String, List<Integer>> slots, List<ActivationStage.Entry> entries) {
        Map<String, TensorData> constants = new HashMap<>();
        model.graph().constants().forEach(t -> constants.put(t.name(), t));
        Map<String, String> written = new HashMap<>();
        int n = 0;
        for (Map.Entry<String, List<Integer>> s : slots.entrySet()) {
            String node = s.getKey();
            ActivationStage.Entry like = entries.stream().filter(e -> e.readers.contains(node)).findFirst().orElse(null);
            if (like == null) {
                continue; // its inputs were left in float after all (a branch the data never reached): the op stays float
            }
            boolean sym = like.spec.symmetric();
            int bits = like.bits;
            for (int slot : s.getValue()) {
                TensorData t = constants.get(ed.input(node, slot));
                if (t == null || t.type() != DataType.FLOAT || t.count() != 1) {
                    continue;
                }
                String dq = written.computeIfAbsent(t.name() + "/" + sym + "/" + bits,
                        k -> dequantized(ed, t, sym, bits));
                ed.setInput(node, slot, dq);
                n++;
            }
        }
        return n;
    }

    private static String dequantized(QdqEditor ed, TensorData t, boolean sym, int bits) {
        float v = t.toFloatArray()[0];
        int qmax = sym ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
        float scale = v == 0 ? 1f : Math.abs(v) / qmax;
        int zp = sym || v >= 0 ? 0 : qmax;
        int code = v == 0 ? zp : v > 0 ? qmax : sym ? -qmax : 0;
        DataType type = WeightEmitter.codeType(bits, sym);
        return ed.dequantizeWeight(t.name(), TensorBytes.codes(type, t.dims(), new byte[] {(byte) code}),
                TensorBytes.floats(new long[0], new float[] {scale}), TensorBytes.codes(type, new long[0], new byte[] {(byte) zp}),
                0, 0, null);
    }
}
