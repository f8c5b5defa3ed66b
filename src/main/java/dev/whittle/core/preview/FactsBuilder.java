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
import java.util.Arrays;
import java.util.LinkedHashMap;
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
        LayerFacts.requireFinite(layer, w);
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
        int[][] sample = sample(w, keys);
        int[] idx = sample[0];
        float[] val = new float[idx.length];
        float[] weight = new float[idx.length];
        int tail = sample[1][0];
        double restWeight = idx.length == tail ? 1 : (double) (n - tail) / (idx.length - tail);
        for (int i = 0; i < idx.length; i++) {
            val[i] = w[idx[i]];
            weight[i] = i < tail ? 1f : (float) restWeight;
        }
        cancel.throwIfCancelled();
        WeightAnalysis a = WeightAnalysis.of(layer, w);
        Map<Grouping, GroupRanges> ranges = new LinkedHashMap<>();
        ranges.put(a.grouping(WeightSpec.of(8, Granularity.TENSOR)), a.ranges(a.grouping(WeightSpec.of(8, Granularity.TENSOR))));
        Grouping ch = a.grouping(WeightSpec.of(8, Granularity.CHANNEL));
        ranges.put(ch, a.ranges(ch));
        if (layer.shape().length > 0 && OpRules.inputAxis(layer) >= 0) {
            for (int b : LayerFacts.BLOCKS) {
                cancel.throwIfCancelled();
                Grouping g = a.grouping(WeightSpec.blocks(8, b));
                ranges.put(g, a.ranges(g));
            }
        }
        double[][] norms = norms(w, ch);
        return new LayerFacts(layer, n, zeros, sum2, min, max, keys, idx, val, weight, ranges, norms[0], norms[1]);
    }

    /**
     * The sample: indices of the TAIL largest |w| first (those at or above the bucket where the
     * top TAIL begin), then SAMPLE random others. Returns {indices, {tail count}}; every index
     * when the layer is small.
     */
    private static int[][] sample(float[] w, int[] keys) {
        int n = w.length;
        if (n <= LayerFacts.SAMPLE + LayerFacts.TAIL) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) {
                all[i] = i;
            }
            return new int[][] {all, {n}};
        }
        long cum = 0;
        int cut = keys.length;
        while (cut > 0 && cum + keys[cut - 1] <= LayerFacts.TAIL) {
            cum += keys[--cut];
        }
        // Everything in buckets >= cut is in the tail (at most TAIL values).
        int tail = (int) cum;
        int[] out = new int[tail + LayerFacts.SAMPLE];
        int t = 0;
        for (int i = 0; i < n && t < tail; i++) {
            if ((Float.floatToRawIntBits(w[i]) & 0x7fffffff) >>> LayerFacts.SHIFT >= cut) {
                out[t++] = i;
            }
        }
        SplittableRandom rnd = new SplittableRandom(SEED);
        int s = tail;
        while (s < out.length) {
            int i = rnd.nextInt(n);
            if ((Float.floatToRawIntBits(w[i]) & 0x7fffffff) >>> LayerFacts.SHIFT < cut) {
                out[s++] = i;
            }
        }
        Arrays.sort(out, tail, out.length);
        return new int[][] {out, {tail}};
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
