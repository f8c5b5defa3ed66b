package dev.whittle.core.plan;

import dev.whittle.core.onnx.OnnxModel;

/**
 * Live totals for the workbench: parameters, bytes on disk and MACs of one sample, before and
 * after a plan. Built once per model (shapes, the number of positions each weight is applied at,
 * which consumers shrink with channel removal, tensor sizes as stored); {@link #estimate} then
 * works from the resolved plan and those facts only, never a pass over weights, so it runs on
 * every edit.
 *
 * <p>Thread-safe after construction. Build it off the UI thread (it walks the graph once).
 */
public final class TotalsEstimator {
    private final ModelFacts facts;

    private TotalsEstimator(ModelFacts facts) {
        this.facts = facts;
    }

    /**
     * @param sequenceLength the length a dynamic sequence axis takes for MACs: the evaluation
     *                       data's, or 128 when there is none ({@link #DEFAULT_SEQUENCE})
     */
    public static TotalsEstimator of(OnnxModel model, int sequenceLength) {
        return new TotalsEstimator(ModelFacts.of(model, sequenceLength));
    }

    public static final int DEFAULT_SEQUENCE = 128;

    public int sequenceLength() {
        return facts.sequenceLength();
    }

    /** The totals for {@code plan} (resolved on this estimator's model). */
    public Totals estimate(ResolvedPlan plan) {
        return facts.estimate(plan, null);
    }

    /**
     * The totals, taking ranks for energy targets from the spectra already in {@code cache}
     * (a layer whose spectrum is not computed yet keeps its size, with a note).
     */
    public Totals estimate(ResolvedPlan plan, dev.whittle.core.preview.PreviewCache cache) {
        return facts.estimate(plan, cache);
    }

    /**
     * What removing channels of {@code node} touches (the layers that shrink, or why it cannot);
     * a graph walk on first use per layer, then kept.
     */
    public dev.whittle.core.prune.ChannelImpact channelImpact(String node) {
        return facts.impact(node);
    }
}
