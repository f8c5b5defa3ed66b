package dev.whittle.core.preview;

import dev.whittle.core.BadInputException;
import dev.whittle.core.job.CancelToken;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.quant.Granularity;
import dev.whittle.core.quant.GroupRanges;
import dev.whittle.core.quant.Grouping;
import dev.whittle.core.quant.OpRules;
import dev.whittle.core.quant.WeightAnalysis;
import dev.whittle.core.quant.WeightSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Computes {@link LayerFacts}: a few passes over one copy of the weight, dropped at the end. */
final class FactsBuilder {
    private static final long SEED = 0x5EED_F4C7L;

    private FactsBuilder() {
    }

    static LayerFacts build(WeightLayer layer, CancelToken cancel) {
        if (layer.quantized()) {
            throw new BadInputException("Layer '" + layer.node() + "' is already quantized; previews need float weights.");
        }
        float[] w = layer.tensor().toFloatArray();
        WeightAnalysis a = WeightAnalysis.of(layer, w); // rejects NaN and infinite weights
        cancel.throwIfCancelled();
        int n = w.length;
        int[] keys = new int[LayerFacts.KEYS];
        long zeros = 0;
        double sum2 = 0;
        float min = n == 0 ? 0 : Float.POSITIVE_INFINITY;
        float max = n == 0 ? 0 : Float.NEGATIVE_INFINITY;
        for (float v : w) {
            int bits = Float.floatToRawIntBits(v) & 0x7fffffff;
            keys[bits >>> LayerFacts.SHIFT]++;
            if (bits == 0) {
                zeros++;
            }
            sum2 += (double) v * v;
            if (v < min) {
                min = v;
            }
            if (v > max) {
                max = v;
            }
        }
        cancel.throwIfCancelled();
        List<Grouping> groupings = new ArrayList<>();
        groupings.add(a.grouping(WeightSpec.of(8, Granularity.TENSOR)));
        Grouping ch = a.grouping(WeightSpec.of(8, Granularity.CHANNEL));
        groupings.add(ch);
        if (layer.shape().length > 0 && OpRules.inputAxis(layer) >= 0) {
            for (int b : LayerFacts.BLOCKS) {
                groupings.add(a.grouping(WeightSpec.blocks(8, b)));
            }
        }
        Map<Grouping, GroupRanges> ranges = new LinkedHashMap<>();
        Map<Grouping, LayerFacts.Sample> samples = new LinkedHashMap<>();
        boolean small = n <= LayerFacts.KEEP_ALL;
        int cut = small ? 0 : tailCut(keys);
        int[] tail = small ? null : tailIndices(w, keys, cut);
        LayerFacts.Sample all = small ? LayerFacts.Sample.all(w.clone()) : null;
        for (Grouping g : groupings) {
            cancel.throwIfCancelled();
            GroupRanges r = a.ranges(g);
            ranges.put(g, r);
            samples.put(g, small ? all : sample(w, g, r, tail, cut));
        }
        double[][] norms = norms(w, ch);
        return new LayerFacts(layer, n, zeros, sum2, min, max, keys, samples, ranges, norms[0], norms[1]);
    }

    /** The lowest |w| bucket of the tail: buckets from it up hold at most TAIL values. */
    private static int tailCut(int[] keys) {
        long cum = 0;
        int cut = keys.length;
        while (cut > 0 && cum + keys[cut - 1] <= LayerFacts.TAIL) {
            cum += keys[--cut];
        }
        return cut;
    }

    private static boolean inTail(float v, int cut) {
        return (Float.floatToRawIntBits(v) & 0x7fffffff) >>> LayerFacts.SHIFT >= cut;
    }

    /** Indices of the weights in buckets {@code cut} and up: one pass, the count read off the bucket counts. */
    private static int[] tailIndices(float[] w, int[] keys, int cut) {
        int count = 0;
        for (int b = cut; b < keys.length; b++) {
            count += keys[b];
        }
        int[] out = new int[count];
        for (int i = 0, t = 0; t < count; i++) {
            if (inTail(w[i], cut)) {
                out[t++] = i;
            }
        }
        return out;
    }

