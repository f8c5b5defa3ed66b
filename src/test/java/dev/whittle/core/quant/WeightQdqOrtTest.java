package dev.whittle.core.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.testing.FakeQuant;
import dev.whittle.testing.QuantOrt;
import dev.whittle.testing.QuantModels;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Weight-only QDQ models run in ONNX Runtime and give the same outputs as the float model with
 * weights fake-quantized by an independent Java implementation ({@link FakeQuant}).
 * Tolerance: 1e-5 of the output's largest magnitude (float summation order only).
 */
class WeightQdqOrtTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("matmul", "tensor", 8, true, 0),
                Arguments.of("matmul", "channel", 8, true, 0),
                Arguments.of("matmul", "channel", 8, false, 0),
                Arguments.of("matmul", "channel", 4, true, 0),
                Arguments.of("matmul", "block", 4, true, 16),
                Arguments.of("matmul", "block", 4, false, 32),
                Arguments.of("matmul", "block", 8, true, 16),
                Arguments.of("mlp", "tensor", 8, false, 0),
                Arguments.of("mlp", "channel", 8, true, 0),
                Arguments.of("mlp", "block", 4, true, 16),
                Arguments.of("cnn", "channel", 8, true, 0),
                Arguments.of("cnn", "channel", 4, false, 0),
                Arguments.of("cnn", "block", 4, true, 16),
                Arguments.of("convt", "channel", 8, true, 0),
                Arguments.of("convt", "channel", 4, false, 0),
                Arguments.of("convt", "block", 4, true, 16));
    }

    static ModelProto build(String kind) {
        return switch (kind) {
            case "matmul" -> QuantModels.matmul(64, 24, 7, 13);
            case "mlp" -> QuantModels.mlp(48, 32, 10, 11, 13);
            case "convt" -> QuantModels.convTranspose(17, 13);
            default -> QuantModels.cnn(2, 32, 8, 5, 13);
        };
    }

    static long[] inputShape(String kind, int batch) {
        return switch (kind) {
            case "matmul" -> new long[] {batch, 64};
            case "mlp" -> new long[] {batch, 48};
            case "convt" -> new long[] {batch, 32, 5, 5};
            default -> new long[] {batch, 2, 8, 8};
        };
    }

    @ParameterizedTest(name = "{0} {1} int{2} symmetric={3} block={4}")
    @MethodSource("cases")
    void weightOnlyQdqMatchesIndependentFakeQuantizationInOnnxRuntime(String kind, String gran, int bits, boolean sym, int block) {
        ModelProto proto = build(kind);
        OnnxModel model = QuantModels.load(proto);
        WeightSpec spec = new WeightSpec(bits, sym, Granularity.parse("g", gran), block, RangeSpec.MINMAX);
        QuantResult r = Quantizer.apply(model, List.of(QuantizeStep.all(QuantizeSpec.weights(spec))));
        assertEquals(model.graph().weightLayers().size(), r.report().layers().size(), "every layer quantized");

        GraphProto.Builder ref = proto.getGraph().toBuilder();
        for (WeightLayer l : model.graph().weightLayers()) {
            float[] w = l.tensor().toFloatArray();
            int axis = gran.equals("block") ? OpRules.inputAxis(l) : l.axis();
            long[] dims = l.shape();
            if (gran.equals("block") && l.op().equals("Conv")) {
                // Conv blocks run over in-channels x kernel: the weight seen as [out, in*kh*kw].
                dims = new long[] {dims[0], l.params() / dims[0]};
                axis = 1;
            }
            float[] dq = FakeQuant.apply(w, dims, gran, axis, block, bits, sym);
            for (int i = 0; i < ref.getInitializerCount(); i++) {
                TensorProto t = ref.getInitializer(i);
                if (t.getName().equals(l.weight())) {
                    ref.setInitializer(i, QuantModels.floats(t.getName(), l.shape(), dq));
                }
            }
        }
        byte[] refModel = proto.toBuilder().setGraph(ref).build().toByteArray();
        long[] shape = inputShape(kind, 5);
        int n = (int) (shape[0] * shape[1] * (shape.length > 2 ? shape[2] * shape[3] : 1));
        float[] x = QuantModels.random(99, n, 1.0);
        float[] expected = QuantOrt.run(refModel, "x", shape, x);
        float[] actual = QuantOrt.run(r.model().proto().toByteArray(), "x", shape, x);
        double tol = 1e-5 * QuantOrt.maxAbs(expected);
        assertTrue(QuantOrt.maxAbsDiff(expected, actual) <= tol,
                "max difference " + QuantOrt.maxAbsDiff(expected, actual) + " exceeds " + tol);
        for (LayerReport lr : r.report().layers()) {
            int groups = lr.scales().length;
            long params = lr.bytesBefore() / 4;
            long expectedBytes = (params * bits + 7) / 8 + 4L * groups + ((long) groups * bits + 7) / 8;
            assertEquals(expectedBytes, lr.bytesAfter(), lr.weight() + " stored bytes");
            if (params / groups >= 16) {
                assertTrue(lr.bytesAfter() * (bits == 8 ? 3 : 5) < lr.bytesBefore(),
                        lr.weight() + " shrank only to " + lr.bytesAfter() + " of " + lr.bytesBefore());
            }
            assertTrue(lr.sqnrDb() > (bits == 8 ? 30 : 10), lr.weight() + " SQNR " + lr.sqnrDb());
        }
    }
}
