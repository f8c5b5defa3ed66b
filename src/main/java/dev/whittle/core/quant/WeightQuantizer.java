package dev.whittle.core.quant;

import dev.whittle.core.model.WeightLayer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Quantizes one weight: chooses each group's clipping range ({@link RangeChoice}), derives scale
 * and zero point ({@link ScaleMath}), then computes codes, the clipped count and the squared
 * error in one pass over the tensor.
 */
public final class WeightQuantizer {
    private WeightQuantizer() {
    }

    /**
     * Quantizes several layers, spread over the cores (each layer is independent, so the result
     * does not depend on the scheduling). Analyses are taken from / put into {@code cache},
     * keyed by node name; the cache is only touched from the calling thread. A null cache keeps
     * none: each analysis is dropped once its layer is quantized.
     */
    public static List<QuantizedWeight> quantizeAll(List<WeightLayer> layers, Function<WeightLayer, WeightSpec> spec,
                                                    Map<String, WeightAnalysis> cache) {
        if (cache == null) {
            // No cache: analyse and quantize layer by layer, so only the layers in flight are held as floats.
            return List.copyOf(dev.whittle.core.tensor.Parallel.each(layers.size(),
                    i -> quantize(WeightAnalysis.of(layers.get(i)), spec.apply(layers.get(i)))));
        }
        List<WeightAnalysis> known = layers.stream().map(l -> cache.get(l.node())).toList();
        List<WeightAnalysis> analyses = dev.whittle.core.tensor.Parallel.each(layers.size(),
                i -> known.get(i) != null ? known.get(i) : WeightAnalysis.of(layers.get(i)));
        for (int i = 0; i < layers.size(); i++) {
            cache.putIfAbsent(layers.get(i).node(), analyses.get(i));
        }
        return List.copyOf(dev.whittle.core.tensor.Parallel.each(layers.size(),
                i -> quantize(analyses.get(i), spec.apply(layers.get(i)))));
    }

    public static QuantizedWeight quantize(WeightAnalysis a, WeightSpec spec) {
        Grouping g = a.grouping(spec);
        float[][] range = RangeChoice.choose(a, g, spec);
        return quantize(a.values(), g, spec, range[0], range[1], a.sumSquares());
    }

    /** Quantizes {@code w} with the given per-group clipping ranges. */
    static QuantizedWeight quantize(float[] w, Grouping g, WeightSpec spec, float[] lo, float[] hi, double signal) {
        int groups = g.groups();
        float[] scale = new float[groups];
        int[] zp = new int[groups];
        int qmax = spec.qmax();
        int qmin = spec.qmin();
        for (int i = 0; i < groups; i++) {
            if (spec.symmetric()) {
                scale[i] = ScaleMath.symmetricScale(lo[i], hi[i], spec.levels());
                zp[i] = spec.symmetricZeroPoint();
            } else {
                scale[i] = ScaleMath.asymmetricScale(lo[i], hi[i], qmax);
                zp[i] = ScaleMath.zeroPoint(lo[i], scale[i], qmax);
            }
        }
        byte[] codes = new byte[w.length];
        long clipped = 0;
        double noise = 0;
        int idx = 0;
        int inner = g.inner();
        for (int o = 0; o < g.outer(); o++) {
            for (int k = 0; k < g.d(); k++) {
                int base = (int) (o * g.so() + (k / g.block()) * g.sk());
                int step = (int) g.si();
                double err = 0;
                for (int i = 0, gi = base; i < inner; i++, gi += step) {
                    float v = w[idx];
                    float s = scale[gi];
                    int z = zp[gi];
                    double r = Math.rint(v / s) + z;
                    int q;
                    if (r < qmin) {
                        q = qmin;
                        clipped++;
                    } else if (r > qmax) {
                        q = qmax;
                        clipped++;
                    } else {
                        q = (int) r;
                    }
                    codes[idx++] = (byte) q;
                    float e = v - (q - z) * s;
                    err += (double) e * e;
                }
                if (!(err <= Double.MAX_VALUE)) {
                    err = finiteError(w, idx - inner, inner, scale, zp, base, step, qmin, qmax, codes);
                }
                noise += err;
            }
        }
        return new QuantizedWeight(g, spec, codes, scale, zp, lo, hi, clipped, signal, noise);
    }

    /** Redoes one row when it held NaN or Inf: NaN goes to the zero point; neither adds error. */
    private static double finiteError(float[] w, int from, int len, float[] scale, int[] zp, int base, int step,
                                      int qmin, int qmax, byte[] codes) {
        double err = 0;
        for (int i = 0, gi = base; i < len; i++, gi += step) {
            float v = w[from + i];
            int q = ScaleMath.code(v, scale[gi], zp[gi], qmin, qmax);
            codes[from + i] = (byte) q;
            if (Math.abs(v) <= Float.MAX_VALUE) {
                float e = v - (q - zp[gi]) * scale[gi];
                err += (double) e * e;
            }
        }
        return err;
    }

    /** The squared error of quantizing values[from, to) with one scale and zero point. */
    static double groupError(float[] values, int from, int to, float s, int zp, int qmin, int qmax) {
        double err = 0;
        for (int i = from; i < to; i++) {
            float v = values[i];
            double r = Math.rint(v / s) + zp;
            int q = r < qmin ? qmin : r > qmax ? qmax : (int) r;
            float e = v - (q - zp) * s;
            err += (double) e * e;
        }
        return err;
    }

    static float[] copy(float[] a) {
        return Arrays.copyOf(a, a.length);
    }
}
