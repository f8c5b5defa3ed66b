package dev.whittle.core.quant;

import dev.whittle.core.model.TensorData;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.QdqEditor;
import dev.whittle.core.onnx.TensorBytes;
import java.util.Optional;

/**
 * Stores the bias of a Conv or Gemm whose input and weight are both quantized as int32 with
 * scale = input scale x weight scale (per output channel) and zero point 0, behind
 * DequantizeLinear. Without it ONNX Runtime cannot fuse DQ -> Conv -> Q into QLinearConv (or
 * Gemm into QGemm) and runs the float op on dequantized values. The bias's own error is at most
 * half of that scale, far below the activation's.
 */
final class BiasQuantizer {
    private static final int BIAS_INPUT = 2;

    private BiasQuantizer() {
    }

    static void quantize(OnnxModel model, QdqEditor ed, String node, float inputScale, QuantizedWeight w) {
        if (w == null || w.grouping().granularity() == Granularity.BLOCK) {
            return;
        }
        String op = model.graph().layer(node).map(l -> l.op()).orElse("");
        if (!op.equals("Conv") && !op.equals("Gemm")) {
            return;
        }
        String name = ed.input(node, BIAS_INPUT);
        Optional<TensorData> bias = name.isEmpty() ? Optional.empty() : model.graph().constant(name);
        long channels = w.grouping().granularity() == Granularity.CHANNEL ? w.grouping().d() : -1;
        if (bias.isEmpty() || bias.get().rank() != 1 || !bias.get().type().isFloating()
                || (channels > 0 && bias.get().count() != channels)) {
            return;
        }
        float[] b = bias.get().toFloatArray();
        float[] scale = new float[b.length];
        int[] q = new int[b.length];
        for (int c = 0; c < b.length; c++) {
            float ws = w.scales()[channels > 0 ? c : 0];
            scale[c] = inputScale * ws;
            double r = Math.rint(b[c] / scale[c]);
            q[c] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, r));
        }
        long[] dims = {b.length};
        String out = ed.dequantizeWeight(name, TensorBytes.int32(dims, q), TensorBytes.floats(dims, scale), null, 0, 0, null);
        ed.setInput(node, BIAS_INPUT, out);
    }
}
