package dev.whittle.core.quant;

import java.util.List;
import java.util.Map;

/**
 * What calibration chose for one activation tensor.
 *
 * @param readers     the quantized nodes that read it (for an output: the node writing it)
 * @param output      true when the Q/DQ pair sits on a layer's output
 * @param calibration the method that chose [lo, hi], or "override" for a forced range
 * @param lo          chosen range, low end
 * @param ranges      the range every calibrator would choose: minmax, percentile:99.99 (or the
 *                    spec's percentile), entropy, mse
 * @param values      finite values observed over all calibration samples
 */
public record ActivationReport(String tensor, List<String> readers, boolean output, int bits, boolean symmetric,
                               String calibration, double lo, double hi, float scale, int zeroPoint,
                               Map<String, double[]> ranges, double min, double max, long values) {
    public ActivationReport {
        readers = List.copyOf(readers);
        ranges = Map.copyOf(ranges);
    }
}
