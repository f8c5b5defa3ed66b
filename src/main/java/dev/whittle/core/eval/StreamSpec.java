package dev.whittle.core.eval;

import dev.whittle.core.BadInputException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a streaming model is fed (dataset spec key {@code stream}): the data's samples are chunks
 * of one recording in order, fed one chunk per run; each output named in {@code carry} is fed
 * back into its input on the next run. Format: docs/evaluation.md.
 *
 * @param carry     model input to the output that feeds it on the next chunk ({@code state: stateN}),
 *                  in order; at least one
 * @param initial   what a carried input holds before the first chunk: {@code zeros} (the only
 *                  value so far; the default), shaped like the input with unfixed dims set to 1
 * @param threshold decision threshold on the evaluated output (a speech probability, say):
 *                  agreement and accuracy compare {@code value > threshold}; default 0.5
 * @param reset     chunks per recording: the carried inputs go back to {@code initial} every
 *                  {@code reset} chunks (each recording is one output track); default 0 = one
 *                  recording, never reset
 */
public record StreamSpec(Map<String, String> carry, String initial, Double threshold, Long reset) {
    public static final double DEFAULT_THRESHOLD = 0.5;

    public StreamSpec {
        if (carry == null || carry.isEmpty()) {
            throw new BadInputException("Dataset spec 'stream' needs 'carry': the input each output feeds on the next chunk"
                    + " (e.g. carry: {state: stateN}).");
        }
        carry.forEach((in, out) -> {
            if (in == null || in.isBlank() || out == null || out.isBlank()) {
                throw new BadInputException("Dataset spec 'stream.carry' maps an input to an output; got " + in + ": " + out + ".");
            }
        });
        carry = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(carry));
        initial = initial == null ? "zeros" : initial.trim().toLowerCase(java.util.Locale.ROOT);
        if (!initial.equals("zeros")) {
            throw new BadInputException("Dataset spec 'stream.initial' must be 'zeros', got '" + initial + "'.");
        }
        threshold = threshold == null ? DEFAULT_THRESHOLD : threshold;
        if (threshold.isNaN() || threshold.isInfinite()) {
            throw new BadInputException("Dataset spec 'stream.threshold' must be a finite number, got " + threshold + ".");
        }
        reset = reset == null ? 0L : reset;
        if (reset < 0) {
            throw new BadInputException("Dataset spec 'stream.reset' must be 0 (never) or a number of chunks, got " + reset + ".");
        }
    }

    /** One recording carrying {@code input} from {@code output}, zeros first, threshold 0.5. */
    public static StreamSpec of(String input, String output) {
        return new StreamSpec(Map.of(input, output), null, null, null);
    }

    /** Chunks per recording for {@code samples} chunks: {@code reset}, or all of them. */
    long recordingLength(long samples) {
        return reset == 0 ? Math.max(1, samples) : reset;
    }
}
