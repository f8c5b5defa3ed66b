package dev.whittle.core.eval;

import java.util.List;

/**
 * Latency of one model at one or more batch sizes.
 *
 * @param modelBytes  size of the model file(s)
 * @param weightBytes bytes of all constant tensors
 * @param results     one entry per batch size, in the order asked
 * @param data        "synthetic" or the data's description
 */
public record BenchResult(String id, String time, String model, long modelBytes, long weightBytes, String data,
                          List<LatencyStats> results, RuntimeInfo runtime, List<String> notes) {
    public BenchResult {
        results = List.copyOf(results);
        notes = List.copyOf(notes);
    }
}
