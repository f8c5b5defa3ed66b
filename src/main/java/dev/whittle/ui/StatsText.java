package dev.whittle.ui;

import dev.whittle.core.tensor.WeightStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns {@link WeightStats} into labelled figures with a short explanation each. The texts are
 * written for students: what the number is, and what it tells about compressing the layer.
 */
public final class StatsText {
    /** The |w| percentiles the panel shows (a subset of {@link WeightStats#PERCENTS}). */
    static final double[] SHOWN_PERCENTS = {10, 25, 50, 75, 90, 99, 99.9};

    private StatsText() {
    }

    public static List<StatRow> summary(WeightStats s) {
        List<StatRow> rows = new ArrayList<>();
        rows.add(new StatRow("Elements", Format.count(s.count()),
                "Number of weights in the tensor: the product of its shape."));
        rows.add(new StatRow("Min", Format.number(s.min()),
                "Smallest (most negative) finite weight."));
        rows.add(new StatRow("Max", Format.number(s.max()),
                "Largest finite weight. Min and max set the range an 8-bit quantizer must cover:"
                        + " a few extreme values make every step coarser."));
        rows.add(new StatRow("Mean", Format.number(s.mean()),
                "Average weight. Trained layers are usually centred near 0; a mean far from 0 compared"
                        + " with the std suggests an asymmetric (zero-point) quantizer."));
        rows.add(new StatRow("Std", Format.number(s.std()),
                "Standard deviation: the typical distance of a weight from the mean, i.e. the width of the"
                        + " bell in the histogram. Compare it with max |w| to spot outliers."));
        rows.add(new StatRow("Max / std", s.std() > 0 ? String.format(Locale.ROOT, "%.1f", s.absMax() / s.std()) : "n/a",
                "How many standard deviations the largest |w| lies from 0. Around 3-5 is a compact"
                        + " distribution; 10 or more means rare outliers dominate the range (clip before quantizing)."));
        rows.add(new StatRow("Zeros", Format.percent(s.zeroFraction()) + "  (" + Format.count(s.zeros()) + ")",
                "Share of weights that are exactly 0. Dense trained layers have almost none; a pruned layer has"
                        + " many, and sparse storage only pays off when this is high (above about 50-70%)."));
        rows.add(new StatRow("NaN / Inf", Format.count(s.nans()) + " / " + Format.count(s.infs()),
                "Not-a-number and infinite values. Anything but 0 / 0 means the weights are broken. They are"
                        + " left out of every other figure here."));
        rows.add(new StatRow("Min |w| > 0", Format.number(s.absMinNonzero()),
                "Smallest nonzero magnitude (to within 0.1%). With the largest it gives the dynamic range"
                        + " the number format must represent."));
        rows.add(new StatRow("Max |w|", Format.number(s.absMax()),
                "Largest magnitude: a symmetric quantizer maps this to the top integer level (127 for int8)."));
        return rows;
    }

    public static List<StatRow> percentiles(WeightStats s) {
        List<StatRow> rows = new ArrayList<>();
        Map<Double, Double> p = s.absPercentiles();
        for (double pct : SHOWN_PERCENTS) {
            Double v = p.get(pct);
            if (v == null) {
                continue;
            }
            rows.add(new StatRow("p" + pctText(pct) + " |w|", Format.number(v), percentileHelp(pct)));
        }
        return rows;
    }

    static String pctText(double pct) {
        return pct == Math.rint(pct) ? Long.toString((long) pct) : Double.toString(pct);
    }

    static String percentileHelp(double pct) {
        String p = pctText(pct);
        String base = p + "% of the weights have a magnitude |w| at or below this value.";
        if (pct <= 90) {
            return base + " Magnitude pruning of " + p + "% of this layer would zero every weight up to here.";
        }
        return base + " Only " + pctText(Math.round((100 - pct) * 1000) / 1000.0) + "% are larger: clipping the"
                + " quantization range here instead of at max |w| keeps finer steps for everyone else.";
    }
}
