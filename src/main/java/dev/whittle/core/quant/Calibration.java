package dev.whittle.core.quant;

import dev.whittle.core.BadInputException;
import java.util.Locale;

/**
 * How an activation's range is chosen from its calibration histogram. Recipe spellings:
 * {@code minmax}, {@code "percentile:99.99"}, {@code entropy}, {@code mse}.
 */
public sealed interface Calibration {
    /** The observed [min, max] over all calibration samples. */
    record MinMax() implements Calibration {
        @Override
        public String toString() {
            return "minmax";
        }
    }

    /** Symmetric: the percentile of |x|; asymmetric: the (100 - p) and p percentiles of x. */
    record Percentile(double percent) implements Calibration {
        public Percentile {
            if (!(percent >= 50 && percent <= 100)) {
                throw new BadInputException("activations.calibration percentile must be in [50, 100], got " + percent + ".");
            }
        }

        @Override
        public String toString() {
            return "percentile:" + RangeSpec.trim(percent);
        }
    }

    /**
     * The clip threshold whose quantized histogram has the least KL divergence from the
     * float histogram (the TensorRT method).
     */
    record Entropy() implements Calibration {
        @Override
        public String toString() {
            return "entropy";
        }
    }

    /** The clip threshold with the least expected squared error (rounding plus clipping). */
    record Mse() implements Calibration {
        @Override
        public String toString() {
            return "mse";
        }
    }

    Calibration MINMAX = new MinMax();
    Calibration ENTROPY = new Entropy();
    Calibration MSE = new Mse();
    /** The percentile used when a report lists every calibrator's range. */
    double DEFAULT_PERCENT = 99.99;

    static Calibration parse(String field, String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        switch (t) {
            case "minmax":
                return MINMAX;
            case "entropy":
                return ENTROPY;
            case "mse":
                return MSE;
            default:
                break;
        }
        if (t.startsWith("percentile:")) {
            String p = t.substring("percentile:".length()).trim();
            try {
                return new Percentile(Double.parseDouble(p));
            } catch (NumberFormatException e) {
                throw new BadInputException(field + ": '" + p + "' in '" + text + "' is not a number.");
            }
        }
        throw new BadInputException(field + " must be minmax, percentile:P, entropy or mse, got '" + text + "'.");
    }
}
