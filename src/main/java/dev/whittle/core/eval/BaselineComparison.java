package dev.whittle.core.eval;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A model timed against its baseline in one run ({@link BaselineBench}).
 *
 * @param rounds   alternating rounds
 * @param runs     timed runs per round, model and batch size
 * @param batches  one entry per batch size, in the order asked
 * @param reasons  when the model is slower than its baseline at some batch size: the known
 *                 reasons, most likely first (empty when it is not slower, or none is known)
 */
public record BaselineComparison(String model, String baseline, long modelBytes, long baselineBytes, String data,
                                 int rounds, int runs, List<Batch> batches, List<String> reasons, RuntimeInfo runtime,
                                 List<String> notes) {
    public BaselineComparison {
        batches = List.copyOf(batches);
        reasons = List.copyOf(reasons);
        notes = List.copyOf(notes);
    }

    /**
     * @param ratio          the median of {@code roundRatios} (below 1: faster)
     * @param roundRatios    the same ratio in each round alone
     */
    public record Batch(int batch, LatencyStats model, LatencyStats baseline, double ratio, double[] roundRatios) {
        public Batch {
            roundRatios = roundRatios.clone();
        }
    }

    /** True when the model is slower than the baseline (ratio above {@link BaselineBench#SLOWER}) at some batch size. */
    public boolean slower() {
        return batches.stream().anyMatch(b -> b.ratio() > BaselineBench.SLOWER);
    }

    /** The one line saying the model is slower, with its known reasons; null when it is not slower. */
    public String slowerLine() {
        if (!slower()) {
            return null;
        }
        String at = batches.stream().filter(b -> b.ratio() > BaselineBench.SLOWER)
                .map(b -> String.format(Locale.ROOT, "%.3fx at batch %d", b.ratio(), b.batch()))
                .collect(Collectors.joining(", "));
        return model + " is slower than " + baseline + " on this CPU (" + at + ")"
                + (reasons.isEmpty() ? "; reason not known." : ": " + String.join("; ", reasons) + ".");
    }
}
