package dev.whittle.core.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.BadInputException;
import dev.whittle.core.model.DataType;
import dev.whittle.core.model.Storage;
import dev.whittle.core.model.TensorData;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Checks every statistic against a plain, obviously-correct computation over the same values. */
class WeightStatisticsTest {
    static TensorData floats(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        var fb = b.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        return new TensorData("w", DataType.FLOAT, new long[] {v.length}, Storage.INITIALIZER, b,
                (s, dst, off, len) -> fb.get((int) s, dst, off, len));
    }

    static float[] sample(int n, long seed, double mean, double std) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (mean + r.nextGaussian() * std);
        }
        return v;
    }

    /** Exact figures, computed the plain way: sort, two-pass variance in double. */
    record Reference(double min, double max, double mean, double std, long zeros, long nans, long infs,
                     float[] sortedAbs, float[] finite) {
        static Reference of(float[] v) {
            float[] fin = new float[v.length];
            int n = 0;
            long zeros = 0;
            long nans = 0;
            long infs = 0;
            for (float x : v) {
                if (Float.isNaN(x)) {
                    nans++;
                } else if (Float.isInfinite(x)) {
                    infs++;
                } else {
                    fin[n++] = x;
                    if (x == 0) {
                        zeros++;
                    }
                }
            }
            fin = Arrays.copyOf(fin, n);
            double sum = 0;
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (float x : fin) {
                sum += x;
                min = Math.min(min, x);
                max = Math.max(max, x);
            }
            double mean = sum / n;
            double sq = 0;
            for (float x : fin) {
                sq += (x - mean) * (x - mean);
            }
            float[] abs = new float[n];
            for (int i = 0; i < n; i++) {
                abs[i] = Math.abs(fin[i]);
            }
            Arrays.sort(abs);
            return new Reference(min, max, mean, Math.sqrt(sq / n), zeros, nans, infs, abs, fin);
        }

        double percentile(double p) {
            int rank = (int) Math.max(1, Math.ceil(p / 100 * sortedAbs.length));
            return sortedAbs[rank - 1];
        }
    }

    private static void assertMatches(float[] v, WeightStats s) {
        Reference ref = Reference.of(v);
        assertEquals(v.length, s.count());
        assertEquals(ref.finite.length, s.finite());
        assertEquals(ref.min, s.min(), 0);
        assertEquals(ref.max, s.max(), 0);
        assertEquals(ref.mean, s.mean(), 1e-9 * Math.max(1, Math.abs(ref.mean)) + 1e-7 * ref.std);
        assertEquals(ref.std, s.std(), 1e-6 * ref.std);
        assertEquals(ref.zeros, s.zeros());
        assertEquals(ref.nans, s.nans());
        assertEquals(ref.infs, s.infs());
        for (double p : WeightStats.PERCENTS) {
            double want = ref.percentile(p);
            double got = s.absPercentiles().get(p);
            // The fine histogram resolves a value to 2^-10 of itself.
            assertEquals(want, got, want * 0x1p-10 + 1e-30, "p" + p);
        }
        assertHistogramNearExact(ref.finite, s.histogram());
        assertEquals(ref.finite.length, s.histogram().total());
        assertEquals(ref.finite.length, s.logHistogram().total());
        assertEquals(ref.zeros, s.logHistogram().zeros());
    }

    /** Bin counts may differ from exact binning only by values within 2^-10 (relative) of an edge. */
    private static void assertHistogramNearExact(float[] fin, Histogram h) {
        long[] exact = new long[h.bins()];
        long nearEdge = 0;
        double scale = h.bins() / (h.hi() - h.lo());
        for (float x : fin) {
            double pos = (x - h.lo()) * scale;
            int b = Math.min(Math.max((int) pos, 0), h.bins() - 1);
            exact[b]++;
            double toEdge = Math.min(pos - Math.floor(pos), Math.ceil(pos) - pos) / scale;
            if (toEdge <= Math.abs(x) * 0x1p-9) {
                nearEdge++;
            }
        }
        long diff = 0;
        for (int i = 0; i < exact.length; i++) {
            diff += Math.abs(exact[i] - h.counts()[i]);
        }
        assertTrue(diff <= 2 * nearEdge, "histogram off by " + diff + " with " + nearEdge + " values near edges");
    }

    @Test
    void gaussianWeightsMatchThePlainComputation() {
        float[] v = sample(300_000, 1, 0.001, 0.05);
        assertMatches(v, WeightStatistics.compute(floats(v), 64));
    }

    @Test
    void valuesCrowdedFarFromZeroGetExactBinsAndAccurateStd() {
        float[] v = sample(200_000, 2, 1000, 0.01);
        WeightStats s = WeightStatistics.compute(floats(v), 50);
        assertMatches(v, s);
        long[] exact = new long[50];
        Histogram h = s.histogram();
        for (float x : v) {
            exact[Math.min((int) ((x - h.lo()) / h.binWidth()), 49)]++;
        }
        assertEquals(Arrays.toString(exact), Arrays.toString(h.counts()));
    }

    @Test
    void nanAndInfinityAreCountedAndLeftOutOfEverythingElse() {
        float[] v = sample(150_000, 3, 0, 1);
        v[5] = Float.NaN;
        v[70_000] = Float.POSITIVE_INFINITY;
        v[70_001] = Float.NEGATIVE_INFINITY;
        v[149_999] = Float.NaN;
        WeightStats s = WeightStatistics.compute(floats(v), 32);
        assertEquals(2, s.nans());
        assertEquals(2, s.infs());
        assertMatches(v, s);
    }

    @Test
    void zerosAndNegativeZerosAreCountedExactlyBesideTinySubnormals() {
        float[] v = sample(100_000, 4, 0, 0.1);
        for (int i = 0; i < v.length; i += 3) {
            v[i] = 0f;
        }
        v[1] = -0f;
        v[2] = Float.MIN_VALUE;
        v[4] = -Float.MIN_VALUE * 7;
        WeightStats s = WeightStatistics.compute(floats(v), 16);
        assertMatches(v, s);
        assertEquals(Reference.of(v).zeros, s.zeros());
        assertEquals((double) s.zeros() / v.length, s.zeroFraction(), 0);
    }

    @Test
    void allZeroTensorHasZeroSpreadAndEmptyLogHistogram() {
        float[] v = new float[1000];
        WeightStats s = WeightStatistics.compute(floats(v), 10);
        assertEquals(0, s.min());
        assertEquals(0, s.max());
        assertEquals(0, s.std());
        assertEquals(1.0, s.zeroFraction());
        assertEquals(1000, s.logHistogram().zeros());
        assertEquals(0, s.absPercentiles().get(99.0));
    }

    @Test
    void splittingOverThreadsGivesTheSameFigures() {
        float[] v = sample(5_000_000, 5, -0.02, 0.3);
        WeightStats one = WeightStatistics.compute(floats(v), 100, 1);
        WeightStats many = WeightStatistics.compute(floats(v), 100, 4);
        assertEquals(one.min(), many.min(), 0);
        assertEquals(one.max(), many.max(), 0);
        assertEquals(one.mean(), many.mean(), 1e-12);
        assertEquals(one.std(), many.std(), 1e-9);
        assertEquals(Arrays.toString(one.histogram().counts()), Arrays.toString(many.histogram().counts()));
        assertEquals(one.absPercentiles(), many.absPercentiles());
        assertMatches(v, many);
    }

    @Test
    void logHistogramBinsMagnitudesOnALog10Scale() {
        float[] v = {2e-4f, -2e-3f, 2e-2f, 0.2f, -1f, 0f};
        WeightStats s = WeightStatistics.compute(floats(v), 4);
        Histogram h = s.logHistogram();
        assertEquals(Math.log10(2e-4f), h.lo(), 5e-4);
        assertEquals(0, h.hi(), 1e-6);
        assertEquals("[1, 1, 1, 2]", Arrays.toString(h.counts()));
        assertEquals(1, h.zeros());
    }

    @Test
    void integerTensorsAreSummarizedAsTheirValues() {
        byte[] raw = {-128, -1, 0, 0, 5, 127};
        ByteBuffer b = ByteBuffer.wrap(raw);
        TensorData t = new TensorData("q", DataType.INT8, new long[] {6}, Storage.INITIALIZER, b,
                (s, dst, off, len) -> {
                    for (int i = 0; i < len; i++) {
                        dst[off + i] = raw[(int) s + i];
                    }
                });
        WeightStats s = WeightStatistics.compute(t, 8);
        assertEquals(-128, s.min());
        assertEquals(127, s.max());
        assertEquals(2, s.zeros());
        assertEquals(3.0 / 6 * 0 + (-128 - 1 + 5 + 127) / 6.0, s.mean(), 1e-12);
    }

    @Test
    void badBinCountIsRejectedWithTheValue() {
        var e = assertThrows(BadInputException.class, () -> WeightStatistics.compute(floats(new float[3]), 0));
        assertTrue(e.getMessage().contains("got 0"));
    }
}
