package dev.whittle.core.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.whittle.core.eval.ActivationCollector.Input;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.tensor.InputMoments;
import dev.whittle.testing.QuantModels;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

/** XᵀX, input norms and output means against plain loops over the same inputs. */
class LayerInputsTest {
    private static final int K = 24;
    private static final int H = 16;
    private static final int S = 37;

    @Test
    void secondMomentMatchesPlainLoop() {
        OnnxModel m = QuantModels.load(QuantModels.mlp(K, H, 4, 7, 13));
        float[] x = QuantModels.random(5, S * K, 1);
        CalibrationData d = CalibrationData.single("x", Input.floats(new long[] {S, K}, x), 8);
        List<WeightLayer> layers = m.graph().weightLayers();
        // A tiny budget forces one pass per layer; the result must not depend on it.
        Map<String, InputMoments> got = LayerInputs.collect(m, layers, true, d, 1, null, null);
        float[] w1 = layers.get(0).tensor().toFloatArray();
        float[] b1 = m.graph().constant("fc1.bias").orElseThrow().toFloatArray();
        float[] h = new float[S * H];
        float[] r = new float[S * H];
        for (int s = 0; s < S; s++) {
            for (int o = 0; o < H; o++) {
                double acc = b1[o];
                for (int k = 0; k < K; k++) {
                    acc += (double) x[s * K + k] * w1[o * K + k];
                }
                h[s * H + o] = (float) acc;
                r[s * H + o] = Math.max(0f, (float) acc);
            }
        }
        check(got.get("fc1"), x, K);
        check(got.get("fc2"), r, H);
        double[] mean = got.get("fc1").outputMeanAbs();
        for (int o = 0; o < H; o++) {
            double e = 0;
            for (int s = 0; s < S; s++) {
                e += Math.abs(h[s * H + o]);
            }
            assertEquals(e / S, mean[o], 1e-4 * (1 + e / S), "mean |h1| of channel " + o);
        }
        Map<String, InputMoments> normsOnly = LayerInputs.collect(m, layers, false, d, LayerInputs.DEFAULT_BUDGET, null, null);
        assertNull(normsOnly.get("fc1").xtx());
        assertEquals(got.get("fc2").sumSquares()[3], normsOnly.get("fc2").sumSquares()[3], 1e-9);
    }

    @Test
    void cancelStopsCollection() {
        OnnxModel m = QuantModels.load(QuantModels.mlp(K, H, 4, 7, 13));
        CalibrationData d = CalibrationData.single("x", Input.floats(new long[] {S, K}, QuantModels.random(5, S * K, 1)), 8);
        assertThrows(CancellationException.class,
                () -> LayerInputs.collect(m, m.graph().weightLayers(), true, d, LayerInputs.DEFAULT_BUDGET, null, () -> true));
    }

    private static void check(InputMoments got, float[] x, int k) {
        assertEquals(S, got.rows());
        for (int i = 0; i < k; i++) {
            double m = 0;
            for (int s = 0; s < S; s++) {
                m += x[s * k + i];
            }
            assertEquals(m / S, got.means()[i], 1e-6 * (1 + Math.abs(m / S)), "mean of input feature " + i);
            double max = 0;
            for (int s = 0; s < S; s++) {
                max = Math.max(max, Math.abs(x[s * k + i]));
            }
            assertEquals(max, got.maxAbs()[i], 1e-6 * (1 + max), "max |x| of input feature " + i);
        }
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                double e = 0;
                for (int s = 0; s < S; s++) {
                    e += (double) x[s * k + i] * x[s * k + j];
                }
                // Float accumulation within a batch of 8 rows: relative 1e-5 of the diagonal scale.
                assertEquals(e, got.xtx()[i * k + j], 1e-5 * (1 + Math.abs(e)) + 1e-4, "XtX[" + i + "," + j + "]");
                if (i == j) {
                    assertEquals(e, got.sumSquares()[i], 1e-6 * (1 + e), "sum of squares " + i);
                }
            }
        }
    }
}
