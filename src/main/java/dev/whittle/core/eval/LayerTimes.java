package dev.whittle.core.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the time of a run goes, from ONNX Runtime's profiler: mean milliseconds per run of each
 * kernel, summed per op type and per weight layer. Kernel times lie inside the run, so
 * {@link #kernelMs} &lt;= {@link #runMs}; the rest is ONNX Runtime's own overhead (allocation,
 * scheduling, copying inputs and outputs).
 *
 * @param model    the file name of the model reported against (the original for a compressed copy)
 * @param batch    samples per run
 * @param runs     profiled runs (warm-up runs excluded)
 * @param runMs    mean wall time of a run, as the profiler measured it (its own overhead included)
 * @param nodes    every kernel node, in order of execution, with mean time and origin
 * @param layers   weight layer (node name) to mean milliseconds, every layer of the model in model
 *                 order (0 for a layer whose kernel was not seen, such as a Gather folded away)
 * @param data     "synthetic" or the data's description
 */
public record LayerTimes(String model, int batch, int runs, double runMs, List<NodeProfile> nodes,
                         Map<String, Double> layers, String data, RuntimeInfo runtime, List<String> notes) {
    public LayerTimes {
        nodes = List.copyOf(nodes);
        layers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(layers));
        notes = List.copyOf(notes);
    }

    /** Sum of every kernel's mean time. */
    public double kernelMs() {
        return nodes.stream().mapToDouble(NodeProfile::ms).sum();
    }

    /** Time of the kernels of one kind. */
    public double ms(NodeProfile.Kind kind) {
        return nodes.stream().filter(n -> n.kind() == kind).mapToDouble(NodeProfile::ms).sum();
    }

    /** {@code ms} as a share of the run, 0..1. */
    public double share(double ms) {
        return runMs <= 0 ? 0 : ms / runMs;
    }

    /** Op type (as ONNX Runtime ran it) to mean milliseconds, largest first. */
    public Map<String, Double> byOp() {
        Map<String, Double> m = new LinkedHashMap<>();
        nodes.forEach(n -> m.merge(n.op(), n.ms(), Double::sum));
        Map<String, Double> sorted = new LinkedHashMap<>();
        m.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    /** The kernels that could not be mapped to the model, largest first. */
    public List<NodeProfile> unmapped() {
        return nodes.stream().filter(n -> n.kind() == NodeProfile.Kind.UNMAPPED)
                .sorted((a, b) -> Double.compare(b.ms(), a.ms())).toList();
    }
}
