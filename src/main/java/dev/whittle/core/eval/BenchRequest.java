package dev.whittle.core.eval;

import dev.whittle.core.BadInputException;
import dev.whittle.core.onnx.OnnxModel;
import java.util.List;
import java.util.Map;

/**
 * A latency benchmark: warm-up runs, then timed runs, at each batch size.
 *
 * @param data       inputs to time (the first {@code batch} samples are used), or null for
 *                   synthetic inputs from the model's declared shapes
 * @param batches    batch sizes, each &gt;= 1
 * @param dims       values for unfixed non-batch dimensions of synthetic inputs, by symbol
 * @param defaultDim value for unfixed dimensions not in {@code dims}
 */
public record BenchRequest(OnnxModel model, Dataset data, List<Integer> batches, int warmup, int runs,
                           Map<String, Long> dims, long defaultDim, SessionSpec session) {
    public BenchRequest {
        if (model == null || session == null) {
            throw new BadInputException("A benchmark needs a model and session settings.");
        }
        if (batches == null || batches.isEmpty() || batches.stream().anyMatch(b -> b < 1)) {
            throw new BadInputException("Batch sizes must be at least 1, got " + batches + ".");
        }
        if (warmup < 0 || runs < 1) {
            throw new BadInputException("A benchmark needs warm-up runs >= 0 and timed runs >= 1, got " + warmup + " and " + runs + ".");
        }
        if (defaultDim < 1) {
            throw new BadInputException("The default dimension must be at least 1, got " + defaultDim + ".");
        }
        batches = List.copyOf(batches);
        dims = Map.copyOf(dims == null ? Map.of() : dims);
    }

    public static BenchRequest of(OnnxModel model, int batch, int warmup, int runs) {
        return new BenchRequest(model, null, List.of(batch), warmup, runs, Map.of(), SyntheticInputs.DEFAULT_DIM,
                SessionSpec.defaults());
    }
}
