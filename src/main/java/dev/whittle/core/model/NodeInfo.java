package dev.whittle.core.model;

import java.util.List;

/**
 * One node of the graph. {@code graphPath} is empty for the main graph and names the enclosing
 * nodes and attributes for nodes in subgraphs, e.g. {@code "loop_1/body"}.
 */
public record NodeInfo(String name, String opType, String domain, List<String> inputs,
                       List<String> outputs, String graphPath) {
    public NodeInfo {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /** The op as users write it: "Conv", or "com.microsoft::MatMulNBits" outside the default domain. */
    public String qualifiedOp() {
        return domain == null || domain.isEmpty() || domain.equals("ai.onnx") ? opType : domain + "::" + opType;
    }
}
