package dev.whittle.core.analysis;

import dev.whittle.core.eval.OptimizedGraph;
import dev.whittle.core.eval.SessionSpec;
import dev.whittle.core.model.NodeInfo;
import dev.whittle.core.onnx.OnnxModel;

/**
 * Prepares a float graph for static quantization: ONNX Runtime's own offline optimizer at the
 * basic level folds BatchNormalization into the Conv before it, folds constant subgraphs and
 * removes redundant nodes (Identity, Dropout), so that calibration and Q/DQ placement see the
 * graph ONNX Runtime will run, and no BatchNormalization is left between a Conv and its Q/DQ.
 */
public final class GraphPreparation {
    private GraphPreparation() {
    }

    /**
     * @param model        the prepared graph (the input itself when nothing changed)
     * @param nodesBefore  node count before
     * @param nodesAfter   node count after
     * @param batchNormsFolded BatchNormalization nodes removed
     */
    public record Prepared(OnnxModel model, int nodesBefore, int nodesAfter, int batchNormsFolded) {
        /** One sentence for the quantize output, or null when nothing changed. */
        public String summary() {
            if (nodesBefore == nodesAfter && batchNormsFolded == 0) {
                return null;
            }
            return "prepared the float graph with ONNX Runtime's basic optimizer: " + nodesBefore + " -> " + nodesAfter
                    + " nodes" + (batchNormsFolded > 0 ? ", " + batchNormsFolded + " BatchNormalization folded into Conv" : "");
        }
    }

    /** Folds BatchNormalization and constants in {@code model} (which is not changed). */
    public static Prepared fold(OnnxModel model) {
        OnnxModel folded = OptimizedGraph.optimize(model, SessionSpec.defaults(), SessionSpec.OptLevel.BASIC);
        int before = model.graph().nodes().size();
        int after = folded.graph().nodes().size();
        int bn = batchNorms(model) - batchNorms(folded);
        if (before == after && bn == 0) {
            return new Prepared(model, before, after, 0);
        }
        return new Prepared(folded, before, after, bn);
    }

    private static int batchNorms(OnnxModel m) {
        return (int) m.graph().nodes().stream().map(NodeInfo::opType).filter("BatchNormalization"::equals).count();
    }
}
