package dev.whittle.core.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The radix select against the rule it implements, computed by a full sort of (|w|, position). */
class MagnitudeTest {
    /** The reference: sort every (|w| bits, index) key, zero the first k. */
    private static float[] bySort(float[] w, int k) {
        float[] out = w.clone();
        long[] keys = new long[w.length];
        for (int i = 0; i < w.length; i++) {
            keys[i] = ((long) Float.floatToRawIntBits(Math.abs(w[i])) << 32) | i;
        }
        Arrays.sort(keys);
        for (int j = 0; j < Math.min(k, w.length); j++) {
            out[(int) keys[j]] = 0f;
        }
        return out;
    }

    @Test
    void radixSelectZeroesExactlyWhatTheSortedRankingZeroes() {
        SplittableRandom r = new SplittableRandom(3);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + r.nextInt(3000);
            float[] w = new float[n];
            int kind = trial % 4;
            for (int i = 0; i < n; i++) {
                w[i] = switch (kind) {
                    case 0 -> (float) r.nextGaussian();
                    // few distinct values: many ties, including across signs and at zero
                    case 1 -> (r.nextInt(7) - 3) * 0.25f;
                    // values differing only in the low mantissa bits (same high 16 bits)
                    case 2 -> Float.intBitsToFloat(0x3f800000 + r.nextInt(50)) * (r.nextBoolean() ? 1 : -1);
                    default -> r.nextInt(10) == 0 ? 0f : (float) (r.nextGaussian() * 1e-30);
                };
            }
            int k = r.nextInt(n + 2);
            float[] mine = w.clone();
            Magnitude.zeroSmallest(mine, k);
            assertArrayEquals(bySort(w, k), mine, "trial " + trial + " (n " + n + ", k " + k + ")");
        }
    }

    @Test
    void kthSmallestIsTheSortedValue() {
        float[] w = {3f, -1f, 2f, -2f, 0.5f, 2f};
        float[] sorted = {0.5f, 1f, 2f, 2f, 2f, 3f};
        for (int rank = 0; rank < w.length; rank++) {
            assertEquals(sorted[rank], Float.intBitsToFloat(Magnitude.kthSmallestBits(w, rank)), "rank " + rank);
        }
    }
}
