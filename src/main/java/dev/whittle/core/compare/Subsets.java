package dev.whittle.core.compare;

import dev.whittle.core.eval.Dataset;
import dev.whittle.core.eval.HostTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.LinkedHashMap;

import java.util.Map;
import java.util.Random;

/** Seeded random subsets of a dataset: the quick runs of auto-evaluate see the same samples every time. */
public final class Subsets {
    private Subsets() {
    }

    /**
     * {@code n} samples drawn without replacement with {@code seed}, kept in their original order
     * (inputs and labels alike); the whole set when it has at most {@code n}.
     */
    public static Dataset seeded(Dataset d, long n, long seed) {
        long total = d.samples();
        if (n >= total) {
            return d;
        }
        int[] rows = pick((int) total, (int) n, seed);
        Map<String, HostTensor> in = new LinkedHashMap<>();
        d.inputs().forEach((k, v) -> in.put(k, gather(v, rows)));
        return new Dataset(in, d.labels() == null ? null : gather(d.labels(), rows),
                d.description() + " (" + n + " random samples, seed " + seed + ")", d.notes());
    }

    /** {@code n} distinct indices of 0..total-1, ascending (a partial Fisher-Yates shuffle). */
    static int[] pick(int total, int n, long seed) {
        int[] all = new int[total];
        for (int i = 0; i < total; i++) {
            all[i] = i;
        }
        Random r = new Random(seed);
        for (int i = 0; i < n; i++) {
            int j = i + r.nextInt(total - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        int[] out = Arrays.copyOf(all, n);
        Arrays.sort(out);
        return out;
    }

    private static HostTensor gather(HostTensor t, int[] rows) {
        long[] shape = t.shape().clone();
        long perRow = t.rows(0, 1).bytes().remaining();
        shape[0] = rows.length;
        ByteBuffer out = ByteBuffer.allocateDirect(Math.toIntExact(perRow * rows.length)).order(ByteOrder.LITTLE_ENDIAN);
        for (int r : rows) {
            out.put(t.rows(r, r + 1).bytes());
        }
        out.flip();
        return new HostTensor(t.type(), shape, out);
    }

}
