package dev.whittle.core.eval;

import java.util.List;

/**
 * One evaluation, immutable; what the history keeps and the trade-off charts plot. Metrics
 * that do not apply are null: accuracy without labels, fidelity without a baseline, top-5 with
 * fewer than 5 classes, agreement for non-classifier outputs.
 *
 * @param id           unique id (UUID)
 * @param time         when it finished, ISO-8601 UTC
 * @param model        display name of the model
 * @param modelPath    file the model was read from or derived from, or null
 * @param modelBytes   size of the model file(s) in bytes (serialized size for in-memory models)
 * @param weightBytes  bytes of all constant tensors when stored densely
 * @param baseline     display name of the baseline, or null
 * @param data         description of the data
 * @param samples      samples evaluated
 * @param batch        samples per run
 * @param correct      top-1 correct predictions
 * @param accuracy     top-1 accuracy, a fraction 0..1
 * @param top5         top-5 accuracy, a fraction
 * @param agreement    fraction of samples whose top-1 class equals the baseline's
 * @param meanCosine   mean cosine similarity of per-sample (pooled) outputs with the baseline's
 * @param minCosine    the smallest of those
 * @param outputSqnrDb 10 log10(signal / noise) of raw outputs vs the baseline, dB (+Infinity when equal)
 * @param maxAbsDiff   largest absolute difference of raw outputs
 * @param latencyMs    per-run latency of the evaluation's full batches after the first
 * @param output       the output evaluated
 * @param pool         pooling used for cosine: none, mean or cls
 * @param runtime      ONNX Runtime version, provider, threads, optimization level, numerics pin
 * @param notes        what a user should know (defaulted dimensions, fallbacks)
 * @param threshold    for a streamed evaluation ({@link StreamSpec}), the decision threshold: then
 *                     {@code agreement} is the share of output values on the same side of it as
 *                     the baseline's, {@code accuracy} that of decisions matching the labels, and
 *                     the cosines are per recording's output track; null for batches
 */
public record EvalResult(String id, String time, String model, String modelPath, long modelBytes, long weightBytes,
                         String baseline, String data, long samples, int batch, Long correct, Double accuracy,
                         Double top5, Double agreement, Double meanCosine, Double minCosine, Double outputSqnrDb,
                         Double maxAbsDiff, LatencyStats latencyMs, String output, String pool, RuntimeInfo runtime,
                         List<String> notes, Double threshold) {
    public EvalResult {
        notes = notes == null ? List.of() : List.copyOf(notes);
    }

    /** A result of independent batches (no stream). */
    public EvalResult(String id, String time, String model, String modelPath, long modelBytes, long weightBytes,
                      String baseline, String data, long samples, int batch, Long correct, Double accuracy,
                      Double top5, Double agreement, Double meanCosine, Double minCosine, Double outputSqnrDb,
                      Double maxAbsDiff, LatencyStats latencyMs, String output, String pool, RuntimeInfo runtime,
                      List<String> notes) {
        this(id, time, model, modelPath, modelBytes, weightBytes, baseline, data, samples, batch, correct, accuracy, top5,
                agreement, meanCosine, minCosine, outputSqnrDb, maxAbsDiff, latencyMs, output, pool, runtime, notes, null);
    }

    /** Whether the model was fed as a stream (see {@code threshold}). */
    public boolean streamed() {
        return threshold != null;
    }

    /** Samples per second of the timed runs, or null without timings. */
    public Double throughput() {
        return latencyMs == null ? null : latencyMs.throughput();
    }
}
