package dev.whittle.core.quant;

import dev.whittle.core.BadInputException;
import java.util.Locale;

/**
 * How the clipping range of a weight group (tensor, channel or block) is chosen.
 * Recipe spellings: {@code minmax}, {@code "percentile:99.9"}, {@code mse}, {@code [lo, hi]}.
 */
public sealed interface RangeSpec {
    /** The observed [min, max] (symmetric: [-max|w|, max|w|]); nothing is clipped. */
    record MinMax() implements RangeSpec {
        @Override
        public String toString() {
            return "minmax";
        }
    }

    /**
     * Clip at the given percentile of |w| in each group (interpolated between ranks), so the top
     * (100 - percent)% magnitudes saturate.
     */
    record Percentile(double percent) implements RangeSpec {
        public Percentile {
            if (!(percent > 0 && percent <= 100)) {
                throw new BadInputException("range percentile must be in (0, 100], got " + percent + ".");
            }
        }

        @Override
        public String toString() {
            return "percentile:" + trim(percent);
        }
    }

    /** The clip ratio of each group's range that gives the least squared error (grid search). */
    record Mse() implements RangeSpec {
        @Override
        public String toString() {
            return "mse";
        }
    }

    /**
     * A fixed [lo, hi] in weight units; each group's observed range is intersected with it
     * (symmetric quantization uses max(|lo|, |hi|)). What the workbench's range slider sets.
     */
    record Explicit(double lo, double hi) implements RangeSpec {
        public Explicit {
            if (!Double.isFinite(lo) || !Double.isFinite(hi) || !(lo < hi)) {
                throw new BadInputException("range [lo, hi] needs finite lo < hi, got [" + lo + ", " + hi + "].");
            }
            if (lo > 0 || hi < 0) {
                throw new BadInputException("range [" + lo + ", " + hi + "] must contain 0 so zero stays exact.");
            }
        }

        @Override
        public String toString() {
            return "[" + trim(lo) + ", " + trim(hi) + "]";
        }
    }

    RangeSpec MINMAX = new MinMax();
    RangeSpec MSE = new Mse();

    /** Parses minmax, mse, percentile:P, or LO,HI (brackets optional). */
    static RangeSpec parse(String field, String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("minmax")) {
            return MINMAX;
        }
        if (t.equals("mse")) {
            return MSE;
        }
        if (t.startsWith("percentile:")) {
            return new Percentile(number(field, text, t.substring("percentile:".length())));
        }
        String inner = t.startsWith("[") && t.endsWith("]") ? t.substring(1, t.length() - 1) : t;
        String[] parts = inner.split(",");
        if (parts.length == 2) {
            return new Explicit(number(field, text, parts[0]), number(field, text, parts[1]));
        }
        throw new BadInputException(field + " must be minmax, percentile:P, mse or LO,HI, got '" + text + "'.");
    }

    private static double number(String field, String whole, String part) {
        try {
            return Double.parseDouble(part.trim());
        } catch (NumberFormatException e) {
            throw new BadInputException(field + ": '" + part.trim() + "' in '" + whole + "' is not a number.");
        }
    }

    static String trim(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
