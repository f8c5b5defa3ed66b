package dev.whittle.core.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.testing.QuantModels;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CalibratorsTest {
    static ActivationHistogram of(float[]... batches) {
        ActivationHistogram h = new ActivationHistogram();
        for (float[] b : batches) {
            h.add(FloatBuffer.wrap(b));
        }
        return h;
    }

    @Test
    void growingTheRangeMergesBinsExactly() {
        float[] a = QuantModels.random(1, 5000, 0.2);
        a[0] = 1f;
        float[] b = QuantModels.random(2, 5000, 0.8);
        b[0] = 3.5f;
        ActivationHistogram grown = of(a, b);
        assertEquals(4 * (1 + 0x1p-20), grown.range(), 0);
        // The same values binned at once over [-4, 4] (one extra value pins the range).
        float[] all = new float[10001];
        System.arraycopy(a, 0, all, 0, 5000);
        System.arraycopy(b, 0, all, 5000, 5000);
        all[10000] = 4f;
        long[] direct = of(all).counts();
        direct[ActivationHistogram.BINS - 1]--;
        assertArrayEquals(direct, grown.counts());
        assertEquals(10000, grown.count());
        assertEquals(3.5f, grown.max());
    }

    @Test
    void percentileMatchesTheSortedDataWithinOneBin() {
        float[] x = QuantModels.random(3, 100_000, 1.0);
        ActivationHistogram h = of(Arrays.copyOfRange(x, 0, 50_000), Arrays.copyOfRange(x, 50_000, 100_000));
        float[] abs = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            abs[i] = Math.abs(x[i]);
        }
        Arrays.sort(abs);
        double exact = abs[(int) Math.ceil(0.999 * abs.length) - 1];
        double[] r = Calibrators.range(h, new Calibration.Percentile(99.9), 8, true);
        assertEquals(exact, r[1], h.binWidth());
        assertEquals(-r[1], r[0], 0);
        float[] sorted = x.clone();
        Arrays.sort(sorted);
        double[] asym = Calibrators.range(h, new Calibration.Percentile(99), 8, false);
        assertEquals(sorted[(int) (0.01 * x.length)], asym[0], 2 * h.binWidth());
        assertEquals(sorted[(int) (0.99 * x.length)], asym[1], 2 * h.binWidth());
    }

    @Test
    void entropyAndMseClipLongTailsButKeepCompactData() {
        float[] gauss = QuantModels.random(4, 200_000, 1.0);
        for (int i = 0; i < 20; i++) {
            gauss[i] = 40f + i;
        }
        ActivationHistogram tailed = of(gauss);
        double[] e = Calibrators.range(tailed, Calibration.ENTROPY, 8, true);
        assertTrue(e[1] > 3 && e[1] < 20, "entropy threshold " + e[1]);
        // At 4 bits the squared-error optimum for a unit Gaussian clips near 2.5 sigma.
        ActivationHistogram g = of(QuantModels.random(5, 200_000, 1.0));
        double[] m = Calibrators.range(g, Calibration.MSE, 4, true);
        assertTrue(m[1] > 2 && m[1] < 3.2, "mse threshold " + m[1]);

        float[] uniform = new float[100_000];
        for (int i = 0; i < uniform.length; i++) {
            uniform[i] = (i % 1000) / 1000f;
        }
        ActivationHistogram u = of(uniform);
        double[] eu = Calibrators.range(u, Calibration.ENTROPY, 8, false);
        double[] mu = Calibrators.range(u, Calibration.MSE, 8, false);
        assertEquals(0, eu[0], 0);
        assertTrue(eu[1] > 0.9, "uniform data keeps its range under entropy: " + eu[1]);
        assertTrue(mu[1] > 0.95, "uniform data keeps its range under mse: " + mu[1]);
    }

    @Test
    void everyCalibratorStaysInsideTheObservedRange() {
        float[] x = QuantModels.random(8, 10_000, 2.0);
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.max(x[i], -0.5f);
        }
        ActivationHistogram h = of(x);
        for (Calibration c : new Calibration[] {Calibration.MINMAX, new Calibration.Percentile(99.99), Calibration.ENTROPY, Calibration.MSE}) {
            for (boolean sym : new boolean[] {true, false}) {
                double[] r = Calibrators.range(h, c, 8, sym);
                assertTrue(r[0] >= h.min() && r[1] <= h.max() && r[0] < r[1], c + " " + sym + " " + Arrays.toString(r));
            }
        }
    }

    @Test
    void allZeroActivationsGiveAZeroRange() {
        ActivationHistogram h = of(new float[100], new float[50]);
        assertEquals(150, h.count());
        assertArrayEquals(new double[] {0, 0}, Calibrators.range(h, Calibration.ENTROPY, 8, false));
    }
}
