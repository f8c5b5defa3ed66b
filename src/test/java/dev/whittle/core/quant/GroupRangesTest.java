package dev.whittle.core.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link GroupRanges} against a plain loop over {@link Grouping#groupOfElements()}. */
class GroupRangesTest {
    private static final long[][] SHAPES = {{7}, {5, 9}, {9, 5}, {3, 37, 2}, {4, 3, 3, 3}, {64, 48}, {1, 1}};

    @Test
    void everyGroupingMatchesAPlainLoopOverTheElements() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (long[] dims : SHAPES) {
            int n = (int) Arrays.stream(dims).reduce(1, (a, b) -> a * b);
            float[] w = new float[n];
            for (int i = 0; i < n; i++) {
                w[i] = (float) (rnd.nextGaussian() * (1 + i % 5));
            }
            for (int axis = 0; axis < dims.length; axis++) {
                int input = (axis + 1) % dims.length;
                check(w, Grouping.of(dims, Granularity.TENSOR, axis, input, 0));
                check(w, Grouping.of(dims, Granularity.CHANNEL, axis, input, 0));
                for (int block : new int[] {1, 2, 3, 4, 16, 32, 100}) {
                    check(w, Grouping.of(dims, Granularity.BLOCK, axis, input, block));
                }
            }
        }
    }

    @Test
    void nonFiniteValuesAreIgnoredAndAnEmptyGroupReadsZero() {
        float[] w = {Float.NaN, Float.POSITIVE_INFINITY, 3, -2, Float.NEGATIVE_INFINITY, Float.NaN};
        GroupRanges r = GroupRanges.of(w, Grouping.of(new long[] {3, 2}, Granularity.CHANNEL, 0, 1, 0));
        assertArrayEquals(new float[] {0, -2, 0}, r.min());
        assertArrayEquals(new float[] {0, 3, 0}, r.max());
    }

    @Test
    void coarseBlocksMergedFromFineOnesEqualThePassOverTheWeight() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (long[] dims : new long[][] {{70, 12}, {3, 40, 5}, {300}, {33, 17}}) {
            int n = (int) Arrays.stream(dims).reduce(1, (a, b) -> a * b);
            float[] w = new float[n];
            for (int i = 0; i < n; i++) {
                w[i] = (float) rnd.nextGaussian();
            }
            int axis = 0;
            int input = dims.length - 1;
            Grouping fine = Grouping.of(dims, Granularity.BLOCK, axis, input, 4);
            GroupRanges f = GroupRanges.of(w, fine);
            for (int block : new int[] {4, 8, 12, 16, 64, 256}) {
                Grouping coarse = Grouping.of(dims, Granularity.BLOCK, axis, input, block);
                GroupRanges c = GroupRanges.coarsen(f, fine, coarse);
                GroupRanges plain = plain(w, coarse);
                assertArrayEquals(plain.min(), c.min(), coarse.toString());
                assertArrayEquals(plain.max(), c.max(), coarse.toString());
            }
            Grouping odd = Grouping.of(dims, Granularity.BLOCK, axis, input, 6);
            assertFalse(GroupRanges.nests(fine, odd));
            assertThrows(IllegalArgumentException.class, () -> GroupRanges.coarsen(f, fine, odd));
        }
    }

    @Test
    void theAnalysisDerivesNestedBlocksAndGivesWhatAFreshPassGives() {
        long[] dims = {96, 40};
        float[] w = new float[96 * 40];
        SplittableRandom rnd = new SplittableRandom(2);
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rnd.nextGaussian();
        }
        WeightAnalysis a = QuantTestLayers.analysis("MatMul", dims, 1, w);
        GroupRanges r16 = a.ranges(a.grouping(WeightSpec.blocks(8, 16)));
        GroupRanges r32 = a.ranges(a.grouping(WeightSpec.blocks(8, 32)));
        GroupRanges fresh = GroupRanges.of(w, a.grouping(WeightSpec.blocks(8, 32)));
        assertArrayEquals(fresh.min(), r32.min());
        assertArrayEquals(fresh.max(), r32.max());
        assertArrayEquals(plain(w, a.grouping(WeightSpec.blocks(8, 16))).max(), r16.max());
    }

    private static void check(float[] w, Grouping g) {
        GroupRanges fast = GroupRanges.of(w, g);
        GroupRanges plain = plain(w, g);
        assertArrayEquals(plain.min(), fast.min(), g.toString());
        assertArrayEquals(plain.max(), fast.max(), g.toString());
    }

    /** The obvious way: the group of every element, one at a time. */
    private static GroupRanges plain(float[] w, Grouping g) {
        int[] groupOf = g.groupOfElements();
        float[] min = new float[g.groups()];
        float[] max = new float[g.groups()];
        Arrays.fill(min, Float.POSITIVE_INFINITY);
        Arrays.fill(max, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < w.length; i++) {
            if (Float.isFinite(w[i])) {
                min[groupOf[i]] = Math.min(min[groupOf[i]], w[i]);
                max[groupOf[i]] = Math.max(max[groupOf[i]], w[i]);
            }
        }
        for (int i = 0; i < min.length; i++) {
            if (min[i] > max[i]) {
                min[i] = 0;
                max[i] = 0;
            }
        }
        return new GroupRanges(min, max);
    }
}
