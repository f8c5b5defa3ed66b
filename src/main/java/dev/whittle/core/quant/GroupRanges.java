package dev.whittle.core.quant;

/**
 * Minimum and maximum of each group of a weight (NaN and infinite values ignored; a group with
 * no finite value has min = max = 0).
 */
public record GroupRanges(float[] min, float[] max) {
    static GroupRanges of(float[] w, Grouping g) {
        int groups = g.groups();
        float[] min = new float[groups];
        float[] max = new float[groups];
        java.util.Arrays.fill(min, Float.POSITIVE_INFINITY);
        java.util.Arrays.fill(max, Float.NEGATIVE_INFINITY);
        int idx = 0;
        int inner = g.inner();
        int block = g.block();
        for (int o = 0; o < g.outer(); o++) {
            for (int k = 0; k < g.d(); k++) {
                int base = (int) (o * g.so() + (k / block) * g.sk());
                if (g.si() == 0) {
                    float lo = min[base];
                    float hi = max[base];
                    for (int i = 0; i < inner; i++) {
                        float v = w[idx++];
                        if (Math.abs(v) <= Float.MAX_VALUE) {
                            lo = Math.min(lo, v);
                            hi = Math.max(hi, v);
                        }
                    }
                    min[base] = lo;
                    max[base] = hi;
                } else {
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
        for (int i = 0; i < groups; i++) {
            if (min[i] > max[i]) {
                min[i] = 0;
                max[i] = 0;
            }
        }
        return new GroupRanges(min, max);
    }
}
