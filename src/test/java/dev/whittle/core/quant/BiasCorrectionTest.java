package dev.whittle.core.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.model.DataType;
import dev.whittle.core.onnx.GraphBuilder;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.testing.QuantOrt;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Bias correction checked through ONNX Runtime: on the calibration rows themselves, the mean
 * output error per channel of the corrected model is zero (up to float rounding), while the
 * uncorrected one is off by (W - W_q)^T mean(x).
 */
class BiasCorrectionTest {
    private static final int K = 16;
    private static final int N = 8;
    private static final int ROWS = 64;
    private static final QuantizeSpec INT4_TENSOR = QuantizeSpec.weights(WeightSpec.of(4, Granularity.TENSOR));

    private static float[] random(int n, long seed, double mean) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (mean + r.nextGaussian() * 0.5);
        }
        return v;
    }

    /** x[ROWS, K] -> layer -> y[ROWS, N]: "matmul" (MatMul + Add bias), "gemm" (transB, no C) or "bare" (MatMul alone). */
    private static OnnxModel model(String kind) {
        GraphBuilder b = new GraphBuilder(kind).opset(17).input("x", DataType.FLOAT, (long) ROWS, (long) K);
        switch (kind) {
            case "gemm" -> b.initializer("w", random(N * K, 2, 0), N, K)
                    .node("Gemm", "x", "w").name("layer").outputs("y").attr("transB", 1L).done();
            case "bare" -> b.initializer("w", random(K * N, 2, 0), K, N)
                    .node("MatMul", "x", "w").name("layer").outputs("y").done();
            default -> b.initializer("w", random(K * N, 2, 0), K, N).initializer("b", random(N, 3, 0), N)
                    .node("MatMul", "x", "w").name("layer").outputs("h").done()
                    .node("Add", "h", "b").name("bias").outputs("y").done();
        }
        return b.output("y", DataType.FLOAT, (long) ROWS, (long) N).toModel();
    }

    /** Per output channel, the mean over the rows of (quantized - original) output. */
    private static double[] meanError(OnnxModel original, OnnxModel quantized, float[] x) {
        float[] y = QuantOrt.run(original.proto().toByteArray(), "x", new long[] {ROWS, K}, x);
        float[] yq = QuantOrt.run(quantized.proto().toByteArray(), "x", new long[] {ROWS, K}, x);
        double[] e = new double[N];
        for (int r = 0; r < ROWS; r++) {
            for (int n = 0; n < N; n++) {
                e[n] += (yq[r * N + n] - y[r * N + n]) / (double) ROWS;
            }
        }
        return e;
    }

    private static double maxAbs(double[] v) {
        return java.util.Arrays.stream(v).map(Math::abs).max().orElse(0);
    }

    @Test
    void theCorrectedModelHasNoMeanOutputErrorOnItsCalibrationRows() {
        float[] x = random(ROWS * K, 7, 1.0); // inputs with a mean well away from zero
        double[] mean = new double[K];
        for (int r = 0; r < ROWS; r++) {
            for (int k = 0; k < K; k++) {
                mean[k] += x[r * K + k] / (double) ROWS;
            }
        }
        for (String kind : List.of("matmul", "gemm")) {
            OnnxModel m = model(kind);
            OnnxModel plain = Quantizer.apply(m, List.of(QuantizeStep.all(INT4_TENSOR))).model();
            QuantResult r = Quantizer.apply(m, List.of(QuantizeStep.all(INT4_TENSOR)),
                    QuantOptions.none().withBiasCorrection(Map.of("layer", mean)));
            assertTrue(r.report().messages().stream().anyMatch(s -> s.startsWith("Bias correction: 1 layer")),
                    kind + ": " + r.report().messages());
            double before = maxAbs(meanError(m, plain, x));
            double after = maxAbs(meanError(m, r.model(), x));
            assertTrue(before > 0.02, kind + ": int4 per tensor shifts the mean output, " + before);
            assertTrue(after < 1e-4, kind + ": corrected mean error " + after + " (uncorrected " + before + ")");
        }
    }

    @Test
    void aMatMulWithoutABiasAddIsLeftAsItIsWithAReason() {
        OnnxModel m = model("bare");
        QuantResult r = Quantizer.apply(m, List.of(QuantizeStep.all(INT4_TENSOR)),
                QuantOptions.none().withBiasCorrection(Map.of("layer", new double[K])));
        assertTrue(r.report().messages().contains("Layer 'layer': bias correction skipped: no bias Add follows it"
                + " (Whittle adds none)."), r.report().messages().toString());
        assertEquals(Quantizer.apply(m, List.of(QuantizeStep.all(INT4_TENSOR))).model().proto(), r.model().proto());
    }

    @Test
    void aNonFiniteInputMeanLeavesTheBiasAloneWithAReason() {
        OnnxModel m = model("matmul");
        double[] mean = new double[K];
        mean[2] = Double.NaN;
        QuantResult r = Quantizer.apply(m, List.of(QuantizeStep.all(INT4_TENSOR)),
                QuantOptions.none().withBiasCorrection(Map.of("layer", mean)));
        assertTrue(r.report().messages().contains("Layer 'layer': bias correction skipped: its input mean on the calibration"
                + " data is not finite (NaN or infinite inputs)."), r.report().messages().toString());
        assertEquals(Quantizer.apply(m, List.of(QuantizeStep.all(INT4_TENSOR))).model().proto(), r.model().proto());
    }
}
