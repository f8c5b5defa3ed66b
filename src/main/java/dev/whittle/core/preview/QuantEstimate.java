package dev.whittle.core.preview;

import dev.whittle.core.quant.Granularity;
import dev.whittle.core.quant.GroupRanges;
import dev.whittle.core.quant.Grouping;
import dev.whittle.core.quant.RangeSpec;
import dev.whittle.core.quant.WeightSpec;

/**
 * The arithmetic behind {@link QuantPreview}: group scales from the cached ranges (as
 * {@code RangeChoice} and {@code ScaleMath} compute them, in the same float precision), and the
 * error summed over the facts' sample.
 */
final class QuantEstimate {
    /** Clip ratios the MSE snap tries: coarse, then fine around the best (as the quantizer's search). */
    private static final double COARSE = 0.05;
    private static final double FINE = 0.005;
    private static final double MIN_RATIO = 0.05;

    private QuantEstimate() {
    }

    static QuantFigures estimate(LayerFacts f, WeightSpec spec) {
        RangeSpec range = spec.range();
        if (range instanceof RangeSpec.Percentile || range instanceof RangeSpec.Mse) {
            spec = spec.withRange(snap(f, spec, range));
        }
        return run(f, cached(f, spec), spec, true);
    }

    /** {@code spec}, with the nearest cached block size when its own is not cached. */
    private static WeightSpec cached(LayerFacts f, WeightSpec spec) {
        if (spec.granularity() != Granularity.BLOCK || f.hasRanges(spec)) {
            return spec;
        }
        int best = LayerFacts.BLOCKS[0];
        for (int b : LayerFacts.BLOCKS) {
            if (Math.abs(b - spec.block()) < Math.abs(best - spec.block())) {
                best = b;
            }
        }
        WeightSpec s = new WeightSpec(spec.bits(), spec.symmetric(), spec.granularity(), best, spec.range());
        return f.hasRanges(s) ? s : new WeightSpec(spec.bits(), spec.symmetric(), Granularity.TENSOR, 0, spec.range());
    }

    private static QuantFigures run(LayerFacts f, WeightSpec spec, WeightSpec asked, boolean withScales) {
        Grouping g = f.grouping(spec);
        GroupRanges r = f.ranges.get(g);
        int groups = g.groups();
        float[] scale = new float[groups];
        int[] zp = new int[groups];
        int qmax = spec.qmax();
        int qmin = spec.qmin();
        RangeSpec.Explicit e = spec.range() instanceof RangeSpec.Explicit x ? x : null;
        double sMin = Double.POSITIVE_INFINITY;
        double sMax = 0;
        for (int i = 0; i < groups; i++) {
            float lo = r.min()[i];
            float hi = r.max()[i];
            if (e != null) {
                float l = (float) Math.max(lo, e.lo());
                float h = (float) Math.min(hi, e.hi());
                if (spec.symmetric()) {
                    float c = (float) Math.min(Math.max(Math.abs(e.lo()), Math.abs(e.hi())),
                            Math.max(Math.abs(lo), Math.abs(hi)));
                    l = -c;
                    h = c;
                }
                lo = l;
                hi = h;
            }
            if (spec.symmetric()) {
                scale[i] = guard((float) (Math.max(Math.abs((double) lo), Math.abs((double) hi)) / qmax));
            } else {
                double l = Math.min(lo, 0);
                double h = Math.max(hi, 0);
                scale[i] = guard((float) ((h - l) / qmax));
                zp[i] = (int) Math.max(0, Math.min(qmax, Math.rint(-l / scale[i])));
            }
            sMin = Math.min(sMin, scale[i]);
            sMax = Math.max(sMax, scale[i]);
        }
        // Error: exact over the tail (largest |w|, or all of a small layer); over the rest a ratio
        // estimate: the sample's error relative to the uniform-rounding prediction s^2/12 of the
        // same elements, times that prediction summed exactly over every group's elements. The
        // prediction carries the spread of group scales, so the sample only has to catch how far
        // the real error departs from it.
        double tailNoise = 0;
        double tailPred = 0;
        double sampleNoise = 0;
        double samplePred = 0;
        double clipped = 0;
        LayerFacts.Sample sample = f.samples.get(g);
        float[] val = sample.value();
        int tail = sample.tail();
        int size = sample.size();
        int span = g.d() * g.inner();
        for (int j = 0; j < size; j++) {
            int el = sample.element(j);
            float wj = sample.weightOf(j);
            int gi = groupOf(g, el, span);
            float v = val[j];
            float s = scale[gi];
            int z = zp[gi];
            double rr = Math.rint(v / s) + z;
            int q;
            if (rr < qmin) {
                q = qmin;
                clipped += wj;
            } else if (rr > qmax) {
                q = qmax;
                clipped += wj;
            } else {
                q = (int) rr;
            }
            float err = v - (q - z) * s;
            double pred = (double) s * s / 12;
            if (j < tail) {
                tailNoise += (double) err * err;
                tailPred += pred;
            } else {
                sampleNoise += (double) err * err * wj;
                samplePred += pred * wj;
            }
        }
        double noise = tailNoise;
        if (tail < size) {
            double predAll = 0;
            for (int i = 0; i < groups; i++) {
                predAll += (double) scale[i] * scale[i] / 12 * groupSize(g, i);
            }
            double rest = Math.max(0, predAll - tailPred);
            noise += samplePred > 0 ? sampleNoise / samplePred * rest : sampleNoise;
        }
        double lo = e == null ? f.min : Math.max(f.min, e.lo());
        double hi = e == null ? f.max : Math.min(f.max, e.hi());
        double common;
        int commonZp = 0;
        if (spec.symmetric()) {
            double c = e == null ? f.absMax() : Math.min(Math.max(Math.abs(e.lo()), Math.abs(e.hi())), f.absMax());
            lo = -c;
            hi = c;
            common = guard((float) (c / qmax));
        } else {
            double l = Math.min(lo, 0);
            double h = Math.max(hi, 0);
            common = guard((float) ((h - l) / qmax));
            commonZp = (int) Math.max(0, Math.min(qmax, Math.rint(-l / common)));
        }
        double sqnr = noise == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(f.sumSquares / noise);
        return new QuantFigures(lo, hi, common, commonZp, sMin, sMax, groups, f.count == 0 ? 0 : Math.min(1, clipped / f.count),
                sqnr, false);
    }

