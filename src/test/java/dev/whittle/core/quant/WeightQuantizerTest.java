package dev.whittle.core.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.testing.FakeQuant;
import dev.whittle.testing.QuantModels;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WeightQuantizerTest {
    static WeightAnalysis matmul(int k, int n, long seed) {
        return QuantTestLayers.analysis("MatMul", new long[] {k, n}, 1, QuantModels.random(seed, k * n, 0.05));
    }

    @ParameterizedTest(name = "{0} int{1} symmetric={2}")
    @CsvSource({"tensor,8,true", "channel,8,false", "channel,4,true", "block,4,false", "block,8,true"})
    void minMaxQuantizationMovesEveryWeightByAtMostHalfAScale(String gran, int bits, boolean sym) {
        for (long seed = 1; seed <= 20; seed++) {
            Random r = new Random(seed);
            int k = 16 + r.nextInt(80);
            int n = 1 + r.nextInt(30);
            WeightAnalysis a = matmul(k, n, seed);
            QuantizedWeight q = WeightQuantizer.quantize(a, new WeightSpec(bits, sym, Granularity.parse("g", gran), 16, RangeSpec.MINMAX));
            float[] dq = q.dequantize();
            int[] group = q.grouping().groupOfElements();
            for (int i = 0; i < dq.length; i++) {
                float s = q.scales()[group[i]];
                assertTrue(Math.abs(dq[i] - a.values()[i]) <= s / 2 * (1 + 1e-6), "element " + i + " seed " + seed);
                int c = q.code(i);
                assertTrue(c >= new WeightSpec(bits, sym, Granularity.TENSOR, 0, null).qmin() && c <= (sym ? (1 << (bits - 1)) - 1 : (1 << bits) - 1));
            }
            assertEquals(0, q.clipped(), "min/max clips nothing");
        }
    }

    @ParameterizedTest(name = "{0} int{1} symmetric={2}")
    @CsvSource({"tensor,8,false", "channel,8,true", "channel,4,false", "block,4,true"})
    void dequantizedValuesEqualTheIndependentReference(String gran, int bits, boolean sym) {
        WeightAnalysis a = matmul(96, 24, 3);
        QuantizedWeight q = WeightQuantizer.quantize(a, new WeightSpec(bits, sym, Granularity.parse("g", gran), 32, RangeSpec.MINMAX));
        int axis = gran.equals("block") ? 0 : 1;
        assertArrayEquals(FakeQuant.apply(a.values(), new long[] {96, 24}, gran, axis, 32, bits, sym), q.dequantize());
    }

    @Test
    void roundingIsHalfToEvenAndAnAllZeroChannelGetsScaleOne() {
        // Channel 0 has max|w| 127, so its scale is exactly 1; channel 1 is all zeros.
        float[] w = {127f, 0f, 2.5f, 0f, 3.5f, 0f, -2.5f, 0f, -0.5f, 0f};
        WeightAnalysis a = QuantTestLayers.analysis("MatMul", new long[] {5, 2}, 1, w);
        QuantizedWeight q = WeightQuantizer.quantize(a, WeightSpec.of(8, Granularity.CHANNEL));
        assertArrayEquals(new float[] {1f, 1f}, q.scales());
        assertEquals(2, q.code(2));
        assertEquals(4, q.code(4));
        assertEquals(-2, q.code(6));
        assertEquals(0, q.code(8));
    }

    @Test
    void sqnrIsSignalOverErrorPowerOfTheDequantizedWeight() {
        WeightAnalysis a = matmul(64, 16, 9);
        QuantizedWeight q = WeightQuantizer.quantize(a, WeightSpec.of(4, Granularity.CHANNEL));
        float[] dq = q.dequantize();
        double sig = 0;
        double err = 0;
        for (int i = 0; i < dq.length; i++) {
            sig += (double) a.values()[i] * a.values()[i];
            err += (double) (a.values()[i] - dq[i]) * (a.values()[i] - dq[i]);
        }
        assertEquals(10 * Math.log10(sig / err), q.sqnrDb(), 1e-6);
    }

    @Test
    void percentileClipsAboutTheTopShareOfMagnitudes() {
        WeightAnalysis a = matmul(100, 10, 4);
        WeightSpec spec = WeightSpec.of(8, Granularity.TENSOR).withRange(new RangeSpec.Percentile(99));
        QuantizedWeight q = WeightQuantizer.quantize(a, spec);
        assertTrue(q.clipped() >= 1 && q.clipped() <= 10, "clipped " + q.clipped() + " of 1000");
        float[] sorted = new float[1000];
        for (int i = 0; i < 1000; i++) {
            sorted[i] = Math.abs(a.values()[i]);
        }
        java.util.Arrays.sort(sorted);
        // Interpolated between ranks: h = 0.99 * 999 = 989.01, between sorted[989] and sorted[990].
        double clip = sorted[989] + 0.01 * ((double) sorted[990] - sorted[989]);
        assertEquals(clip / 127, q.scales()[0], 1e-9);
    }

    @ParameterizedTest(name = "symmetric={0} bits={1}")
    @CsvSource({"true,8", "true,4", "false,4"})
    void mseRangeNeverHasMoreErrorThanMinMax(boolean sym, int bits) {
        float[] w = QuantModels.random(12, 4000, 0.02);
        w[17] = 0.9f;
        WeightAnalysis a = QuantTestLayers.analysis("MatMul", new long[] {200, 20}, 1, w);
        WeightSpec base = new WeightSpec(bits, sym, Granularity.TENSOR, 0, RangeSpec.MINMAX);
        QuantizedWeight mm = WeightQuantizer.quantize(a, base);
        QuantizedWeight mse = WeightQuantizer.quantize(a, base.withRange(RangeSpec.MSE));
        assertTrue(mse.noise() <= mm.noise(), "mse " + mse.noise() + " vs minmax " + mm.noise());
        if (bits == 4) {
            assertTrue(mse.noise() < mm.noise() * 0.5, "at 4 bits clipping the outlier pays: " + mse.noise() + " vs " + mm.noise());
            assertTrue(mse.clipped() >= 1);
        }
    }

    @Test
    void explicitRangeSetsTheScaleWhenTheDataIsWider() {
        WeightAnalysis a = matmul(50, 8, 2);
        QuantizedWeight q = WeightQuantizer.quantize(a, WeightSpec.of(8, Granularity.TENSOR).withRange(new RangeSpec.Explicit(-0.02, 0.01)));
        assertEquals(0.02f / 127, q.scales()[0], 1e-10);
        QuantizedWeight u = WeightQuantizer.quantize(a, new WeightSpec(8, false, Granularity.TENSOR, 0, new RangeSpec.Explicit(-0.02, 0.01)));
        assertEquals((float) (0.03 / 255), u.scales()[0], 1e-9);
        assertEquals(Math.rint(0.02 / u.scales()[0]), u.zeroPoints()[0]);
    }

    @Test
    void blockScalesHaveTheShapeDequantizeLinearExpects() {
        WeightAnalysis conv = QuantTestLayers.analysis("Conv", new long[] {8, 40, 3, 3}, 0, new float[8 * 40 * 9]);
        Grouping g = conv.grouping(WeightSpec.blocks(4, 16));
        assertArrayEquals(new long[] {8, 23}, g.scaleDims(), "Conv blocks cover in-channels x kernel (360 = 22.5 blocks)");
        assertEquals(1, g.axis());
        WeightAnalysis convT = QuantTestLayers.analysis("ConvTranspose", new long[] {40, 8, 3, 3}, 1, new float[8 * 40 * 9]);
        assertArrayEquals(new long[] {3, 8, 3, 3}, convT.grouping(WeightSpec.blocks(4, 16)).scaleDims());
        Grouping mm = matmul(70, 5, 1).grouping(WeightSpec.blocks(4, 32));
        assertArrayEquals(new long[] {3, 5}, mm.scaleDims());
        WeightAnalysis gemm = QuantTestLayers.analysis("Gemm", new long[] {6, 64}, 0, new float[6 * 64]);
        assertArrayEquals(new long[] {6, 2}, gemm.grouping(WeightSpec.blocks(4, 32)).scaleDims());
        assertArrayEquals(new long[] {6}, gemm.grouping(WeightSpec.of(8, Granularity.CHANNEL)).scaleDims());
    }

    @Test
    void analysisComputesGroupRangesOnceAndReusesThem() {
        WeightAnalysis a = matmul(40, 4, 5);
        Grouping g = a.grouping(WeightSpec.of(8, Granularity.CHANNEL));
        assertTrue(a.ranges(g) == a.ranges(a.grouping(WeightSpec.of(4, Granularity.CHANNEL))));
    }
}
