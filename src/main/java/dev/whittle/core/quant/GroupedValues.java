package dev.whittle.core.quant;

/**
 * A weight's values reordered so that group g occupies {@code values[start[g] .. start[g+1])},
 * in the order the elements appear in the tensor. Used by range choices that look at a whole
 * group at once (percentile, MSE search).
 */
public record GroupedValues(float[] values, int[] start) {
    static GroupedValues of(float[] w, Grouping g) {
        int groups = g.groups();
        int[] count = new int[groups + 1];
        forEach(g, (idx, gi) -> count[gi + 1]++);
        for (int i = 0; i < groups; i++) {
            count[i + 1] += count[i];
        }
        int[] start = count.clone();
        int[] cursor = count.clone();
        float[] out = new float[w.length];
        forEach(g, (idx, gi) -> out[cursor[gi]++] = w[idx]);
        return new GroupedValues(out, start);
    }

    public int size(int group) {
        return start[group + 1] - start[group];
    }

    @FunctionalInterface
    private interface Visitor {
        void visit(int index, int group);
    }

    private static void forEach(Grouping g, Visitor v) {
        int idx = 0;
        for (int o = 0; o < g.outer(); o++) {
            for (int k = 0; k < g.d(); k++) {
                long base = o * g.so() + (k / g.block()) * g.sk();
                for (int i = 0; i < g.inner(); i++) {
                    v.visit(idx++, (int) (base + i * g.si()));
                }
            }
        }
    }
}
