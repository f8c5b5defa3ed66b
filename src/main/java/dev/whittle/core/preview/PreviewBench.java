package dev.whittle.core.preview;

import dev.whittle.core.BadInputException;
import dev.whittle.core.job.CancelToken;
import dev.whittle.core.job.ProgressSink;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.prune.PruneSpec;
import dev.whittle.core.quant.Granularity;
import dev.whittle.core.quant.RangeSpec;
import dev.whittle.core.quant.WeightSpec;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Times the instant tier as a slider drag drives it (one call per slider event, after a warm-up
 * sweep), beside the exact computation of the same setting measured in the same run:
 * prune (threshold slider: {@link PrunePreview#atThreshold} vs counting |w| <= t), quantize
 * (int4 per-channel clip slider: {@link QuantPreview#estimate} vs {@link ExactPreview#quantize})
 * and rank (rank slider: {@link RankPreview#at} vs the layer's spectrum job, which is what
 * makes rank moves lookups). Used by {@code whittle bench-preview}.
 */
public final class PreviewBench {
    private PreviewBench() {
    }

    /** One slider: instant-tier percentiles over the sweep's events, and the exact computation (median). */
    /**
     * @param instantCpuP99Ms the 99th percentile of the calling thread's CPU time per event: the
     *                        work itself, without the waits a loaded machine adds to wall time
     */
    public record Tier(double instantP50Ms, double instantP99Ms, double instantCpuP99Ms, double exactMs, int events) {
    }

    /** The layer timed, how long its facts and spectrum took to compute, and the three sliders. */
    public record Result(String layer, long weights, double factsMs, double spectrumMs, double spectrumCpuMs,
                         Map<String, Tier> tiers) {
    }

    /** CPU time of the whole process (every thread, native BLAS threads included), in ms; NaN when unknown. */
    static double processCpuMs() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime() / 1e6;
        }
        return Double.NaN;
    }

    /** The named layer, or the largest float weight layer when {@code name} is null. */
    public static WeightLayer pick(OnnxModel model, String name) {
        if (name != null) {
            return model.graph().layer(name).orElseThrow(() -> new BadInputException("--layer: " + model.graph().fileName()
                    + " has no weight layer '" + name + "'."));
        }
        return model.graph().weightLayers().stream().filter(l -> !l.quantized() && l.shape().length >= 2)
                .max(Comparator.comparingLong(WeightLayer::params))
                .orElseThrow(() -> new BadInputException(model.graph().fileName() + " has no float weight layer to preview."));
    }

    /**
     * @param events slider events per sweep (each sweep is run twice: warm-up, then timed)
     * @param exactRuns runs of each exact computation (the median is reported)
     */
    public static Result run(OnnxModel model, WeightLayer layer, int events, int exactRuns) {
        if (events < 10 || exactRuns < 1) {
            throw new BadInputException("bench-preview needs at least 10 events and 1 exact run.");
        }
        CancelToken none = CancelToken.none();
        // Warm-up outside the timings: JIT for the statistics pass, LAPACK's native library load.
        LayerFacts.compute(layer, none);
        dev.whittle.core.tensor.Svd.values(new float[4], 2, 2);
        long t0 = System.nanoTime();
        LayerFacts f = LayerFacts.compute(layer, none);
        double factsMs = (System.nanoTime() - t0) / 1e6;
        t0 = System.nanoTime();
        double cpu0 = processCpuMs();
        Spectrum s = Spectrum.job(model, layer, "svd").run(ProgressSink.NONE, none);
        double spectrumMs = (System.nanoTime() - t0) / 1e6;
        double spectrumCpuMs = processCpuMs() - cpu0;
        Map<String, Tier> tiers = new LinkedHashMap<>();
        double absMax = Math.max(f.absMax(), Double.MIN_NORMAL);
        tiers.put("prune", sweep(events, i -> PrunePreview.atThreshold(f, absMax * i / events),
                exactRuns, () -> ExactPreview.prune(layer, PruneSpec.threshold(absMax / 10)).run(ProgressSink.NONE, none)));
        WeightSpec int4 = WeightSpec.of(4, Granularity.CHANNEL);
        tiers.put("quantize", sweep(events, i -> {
            double c = absMax * (0.1 + 0.9 * (i + 1) / events);
            QuantPreview.estimate(f, int4.withRange(new RangeSpec.Explicit(-c, c)));
        }, exactRuns, () -> ExactPreview.quantize(layer, int4.withRange(new RangeSpec.Explicit(-absMax / 2, absMax / 2)))
                .run(ProgressSink.NONE, none)));
        if (s != null) {
            tiers.put("rank", sweep(events, i -> RankPreview.at(s, 1 + (int) ((long) i * (s.maxRank() - 1) / events)),
                    1, () -> { }));
            Tier r = tiers.get("rank");
            tiers.put("rank", new Tier(r.instantP50Ms(), r.instantP99Ms(), r.instantCpuP99Ms(), spectrumMs, r.events()));
        }
        return new Result(layer.node(), layer.params(), factsMs, spectrumMs, spectrumCpuMs, tiers);
    }

    /** Times {@code event} over a sweep (after a warm-up sweep) and {@code exact} over its runs. */
    public static Tier sweep(int events, IntConsumer event, int exactRuns, Runnable exact) {
        for (int i = 0; i < events; i++) {
            event.accept(i);
        }
        double[] ms = new double[events];
        double[] cpu = new double[events];
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < events; i++) {
            long c = threads.getCurrentThreadCpuTime();
            long t = System.nanoTime();
            event.accept(i);
            ms[i] = (System.nanoTime() - t) / 1e6;
            cpu[i] = (threads.getCurrentThreadCpuTime() - c) / 1e6;
        }
        Arrays.sort(ms);
        Arrays.sort(cpu);
        double[] ex = new double[exactRuns];
        for (int i = 0; i < exactRuns; i++) {
            long t = System.nanoTime();
            exact.run();
            ex[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(ex);
        return new Tier(rank(ms, 0.5), rank(ms, 0.99), rank(cpu, 0.99), ex[ex.length / 2], events);
    }

    /** Nearest-rank percentile of sorted values. */
    private static double rank(double[] sorted, double p) {
        int k = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, k - 1))];
    }
}