    /** Elements in group {@code i}: a partial last block along the axis holds fewer. */
    static long groupSize(Grouping g, int i) {
        return switch (g.granularity()) {
            case TENSOR -> g.size();
            case CHANNEL -> (long) g.outer() * g.inner();
            case BLOCK -> {
                int nb = g.blocksAlongAxis();
                int kb = (int) ((i / Math.max(1, g.sk())) % nb);
                yield Math.min(g.block(), g.d() - (long) kb * g.block());
            }
        };
    }

    /** Group of element {@code el} (row-major) under {@code g}: (o, k, i) -> o*so + (k/block)*sk + i*si. */
    static int groupOf(Grouping g, int el, int span) {
        int o = el / span;
        int rem = el - o * span;
        int k = rem / g.inner();
        int i = rem - k * g.inner();
        return (int) (o * g.so() + (k / g.block()) * g.sk() + i * g.si());
    }

    private static float guard(float s) {
        return s > 0 && s <= Float.MAX_VALUE ? s : 1f;
    }

    static RangeSpec.Explicit snap(LayerFacts f, WeightSpec spec, RangeSpec how) {
        double lo = Math.min(f.min, 0);
        double hi = Math.max(f.max, 0);
        if (lo == hi) {
            return new RangeSpec.Explicit(-1e-30, 1e-30);
        }
        if (how instanceof RangeSpec.Explicit e) {
            return e;
        }
        if (how instanceof RangeSpec.Percentile p) {
            long rank = Math.max(1, (long) Math.ceil(p.percent() / 100.0 * f.count));
            double c = MagnitudeTable.magnitudeAtRank(f, rank);
            return clip(f, spec, -c, c);
        }
        if (how instanceof RangeSpec.Mse) {
            WeightSpec s = cached(f, spec);
            double best = 1;
            double bestErr = noiseAt(f, s, lo, hi, 1);
            for (double r = 1 - COARSE; r >= MIN_RATIO - 1e-9; r -= COARSE) {
                double err = noiseAt(f, s, lo, hi, r);
                if (err < bestErr) {
                    bestErr = err;
                    best = r;
                }
            }
            double center = best;
            for (double r = Math.min(1, center + COARSE); r >= Math.max(MIN_RATIO, center - COARSE) - 1e-9; r -= FINE) {
                double err = noiseAt(f, s, lo, hi, r);
                if (err < bestErr) {
                    bestErr = err;
                    best = r;
                }
            }
            return explicit(spec, lo * best, hi * best);
        }
        return explicit(spec, lo, hi);
    }

    private static double noiseAt(LayerFacts f, WeightSpec s, double lo, double hi, double ratio) {
        QuantFigures q = run(f, s.withRange(explicit(s, lo * ratio, hi * ratio)), s, false);
        return f.sumSquares / Math.pow(10, q.sqnrDb() / 10);
    }

    private static RangeSpec.Explicit clip(LayerFacts f, WeightSpec spec, double lo, double hi) {
        return explicit(spec, Math.max(Math.min(f.min, 0), lo), Math.min(Math.max(f.max, 0), hi));
    }

    /** An explicit range containing 0 (symmetric: [-c, c] with c = max(|lo|, |hi|)). */
    private static RangeSpec.Explicit explicit(WeightSpec spec, double lo, double hi) {
        if (spec.symmetric()) {
            double c = Math.max(Math.abs(lo), Math.abs(hi));
            return new RangeSpec.Explicit(-Math.max(c, 1e-30), Math.max(c, 1e-30));
        }
        double l = Math.min(lo, 0);
        double h = Math.max(hi, 0);
        if (l == h) {
            h = 1e-30;
        }
        return new RangeSpec.Explicit(l == 0 && h == 0 ? -1e-30 : l, h);
    }
}
