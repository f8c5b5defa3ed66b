package dev.whittle.core.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.whittle.core.BadInputException;
import dev.whittle.core.eval.ActivationCollector.Input;
import dev.whittle.core.lowrank.LowRank;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.testing.QuantModels;
import org.junit.jupiter.api.Test;

/**
 * The whitened spectrum's energy is ‖R·W‖² = Σ_rows ‖x·W‖² + λ‖W‖² (RᵀR = XᵀX + λI): checked
 * against that sum computed by plain loops over the inputs, for a Gemm whose weight is stored
 * [out, in] (transB), so a wrong orientation would not match.
 */
class WhitenedSpectrumTest {
    @Test
    void itsEnergyIsTheLayersOutputEnergyOnTheCalibrationData() {
        int k = 12;
        int h = 9;
        int s = 40;
        OnnxModel m = QuantModels.load(QuantModels.mlp(k, h, 4, 7, 13));
        float[] x = QuantModels.random(5, s * k, 1);
        CalibrationData d = CalibrationData.single("x", Input.floats(new long[] {s, k}, x), 8);
        WeightLayer fc1 = m.graph().layer("fc1").orElseThrow();
        float[] sigma = WhitenedSpectrum.of(m, fc1, d, null, null);
        assertEquals(Math.min(k, h), sigma.length);
        float[] w = fc1.tensor().toFloatArray(); // [h, k]
        // fc1 is a Gemm with a bias, so the whitening is around the input's mean (the bias takes the mean):
        // the energy is that of the output's variation, sum over rows of |(x - mean) W|^2.
        double[] mean = new double[k];
        for (int r = 0; r < s; r++) {
            for (int j = 0; j < k; j++) {
                mean[j] += x[r * k + j] / (double) s;
            }
        }
        double out = 0;
        double diag = 0;
        for (int r = 0; r < s; r++) {
            for (int o = 0; o < h; o++) {
                double y = 0;
                for (int j = 0; j < k; j++) {
                    y += (x[r * k + j] - mean[j]) * w[o * k + j];
                }
                out += y * y;
            }
            for (int j = 0; j < k; j++) {
                diag += (x[r * k + j] - mean[j]) * (x[r * k + j] - mean[j]);
            }
        }
        double lambda = LowRank.WHITEN_DAMP * diag / k;
        double wNorm = 0;
        for (float v : w) {
            wNorm += (double) v * v;
        }
        double energy = 0;
        for (float v : sigma) {
            energy += (double) v * v;
        }
        assertEquals(out + lambda * wNorm, energy, 1e-4 * energy);
        for (int i = 1; i < sigma.length; i++) {
            assertEquals(true, sigma[i] <= sigma[i - 1], "descending");
        }
    }

    @Test
    void aLayerWithoutStatisticsSaysWhy() {
        WeightLayer fc1 = QuantModels.load(QuantModels.mlp(12, 9, 4, 7, 13)).graph().layer("fc1").orElseThrow();
        OnnxModel other = QuantModels.load(QuantModels.mlp(12, 9, 4, 7, 13));
        CalibrationData d = CalibrationData.single("x", Input.floats(new long[] {4, 12}, QuantModels.random(5, 48, 1)), 4);
        // a layer the graph has no node for gets no statistics
        WeightLayer renamed = new WeightLayer("nope", fc1.op(), fc1.weight(), fc1.shape(), fc1.dtype(), fc1.params(),
                fc1.bytes(), fc1.storage(), fc1.axis(), fc1.quantized(), fc1.graphPath(), fc1.tensor());
        BadInputException e = assertThrows(BadInputException.class, () -> WhitenedSpectrum.of(other, renamed, d, null, null));
        assertEquals(true, e.getMessage().contains("'nope'"), e.getMessage());
    }
}
