package dev.whittle.core.quant;

import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.model.NodeInfo;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Detects models that already hold quantization, so they are never quantized twice. */
public final class QuantizedOps {
    private static final Set<String> OPS = Set.of("QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear",
            "MatMulInteger", "ConvInteger", "MatMulNBits", "MatMulIntegerToFloat", "DynamicQuantizeMatMul",
            "MatMulBnb4", "GatherBlockQuantized", "QAttention", "QGemm", "QOrderedMatMul");

    private QuantizedOps() {
    }

    /** Counts of quantization ops in the model (empty when it is not quantized). */
    public static Map<String, Integer> count(ModelGraph g) {
        Map<String, Integer> m = new TreeMap<>();
        for (NodeInfo n : g.nodes()) {
            if (OPS.contains(n.opType()) || n.opType().startsWith("QLinear")) {
                m.merge(n.opType(), 1, Integer::sum);
            }
        }
        return m;
    }

    /** A one-sentence message when the model is already quantized. */
    public static Optional<String> describe(ModelGraph g) {
        Map<String, Integer> m = count(g);
        if (m.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(g.fileName() + " is already quantized (" + summary(m) + "), so it was left unchanged.");
    }

    /** "3 DequantizeLinear, 1 MatMulNBits": the counts of {@link #count}. */
    public static String summary(Map<String, Integer> counts) {
        return counts.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
    }
}
