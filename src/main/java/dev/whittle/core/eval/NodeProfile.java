package dev.whittle.core.eval;

/**
 * One node of ONNX Runtime's optimized graph in a profile: its mean time per run and what it was
 * mapped back to.
 *
 * @param node     the node's name as ONNX Runtime reports it
 * @param op       the op ONNX Runtime ran (after fusion: "FusedMatMul", "BiasGelu"...)
 * @param ms       mean kernel time per run, milliseconds
 * @param kind     a weight layer's kernel, another node of the model, or unmapped
 * @param origin   the model node it was mapped to (null when unmapped)
 * @param layer    the weight layer (its node name) when {@code kind} is LAYER, else null
 */
public record NodeProfile(String node, String op, double ms, Kind kind, String origin, String layer) {
    /** Where a kernel's time goes. */
    public enum Kind {
        /** a weight layer's kernel (or one Whittle or ONNX Runtime derived from it) */
        LAYER,
        /** another node of the model (activations, normalization, reshapes) */
        OTHER,
        /** a node whose name matches nothing in the model (fused by ONNX Runtime beyond recognition) */
        UNMAPPED
    }
}
