package dev.whittle.core.preview;

import dev.whittle.core.job.Job;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.prune.PruneSpec;
import dev.whittle.core.quant.QuantizedWeight;
import dev.whittle.core.quant.WeightAnalysis;
import dev.whittle.core.quant.WeightQuantizer;
import dev.whittle.core.quant.WeightSpec;
import java.lang.ref.SoftReference;

/**
 * The exact tier: the real computation on one layer, as a cancellable job. The workbench runs
 * it when a slider is released (debounced, latest request only) and replaces the instant
 * estimate with its result.
 */
public final class ExactPreview {
    private ExactPreview() {
    }

    /**
     * The analysis of the layer being tuned, kept softly between exact-tier requests: dragging a
     * slider asks for the same layer again and again, and reading and checking the weight is a
     * third of the work. Softly reachable, so memory pressure reclaims it.
     */
    private static volatile SoftReference<WeightAnalysis> last = new SoftReference<>(null);

    static WeightAnalysis analysis(WeightLayer layer) {
        WeightAnalysis a = last.get();
        if (a == null || a.layer().tensor() != layer.tensor() || !a.layer().node().equals(layer.node())) {
            a = WeightAnalysis.of(layer);
            last = new SoftReference<>(a);
        }
        return a;
    }

    /** Quantizes the layer's weight exactly as {@code Quantizer} does and reports the figures. */
    public static Job<QuantFigures> quantize(WeightLayer layer, WeightSpec spec) {
        return (progress, cancel) -> {
            WeightAnalysis a = analysis(layer);
            cancel.throwIfCancelled();
            QuantizedWeight q = WeightQuantizer.quantize(a, spec);
            return ExactFigures.of(q, spec);
        };
    }

    /** The exact share pruned by {@code spec} (unstructured threshold or sparsity, N:M, channel). */
    public static Job<PruneFigures> prune(WeightLayer layer, PruneSpec spec) {
        return (progress, cancel) -> ExactFigures.prune(layer, spec, cancel);
    }
}
