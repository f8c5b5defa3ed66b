package dev.whittle.core.plan;

import dev.whittle.core.onnx.OnnxModel;

/** What the totals need to know about a model, gathered once. */
final class ModelFacts {
    private final int sequenceLength;

    private ModelFacts(int sequenceLength) {
        this.sequenceLength = sequenceLength;
    }

    static ModelFacts of(OnnxModel model, int sequenceLength) {
        return new ModelFacts(sequenceLength);
    }

    int sequenceLength() {
        return sequenceLength;
    }

    Totals estimate(ResolvedPlan plan) {
        throw new UnsupportedOperationException("totals: implemented in the next commit");
    }
}
