package dev.whittle.core.model;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An immutable, protobuf-free view of a loaded ONNX model: what the UI, the CLI and the
 * compression methods read. Built by {@code dev.whittle.core.onnx.OnnxReader}.
 *
 * @param opsets    domain ("" for the default ONNX domain) to version, in file order
 * @param nodes     every node, main graph first, then subgraphs in depth-first order
 * @param constants every constant tensor (initializers, Constant nodes, subgraph constants)
 * @param fileBytes size of the .onnx file plus its external data files
 */
public record ModelGraph(Path path, long fileBytes, long irVersion, String producer,
                         String producerVersion, String docString, Map<String, Long> opsets,
                         Map<String, String> metadata, List<ValueInfo> inputs,
                         List<ValueInfo> outputs, List<NodeInfo> nodes,
                         List<TensorData> constants, List<WeightLayer> weightLayers,
                         int functionCount, int subgraphCount) {
    public ModelGraph {
        opsets = Collections.unmodifiableMap(new java.util.LinkedHashMap<>(opsets));
        metadata = Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metadata));
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        nodes = List.copyOf(nodes);
        constants = List.copyOf(constants);
        weightLayers = List.copyOf(weightLayers);
    }

    /** Elements of every constant tensor: what users call the model's parameters. */
    public long params() {
        return constants.stream().mapToLong(TensorData::count).sum();
    }

    /** Bytes of every constant tensor when stored densely. */
    public long constantBytes() {
        return constants.stream().mapToLong(TensorData::bytes).sum();
    }

    /** Version of the default ONNX domain, or -1 when the model imports none. */
    public long defaultOpset() {
        Long v = opsets.get("");
        if (v == null) {
            v = opsets.get("ai.onnx");
        }
        return v == null ? -1 : v;
    }

    /** Node count per (domain-qualified) op type, sorted by op. */
    public SortedMap<String, Integer> opCounts() {
        SortedMap<String, Integer> counts = new TreeMap<>();
        for (NodeInfo n : nodes) {
            counts.merge(n.qualifiedOp(), 1, Integer::sum);
        }
        return counts;
    }

    public Optional<WeightLayer> layer(String nodeOrWeightName) {
        return weightLayers.stream()
                .filter(l -> l.node().equals(nodeOrWeightName) || l.weight().equals(nodeOrWeightName))
                .findFirst();
    }

    public Optional<TensorData> constant(String name) {
        return constants.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** File name, for titles and messages. */
    public String fileName() {
        return path == null ? "(unsaved)" : String.valueOf(path.getFileName());
    }
}
