package dev.whittle.core.analysis;

import dev.whittle.core.eval.RuntimeInfo;

import java.util.List;

/**
 * Result of a sensitivity sweep: one {@link Row} per (layer, level, metric). The primary metric
 * is "accuracy" when the data has labels, else "meanCosine" against the unmodified model; rows
 * also carry "agreement" (classifiers) and "outputSqnrDb".
 *
 * @param baseline value of the primary metric for the unmodified model
 * @param layers   layers swept, in model order (node names)
 * @param skipped  layers selected but not swept, each with the reason
 */
public record SensitivityTable(String model, String method, String metric, Double baseline, List<Double> levels,
                               List<String> layers, List<Row> rows, List<String> skipped, long samples,
                               RuntimeInfo runtime, List<String> notes) {
    public SensitivityTable {
        levels = List.copyOf(levels);
        layers = List.copyOf(layers);
        rows = List.copyOf(rows);
        skipped = List.copyOf(skipped);
        notes = List.copyOf(notes);
    }

    /** @param value the metric's value, null when it does not apply */
    public record Row(String layer, double level, String metric, Double value) {
    }

    /** The primary metric's value for one cell, or null. */
    public Double value(String layer, double level) {
        return rows.stream().filter(r -> r.layer().equals(layer) && r.level() == level && r.metric().equals(metric))
                .findFirst().map(Row::value).orElse(null);
    }
}