    /**
     * The tail exactly, then SAMPLE draws among the other weights: a group with probability
     * proportional to max|w|^2 x size, then an element of it uniformly (tail elements redrawn).
     */
    private static LayerFacts.Sample sample(float[] w, Grouping g, GroupRanges r, int[] tail, int cut) {
        int groups = g.groups();
        double[] cum = new double[groups];
        double total = 0;
        for (int i = 0; i < groups; i++) {
            double m = Math.max(Math.abs(r.min()[i]), Math.abs(r.max()[i]));
            total += m * m * QuantEstimate.groupSize(g, i);
            cum[i] = total;
        }
        int span = g.d() * g.inner();
        double tailMass = 0;
        for (int t : tail) {
            int gi = QuantEstimate.groupOf(g, t, span);
            double m = Math.max(Math.abs(r.min()[gi]), Math.abs(r.max()[gi]));
            tailMass += m * m;
        }
        double population = total - tailMass;
        int s = LayerFacts.SAMPLE;
        int[] idx = Arrays.copyOf(tail, tail.length + s);
        float[] val = new float[idx.length];
        float[] wt = new float[idx.length];
        for (int i = 0; i < tail.length; i++) {
            val[i] = w[tail[i]];
            wt[i] = 1;
        }
        SplittableRandom rnd = new SplittableRandom(SEED ^ groups);
        boolean uniform = !(population > 0);
        for (int j = tail.length; j < idx.length; ) {
            int el;
            int gi;
            if (uniform) {
                el = rnd.nextInt(w.length);
                gi = -1;
            } else {
                gi = Arrays.binarySearch(cum, rnd.nextDouble() * total);
                gi = gi < 0 ? -gi - 1 : gi;
                gi = Math.min(gi, groups - 1);
                el = element(g, gi, rnd);
            }
            if (inTail(w[el], cut)) {
                continue;
            }
            idx[j] = el;
            val[j] = w[el];
            if (uniform) {
                wt[j] = (float) ((double) (w.length - tail.length) / s);
            } else {
                double m = Math.max(Math.abs(r.min()[gi]), Math.abs(r.max()[gi]));
                wt[j] = (float) (population / (s * m * m));
            }
            j++;
        }
        return new LayerFacts.Sample(idx, val, wt, tail.length);
    }

    /** A uniformly random element of group {@code gi}, as a row-major index. */
    private static int element(Grouping g, int gi, SplittableRandom rnd) {
        int d = g.d();
        int inner = g.inner();
        switch (g.granularity()) {
            case TENSOR:
                return rnd.nextInt(g.size());
            case CHANNEL: {
                int o = rnd.nextInt(g.outer());
                int i = rnd.nextInt(inner);
                return (o * d + gi) * inner + i;
            }
            default: {
                int so = (int) g.so();
                int o = gi / so;
                int rem = gi - o * so;
                int kb = rem / inner;
                int i = rem - kb * inner;
                int size = (int) Math.min(g.block(), d - (long) kb * g.block());
                int k = kb * g.block() + rnd.nextInt(size);
                return (o * d + k) * inner + i;
            }
        }
    }

    /** L1 and L2 norm of each output channel. */
    private static double[][] norms(float[] w, Grouping ch) {
        double[] l1 = new double[ch.groups()];
        double[] l2 = new double[ch.groups()];
        int idx = 0;
        for (int o = 0; o < ch.outer(); o++) {
            for (int k = 0; k < ch.d(); k++) {
                double s1 = 0;
                double s2 = 0;
                for (int i = 0; i < ch.inner(); i++) {
                    float v = w[idx++];
                    s1 += Math.abs(v);
                    s2 += (double) v * v;
                }
                l1[k] += s1;
                l2[k] += s2;
            }
        }
        for (int k = 0; k < l2.length; k++) {
            l2[k] = Math.sqrt(l2[k]);
        }
        return new double[][] {l1, l2};
    }
}
