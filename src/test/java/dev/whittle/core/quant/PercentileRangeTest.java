package dev.whittle.core.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.select.LayerSelector;
import dev.whittle.testing.QuantModels;
import dev.whittle.testing.TestModels;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 17: a percentile range clips in small groups too (interpolated), and says when it cannot have an effect. */
class PercentileRangeTest {
    @Test
    void theClipIsTheInterpolatedQuantileOfEachChannelsMagnitudes() {
        int k = 96;
        int n = 6;
        float[] w = QuantModels.random(7, k * n, 0.05);
        WeightAnalysis a = QuantTestLayers.analysis("MatMul", new long[] {k, n}, 1, w);
        double p = 99.9;
        QuantizedWeight q = WeightQuantizer.quantize(a, new WeightSpec(8, true, Granularity.CHANNEL, 0, new RangeSpec.Percentile(p)));
        for (int c = 0; c < n; c++) {
            // Independent reference: sort channel c's |w| and interpolate linearly between ranks (numpy's default).
            double[] abs = new double[k];
            for (int i = 0; i < k; i++) {
                abs[i] = Math.abs(w[i * n + c]);
            }
            Arrays.sort(abs);
            double h = p / 100 * (k - 1);
            int lo = (int) Math.floor(h);
            double expected = abs[lo] + (h - lo) * (abs[Math.min(lo + 1, k - 1)] - abs[lo]);
            // Symmetric: the clip is [-c, c] capped by the data, so c is the larger of -lo and hi.
            double clip = Math.max(-q.lo()[c], q.hi()[c]);
            assertEquals(expected, clip, 1e-6 * expected, "channel " + c);
            assertTrue(clip < abs[k - 1], "96 values per channel: 99.9% still clips below the largest");
        }
    }

    @Test
    void aPercentileThatCannotClipIsReported() {
        QuantizeSpec hundred = QuantizeSpec.weights(new WeightSpec(8, true, Granularity.CHANNEL, 0, new RangeSpec.Percentile(100)));
        QuantResult r = Quantizer.apply(TestModels.mlp(), List.of(new QuantizeStep(LayerSelector.names("fc1"), hundred)));
        assertTrue(r.report().messages().stream().anyMatch(m -> m.contains("'fc1'") && m.contains("percentile:100")
                && m.contains("no effect")), r.report().messages().toString());
        QuantizeSpec clip = QuantizeSpec.weights(new WeightSpec(8, true, Granularity.CHANNEL, 0, new RangeSpec.Percentile(99.9)));
        QuantResult c = Quantizer.apply(TestModels.mlp(), List.of(new QuantizeStep(LayerSelector.names("fc1"), clip)));
        assertTrue(c.report().messages().stream().noneMatch(m -> m.contains("no effect")), c.report().messages().toString());
    }
}
