package dev.whittle.core.compare;

import dev.whittle.core.eval.EvalResult;
import dev.whittle.core.eval.LatencyStats;
import dev.whittle.core.eval.Pareto;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The axes of the trade-off charts and the Pareto front over the two shown: a run is on the
 * front when no other run is at least as good on both axes and better on one (higher quality,
 * lower cost). The front is {@link Pareto#front}'s, with the cost put in the latency slot and
 * the size slot neutral, so the chart's front is exactly that of its two axes.
 */
public final class TradeOffs {
    private TradeOffs() {
    }

    /** The cost axis: lower is better. */
    public enum Cost {
        SIZE("size on disk (MiB)", r -> r.eval().modelBytes() / 1048576.0),
        LATENCY_1("latency p50, batch 1 (ms per run)", r -> r.latency1() == null ? null : r.latency1().p50()),
        LATENCY_N("latency p50, batch N (ms per run)", r -> r.latencyN() == null ? null : r.latencyN().p50());

        private final String title;
        private final Function<PlanRun, Double> get;

        Cost(String title, Function<PlanRun, Double> get) {
            this.title = title;
            this.get = get;
        }

        public String title() {
            return title;
        }

        public Double of(PlanRun r) {
            return get.apply(r);
        }
    }

    /** The quality axis: higher is better. */
    public enum Quality {
        ACCURACY("top-1 accuracy (%)", 100, r -> r.eval().accuracy()),
        COSINE("mean cosine similarity to the original's outputs", 1, r -> r.eval().meanCosine()),
        AGREEMENT("top-1 agreement with the original (%)", 100, r -> r.eval().agreement()),
        SQNR("output SQNR vs the original (dB)", 1, r -> finite(r.eval().outputSqnrDb()));

        private final String title;
        private final double scale;
        private final Function<PlanRun, Double> get;

        Quality(String title, double scale, Function<PlanRun, Double> get) {
            this.title = title;
            this.scale = scale;
            this.get = get;
        }

        public String title() {
            return title;
        }

        /** The value as plotted (percent for fractions), or null when the run lacks it. */
        public Double of(PlanRun r) {
            Double v = get.apply(r);
            return v == null || v.isNaN() ? null : v * scale;
        }

        /** Accuracy when any run has it, else cosine. */
        public static Quality defaultFor(List<PlanRun> runs) {
            return runs.stream().anyMatch(r -> r.eval().accuracy() != null) ? ACCURACY : COSINE;
        }
    }

    /** The runs that have both values, in the given order. */
    public static List<PlanRun> plotted(List<PlanRun> runs, Cost x, Quality y) {
        return runs.stream().filter(r -> x.of(r) != null && y.of(r) != null).toList();
    }

    /** The non-dominated runs on these two axes, by ascending cost. */
    public static List<PlanRun> front(List<PlanRun> runs, Cost x, Quality y) {
        List<PlanRun> usable = plotted(runs, x, y);
        List<EvalResult> proxies = new ArrayList<>();
        for (int i = 0; i < usable.size(); i++) {
            PlanRun r = usable.get(i);
            double cost = x.of(r);
            // Only the two plotted values differ between proxies: the id is the index back into usable.
            proxies.add(new EvalResult(Integer.toString(i), null, null, null, 0, 0, null, null, 0, 1, null, y.of(r), null,
                    null, null, null, null, null, new LatencyStats(1, 1, cost, cost, cost, cost, cost, 0), null, null,
                    null, null));
        }
        return Pareto.front(proxies, Pareto.Quality.ACCURACY).stream().map(p -> usable.get(Integer.parseInt(p.id()))).toList();
    }

    private static Double finite(Double v) {
        return v == null || v.isInfinite() ? null : v;
    }
}
