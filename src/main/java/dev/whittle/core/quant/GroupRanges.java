package dev.whittle.core.quant;

import java.util.Arrays;

/**
 * Minimum and maximum of each group of a weight (NaN and infinite values ignored; a group with
 * no finite value has min = max = 0).
 */
public record GroupRanges(float[] min, float[] max) {
    /** One pass over {@code w} (row-major), group indices worked out per run, not per element. */
    static GroupRanges of(float[] w, Grouping g) {
        int groups = g.groups();
        float[] min = new float[groups];
        float[] max = new float[groups];
        Arrays.fill(min, Float.POSITIVE_INFINITY);
        Arrays.fill(max, Float.NEGATIVE_INFINITY);
        int idx = 0;
        int inner = g.inner();
        int d = g.d();
        int block = g.block();
        for (int o = 0; o < g.outer(); o++) {
            for (int k0 = 0, kb = 0; k0 < d; k0 += block, kb++) {
                int base = (int) (o * g.so() + kb * g.sk());
                int run = (int) Math.min(block, (long) d - k0) * inner; // elements of this block, contiguous
                if (g.si() == 0) {
                    float lo = min[base];
                    float hi = max[base];
                    for (int end = idx + run; idx < end; idx++) {
                        float v = w[idx];
                        if (Math.abs(v) <= Float.MAX_VALUE) {
                            lo = Math.min(lo, v);
                            hi = Math.max(hi, v);
                        }
                    }
                    min[base] = lo;
                    max[base] = hi;
                } else {
                    for (int k = 0; k * inner < run; k++) {
                        for (int i = 0; i < inner; i++) {
                            float v = w[idx++];
                            if (Math.abs(v) <= Float.MAX_VALUE) {
                                int gi = base + i;
                                min[gi] = Math.min(min[gi], v);
                                max[gi] = Math.max(max[gi], v);
                            }
                        }
                    }
                }
            }
        }
        return finish(min, max);
    }

    /**
     * The ranges of the block grouping {@code coarse} from those of {@code fine}, a block grouping
     * of the same weight along the same axis whose block divides {@code coarse}'s: each coarse
     * block is a run of whole fine blocks, so its range is theirs merged (no pass over the weight).
     * Exact when every fine group holds a finite value, as {@link WeightAnalysis} ensures.
     */
    static GroupRanges coarsen(GroupRanges fine, Grouping f, Grouping coarse) {
        if (!nests(f, coarse)) {
            throw new IllegalArgumentException(f + " does not nest in " + coarse);
        }
        int ratio = coarse.block() / f.block();
        int inner = f.inner();
        int fineBlocks = f.blocksAlongAxis();
        int coarseBlocks = coarse.blocksAlongAxis();
        float[] min = new float[coarse.groups()];
        float[] max = new float[coarse.groups()];
        Arrays.fill(min, Float.POSITIVE_INFINITY);
        Arrays.fill(max, Float.NEGATIVE_INFINITY);
        for (int o = 0; o < f.outer(); o++) {
            for (int kb = 0; kb < fineBlocks; kb++) {
                int from = (o * fineBlocks + kb) * inner;
                int to = (o * coarseBlocks + kb / ratio) * inner;
                for (int i = 0; i < inner; i++) {
                    min[to + i] = Math.min(min[to + i], fine.min[from + i]);
                    max[to + i] = Math.max(max[to + i], fine.max[from + i]);
                }
            }
        }
        return finish(min, max);
    }

    /** Whether {@link #coarsen} can derive {@code coarse} from {@code fine}. */
    static boolean nests(Grouping fine, Grouping coarse) {
        return fine.granularity() == Granularity.BLOCK && coarse.granularity() == Granularity.BLOCK
                && fine.axis() == coarse.axis() && Arrays.equals(fine.dims(), coarse.dims())
                && fine.d() == coarse.d() && coarse.block() % fine.block() == 0;
    }

    private static GroupRanges finish(float[] min, float[] max) {
        for (int i = 0; i < min.length; i++) {
            if (min[i] > max[i]) {
                min[i] = 0;
                max[i] = 0;
            }
        }
        return new GroupRanges(min, max);
    }
}
