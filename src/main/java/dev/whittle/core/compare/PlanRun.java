package dev.whittle.core.compare;

import dev.whittle.core.eval.EvalResult;
import dev.whittle.core.eval.LatencyStats;
import java.util.List;

/**
 * One evaluated plan, as the results table, the trade-off charts and the per-model history
 * keep it. Immutable.
 *
 * @param id        unique id (the evaluation's)
 * @param name      what the user called it, or an automatic description ("int8 x6 + fc1 rank 32")
 * @param original  whether this is the unmodified model (the row the others are compared with)
 * @param recipe    the plan as a recipe (YAML, the text {@code whittle apply} reads), or null for
 *                  the original and for results imported from the command line's history
 * @param params    elements of all constant tensors of the evaluated model, quantization scales
 *                  and zero points excluded
 * @param eval      accuracy (with labels), fidelity against the original, size, runtime
 * @param latency1  latency of single-sample runs, ms per run; null when not measured
 * @param latencyN  latency of runs of {@code eval.batch()} samples, ms per run; null when not measured
 * @param layers    per weight layer the plan touches: its settings and the error they cause
 * @param subset    whether this is a quick run on a seeded subset of the data (auto-evaluate)
 */
public record PlanRun(String id, String name, boolean original, String recipe, long params, EvalResult eval,
                      LatencyStats latency1, LatencyStats latencyN, List<LayerRow> layers, boolean subset) {
    public PlanRun {
        layers = layers == null ? List.of() : List.copyOf(layers);
    }

    /**
     * What the plan did to one layer.
     *
     * @param settings      the settings in words ("prune 50%, rank 32, int8 channel")
     * @param relativeError ||W - W'||_F / ||W||_F of the layer's weight under all its settings, or null
     * @param sqnrDb        10 log10(||W||^2 / ||W - W'||^2) in dB, or null; +Infinity when unchanged
     * @param note          what the error leaves out, or null
     */
    public record LayerRow(String node, String settings, Double relativeError, Double sqnrDb, String note) {
    }

    /** Whether {@link #recipe} can be restored as a plan. */
    public boolean restorable() {
        return original || recipe != null;
    }

    public PlanRun withName(String n) {
        return new PlanRun(id, n, original, recipe, params, eval, latency1, latencyN, layers, subset);
    }

    /** Accuracy when the data has labels, else the mean cosine similarity with the original's outputs. */
    public Double quality() {
        return eval.accuracy() != null ? eval.accuracy() : eval.meanCosine();
    }
}
