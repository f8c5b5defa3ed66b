package dev.whittle.core.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.whittle.core.model.DataType;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.testing.FakeQuant;
import dev.whittle.testing.Int8Kernels;
import dev.whittle.testing.QuantOrt;
import dev.whittle.testing.QuantModels;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MatMulNBits and dynamic (DynamicQuantizeLinear + MatMulInteger) models run in ONNX Runtime and
 * agree with a plain Java computation of what they should compute.
 */
class FormatsOrtTest {
    private static final int BATCH = 3;

    /** y = x W + b in double, W [k, n] row-major. */
    static float[] matmul(float[] x, float[] w, float[] b, int batch, int k, int n) {
        float[] y = new float[batch * n];
        for (int r = 0; r < batch; r++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int i = 0; i < k; i++) {
                    s += (double) x[r * k + i] * w[i * n + j];
                }
                y[r * n + j] = (float) (s + b[j]);
            }
        }
        return y;
    }

    @ParameterizedTest(name = "k={0} block={1} symmetric={2}")
    @CsvSource({"64,16,true", "64,32,false", "72,32,true", "72,16,false"})
    void matMulNBitsComputesXTimesTheBlockwiseDequantizedWeight(int k, int block, boolean sym) {
        int n = 20;
        OnnxModel model = QuantModels.load(QuantModels.matmul(k, n, 3, 14));
        WeightSpec spec = new WeightSpec(4, sym, Granularity.BLOCK, block, RangeSpec.MINMAX);
        QuantResult r = Quantizer.apply(model, List.of(QuantizeStep.all(new QuantizeSpec(spec, null, QuantFormat.MATMULNBITS))));
        assertEquals(1, r.model().graph().opCounts().get("com.microsoft::MatMulNBits"));
        assertTrue(r.model().graph().constant("w").isEmpty(), "the float weight is gone");
        WeightLayer l = model.graph().weightLayers().get(0);
        float[] dq = FakeQuant.apply(l.tensor().toFloatArray(), l.shape(), "block", 0, block, 4, sym);
        float[] x = QuantModels.random(4, BATCH * k, 1);
        float[] expected = matmul(x, dq, model.graph().constant("b").orElseThrow().toFloatArray(), BATCH, k, n);
        float[] actual = QuantOrt.run(r.model().proto().toByteArray(), "x", new long[] {BATCH, k}, x);
        double tol = 1e-4 * QuantOrt.maxAbs(expected);
        assertTrue(QuantOrt.maxAbsDiff(expected, actual) <= tol, "difference " + QuantOrt.maxAbsDiff(expected, actual) + " > " + tol);
    }

    @ParameterizedTest(name = "{0} symmetric={1} {2}")
    @CsvSource({"tensor,true,uint8", "channel,true,uint8", "tensor,true,reduced", "channel,true,reduced",
            "channel,false,full"})
    void dynamicQuantizationComputesTheIntegerMatMulOfQuantizedInputAndWeight(String gran, boolean sym, String layout) {
        dynamicMatchesJava(gran, sym, Int8Layout.parse("layout", layout));
    }

    @ParameterizedTest(name = "{0} full")
    @ValueSource(strings = {"tensor", "channel"})
    void fullRangeDynamicQuantizationIsExactWhereTheKernelsAreExact(String gran) {
        assumeTrue(Int8Kernels.fullRangeExact(), Int8Kernels.NEEDS_EXACT_U8S8);
        dynamicMatchesJava(gran, true, Int8Layout.FULL);
    }

    private static void dynamicMatchesJava(String gran, boolean sym, Int8Layout layout) {
        int k = 40;
        int n = 12;
        OnnxModel model = QuantModels.load(QuantModels.matmul(k, n, 8, 14));
        WeightSpec spec = new WeightSpec(8, sym, Granularity.parse("g", gran), 0, RangeSpec.MINMAX, layout);
        QuantResult r = Quantizer.apply(model, List.of(QuantizeStep.all(new QuantizeSpec(spec, null, QuantFormat.DYNAMIC))));
        assertEquals(1, r.model().graph().opCounts().get("MatMulInteger"));
        assertEquals(1, r.model().graph().opCounts().get("DynamicQuantizeLinear"));
        WeightLayer l = model.graph().weightLayers().get(0);
        float[] wq = FakeQuant.apply(l.tensor().toFloatArray(), l.shape(), gran, 1, 0, 8, sym,
                layout == Int8Layout.REDUCED ? 63 : 127);
        DataType codes = r.model().graph().constants().stream().filter(t -> t.name().equals("w_quantized"))
                .findFirst().orElseThrow().type();
        assertEquals(sym && layout != Int8Layout.UINT8 ? DataType.INT8 : DataType.UINT8, codes);
        float[] x = QuantModels.random(9, BATCH * k, 1);
        float[] xq = dynamicQuantizeLinear(x);
        float[] expected = matmul(xq, wq, model.graph().constant("b").orElseThrow().toFloatArray(), BATCH, k, n);
        float[] actual = QuantOrt.run(r.model().proto().toByteArray(), "x", new long[] {BATCH, k}, x);
        double tol = 1e-4 * QuantOrt.maxAbs(expected);
        assertTrue(QuantOrt.maxAbsDiff(expected, actual) <= tol, "difference " + QuantOrt.maxAbsDiff(expected, actual) + " > " + tol);
    }

    /** ONNX DynamicQuantizeLinear then dequantized: uint8 over [min(x, 0), max(x, 0)]. */
    static float[] dynamicQuantizeLinear(float[] x) {
        float lo = 0;
        float hi = 0;
        for (float v : x) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        float scale = (hi - lo) / 255f;
        float zp = (float) Math.max(0, Math.min(255, Math.rint(-lo / scale)));
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            double q = Math.max(0, Math.min(255, Math.rint(x[i] / scale) + zp));
            out[i] = (float) ((q - zp) * scale);
        }
        return out;
    }

    @Test
    void matMulNBitsLeavesGemmAndConvLayersInFloatWithAMessage() {
        OnnxModel model = QuantModels.load(QuantModels.mlp(32, 16, 4, 1, 13));
        WeightSpec spec = new WeightSpec(4, true, Granularity.BLOCK, 16, RangeSpec.MINMAX);
        QuantResult r = Quantizer.apply(model, List.of(QuantizeStep.all(new QuantizeSpec(spec, null, QuantFormat.MATMULNBITS))));
        assertTrue(r.report().layers().isEmpty());
        assertEquals(2, r.report().messages().size());
        assertTrue(r.report().messages().get(0).contains("applies to MatMul only"), r.report().messages().get(0));
    }
}
