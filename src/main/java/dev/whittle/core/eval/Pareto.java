package dev.whittle.core.eval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * The Pareto front of evaluation results over (quality: higher is better, p50 latency: lower,
 * model size: lower). A result is on the front when no other is at least as good in all three
 * and better in one. Results lacking the quality or a latency are left out. Compare results
 * measured the same way (batch size, machine): the function does not check.
 */
public final class Pareto {
    private Pareto() {
    }

    /** Which metric is the quality axis. */
    public enum Quality {
        ACCURACY(EvalResult::accuracy), AGREEMENT(EvalResult::agreement), MEAN_COSINE(EvalResult::meanCosine),
        OUTPUT_SQNR_DB(EvalResult::outputSqnrDb);

        private final Function<EvalResult, Double> get;

        Quality(Function<EvalResult, Double> get) {
            this.get = get;
        }

        public Double of(EvalResult r) {
            return get.apply(r);
        }
    }

    /** The non-dominated results, by ascending latency. */
    public static List<EvalResult> front(List<EvalResult> results, Quality quality) {
        List<EvalResult> usable = results.stream()
                .filter(r -> quality.of(r) != null && !quality.of(r).isNaN() && r.latencyMs() != null).toList();
        List<EvalResult> front = new ArrayList<>();
        for (EvalResult a : usable) {
            boolean dominated = false;
            for (EvalResult b : usable) {
                if (b != a && dominates(b, a, quality)) {
                    dominated = true;
                    break;
                }
            }
            if (!dominated) {
                front.add(a);
            }
        }
        front.sort(Comparator.comparingDouble((EvalResult r) -> r.latencyMs().p50()).thenComparingLong(EvalResult::modelBytes));
        return front;
    }

    static boolean dominates(EvalResult a, EvalResult b, Quality q) {
        double qa = q.of(a);
        double qb = q.of(b);
        double la = a.latencyMs().p50();
        double lb = b.latencyMs().p50();
        boolean noWorse = qa >= qb && la <= lb && a.modelBytes() <= b.modelBytes();
        boolean better = qa > qb || la < lb || a.modelBytes() < b.modelBytes();
        return noWorse && better;
    }
}
