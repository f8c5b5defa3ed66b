package dev.whittle.core.quant;

import java.util.List;

/**
 * The result of quantizing a model: per layer and per activation, plus messages about what was
 * skipped and why.
 *
 * @param alreadyQuantized the model already held quantization ops, so nothing was changed
 * @param weightBytesBefore float bytes of the quantized layers' weights
 * @param weightBytesAfter  their bytes after quantization (codes, scales, zero points)
 */
public record QuantReport(List<LayerReport> layers, List<ActivationReport> activations, List<String> messages,
                          boolean alreadyQuantized, long weightBytesBefore, long weightBytesAfter) {
    public QuantReport {
        layers = List.copyOf(layers);
        activations = List.copyOf(activations);
        messages = List.copyOf(messages);
    }
}
