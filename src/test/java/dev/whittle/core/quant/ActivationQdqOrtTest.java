package dev.whittle.core.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.whittle.core.BadInputException;
import dev.whittle.core.analysis.CalibratedQuantizer;
import dev.whittle.core.analysis.CalibrationData;
import dev.whittle.core.eval.ActivationCollector.Input;
import dev.whittle.core.model.DataType;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.testing.FakeQuant;
import dev.whittle.testing.Int8Kernels;
import dev.whittle.testing.QuantOrt;
import dev.whittle.testing.QuantModels;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * W8A8 static QDQ on a two-layer MLP: calibrated ranges match the data, and ONNX Runtime's
 * output equals a Java forward pass with fake-quantized activations and weights. The weight
 * layouts that cannot saturate (reduced, uint8) are checked on every CPU; full-range int8
 * weights only where ONNX Runtime's u8s8 kernels are exact ({@link Int8Kernels}).
 */
class ActivationQdqOrtTest {
    static final int K = 24;
    static final int H = 16;
    static final int N = 6;
    static final int SAMPLES = 40;

    static CalibrationData data(float[] x) {
        return CalibrationData.single("x", Input.floats(new long[] {SAMPLES, K}, x), 16);
    }

    static float fq(float v, ActivationReport a) {
        int qmax = a.symmetric() ? 127 : 255;
        int qmin = a.symmetric() ? -127 : 0;
        // QuantizeLinear saturates to the type's full range: int8 [-128, 127], uint8 [0, 255].
        if (a.symmetric()) {
            qmin = -128;
        }
        double q = Math.max(qmin, Math.min(qmax, Math.rint(v / a.scale()) + a.zeroPoint()));
        return (float) ((q - a.zeroPoint()) * a.scale());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"minmax,uint8", "percentile:99,uint8", "entropy,uint8", "mse,uint8", "minmax,reduced", "entropy,reduced",
            "mse,reduced"})
    void staticQdqOutputEqualsAJavaForwardPassWithFakeQuantizedActivations(String calibration, String layout) {
        staticQdqMatchesJava(calibration, Int8Layout.parse("layout", layout));
    }

    @ParameterizedTest(name = "{0} full")
    @ValueSource(strings = {"minmax", "mse"})
    void fullRangeStaticQdqEqualsTheJavaForwardPassWhereTheKernelsAreExact(String calibration) {
        assumeTrue(Int8Kernels.fullRangeExact(), Int8Kernels.NEEDS_EXACT_U8S8);
        staticQdqMatchesJava(calibration, Int8Layout.FULL);
    }

    private static void staticQdqMatchesJava(String calibration, Int8Layout layout) {
        OnnxModel model = QuantModels.load(QuantModels.mlp(K, H, N, 21, 13));
        float[] x = QuantModels.random(5, SAMPLES * K, 1);
        QuantizeSpec spec = new QuantizeSpec(WeightSpec.of(8, Granularity.CHANNEL).withInt8Layout(layout),
                ActivationSpec.of(Calibration.parse("c", calibration)), QuantFormat.QDQ);
        QuantResult r = CalibratedQuantizer.apply(model, List.of(QuantizeStep.all(spec)), data(x));
        List<ActivationReport> acts = r.report().activations();
        assertEquals(List.of("x", "r1"), acts.stream().map(ActivationReport::tensor).toList());
        assertEquals(calibration, acts.get(0).calibration());

        // Independent min/max of the calibration activations.
        WeightLayer fc1 = model.graph().layer("fc1").orElseThrow();
        WeightLayer fc2 = model.graph().layer("fc2").orElseThrow();
        float[] w1 = fc1.tensor().toFloatArray();
        float[] b1 = model.graph().constant("fc1.bias").orElseThrow().toFloatArray();
        float[] w2 = fc2.tensor().toFloatArray();
        float[] b2 = model.graph().constant("fc2.bias").orElseThrow().toFloatArray();
        float[] h = relu(gemm(x, w1, b1, SAMPLES, K, H, true));
        double[] mmX = minMax(x);
        double[] mmH = minMax(h);
        assertEquals(mmX[0], acts.get(0).ranges().get("minmax")[0], 0);
        assertEquals(mmX[1], acts.get(0).ranges().get("minmax")[1], 0);
        assertEquals(mmH[0], acts.get(1).ranges().get("minmax")[0], 0);
        assertEquals(mmH[1], acts.get(1).ranges().get("minmax")[1], 0);
        for (ActivationReport a : acts) {
            assertTrue(a.lo() >= a.min() && a.hi() <= a.max() && a.lo() < a.hi(), a.tensor() + " range inside the data");
            assertEquals(4, a.ranges().size());
        }

        int symMax = layout == Int8Layout.REDUCED ? 63 : 127;
        float[] dq1 = FakeQuant.apply(w1, fc1.shape(), "channel", 0, 0, 8, true, symMax);
        float[] dq2 = FakeQuant.apply(w2, fc2.shape(), "channel", 1, 0, 8, true, symMax);
        // The stored layout: uint8 codes around 128, or int8 codes within the layout's range.
        for (LayerReport l : r.report().layers()) {
            assertEquals(layout, l.int8Layout());
            assertEquals(layout == Int8Layout.UINT8 ? 128 : 0, l.zeroPointMin(), l.node());
            assertEquals(layout == Int8Layout.UINT8 ? 128 : 0, l.zeroPointMax(), l.node());
        }
        DataType codes = r.model().graph().constants().stream().filter(t -> t.name().startsWith("fc1.weight"))
                .filter(t -> t.count() == (long) K * H).findFirst().orElseThrow().type();
        assertEquals(layout == Int8Layout.UINT8 ? DataType.UINT8 : DataType.INT8, codes);
        int batch = 7;
        float[] t = QuantModels.random(77, batch * K, 1.2);
        float[] tq = t.clone();
        for (int i = 0; i < tq.length; i++) {
            tq[i] = fq(tq[i], acts.get(0));
        }
        float[] hq = relu(gemm(tq, dq1, b1, batch, K, H, true));
        for (int i = 0; i < hq.length; i++) {
            hq[i] = fq(hq[i], acts.get(1));
        }
        float[] expected = gemm(hq, dq2, b2, batch, H, N, false);
        float[] actual = QuantOrt.run(r.model().proto().toByteArray(), "x", new long[] {batch, K}, t);
        double tol = 1e-4 * QuantOrt.maxAbs(expected);
        assertTrue(QuantOrt.maxAbsDiff(expected, actual) <= tol, "difference " + QuantOrt.maxAbsDiff(expected, actual) + " > " + tol);
    }

    @Test
    void overridesExcludeATensorOrForceItsRangeAndBits() {
        OnnxModel model = QuantModels.load(QuantModels.mlp(K, H, N, 21, 13));
        ActivationSpec a = ActivationSpec.of(Calibration.MINMAX).withOverrides(Map.of(
                "x", ActivationOverride.excluded(), "fc2", new ActivationOverride(false, 0.0, 2.5, 4)));
        QuantizeSpec spec = new QuantizeSpec(WeightSpec.of(8, Granularity.CHANNEL), a, QuantFormat.QDQ);
        QuantResult r = Quantizer.apply(model, List.of(QuantizeStep.all(spec)));
        assertEquals(1, r.report().activations().size(), "x excluded");
        ActivationReport r1 = r.report().activations().get(0);
        assertEquals("override", r1.calibration());
        assertEquals(4, r1.bits());
        assertEquals(2.5f / 15, r1.scale(), 1e-7);
        assertEquals(21, r.model().graph().defaultOpset(), "int4 activations need opset 21");
        float[] y = QuantOrt.run(r.model().proto().toByteArray(), "x", new long[] {2, K}, QuantModels.random(3, 2 * K, 1));
        assertEquals(2 * N, y.length);
    }

    @Test
    void activationsWithoutCalibrationDataAreRefused() {
        OnnxModel model = QuantModels.load(QuantModels.mlp(K, H, N, 21, 13));
        QuantizeSpec spec = new QuantizeSpec(WeightSpec.of(8, Granularity.CHANNEL), ActivationSpec.of(Calibration.ENTROPY), null);
        BadInputException e = assertThrows(BadInputException.class, () -> Quantizer.apply(model, List.of(QuantizeStep.all(spec))));
        assertTrue(e.getMessage().contains("calibration data"), e.getMessage());
    }

    @Test
    void outputQdqKeepsTheOutputNameAndRunsFusedInOnnxRuntime() {
        OnnxModel model = QuantModels.load(QuantModels.cnn(2, 8, 4, 3, 13));
        float[] x = QuantModels.random(1, 20 * 2 * 64, 1);
        CalibrationData d = CalibrationData.single("x", Input.floats(new long[] {20, 2, 8, 8}, x), 8);
        QuantizeSpec spec = new QuantizeSpec(WeightSpec.of(8, Granularity.CHANNEL),
                ActivationSpec.of(Calibration.MINMAX).withOutputs(true), QuantFormat.QDQ);
        QuantResult r = CalibratedQuantizer.apply(model, List.of(QuantizeStep.all(spec)), d);
        // x (input of conv1), c1 (output of conv1), y (output of conv2); r1 feeds conv2 through its own pair.
        assertEquals(List.of("x", "c1", "r1", "y"), r.report().activations().stream().map(ActivationReport::tensor).toList());
        assertEquals("y", r.model().graph().outputs().get(0).name());
        float[] y = QuantOrt.run(r.model().proto().toByteArray(), "x", new long[] {1, 2, 8, 8}, java.util.Arrays.copyOf(x, 128));
        float[] ref = QuantOrt.run(model.proto().toByteArray(), "x", new long[] {1, 2, 8, 8}, java.util.Arrays.copyOf(x, 128));
        assertTrue(QuantOrt.maxAbsDiff(y, ref) < 0.05 * QuantOrt.maxAbs(ref), "W8A8 stays close to float: " + QuantOrt.maxAbsDiff(y, ref));
    }

    static float[] gemm(float[] x, float[] w, float[] b, int rows, int k, int n, boolean transB) {
        float[] y = new float[rows * n];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < n; j++) {
                double s = b[j];
                for (int i = 0; i < k; i++) {
                    s += (double) x[r * k + i] * (transB ? w[j * k + i] : w[i * n + j]);
                }
                y[r * n + j] = (float) s;
            }
        }
        return y;
    }

    static float[] relu(float[] v) {
        float[] o = v.clone();
        for (int i = 0; i < o.length; i++) {
            o[i] = Math.max(0, o[i]);
        }
        return o;
    }

    static double[] minMax(float[] v) {
        double lo = Double.MAX_VALUE;
        double hi = -Double.MAX_VALUE;
        for (float f : v) {
            lo = Math.min(lo, f);
            hi = Math.max(hi, f);
        }
        return new double[] {lo, hi};
    }
}
