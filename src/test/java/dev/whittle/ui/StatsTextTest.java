package dev.whittle.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.tensor.WeightStatistics;
import dev.whittle.core.tensor.WeightStats;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class StatsTextTest {
    private final WeightStats conv = WeightStatistics.compute(WorkbenchModels.model().graph().weightLayers().get(0).tensor(), 16);

    private static Map<String, String> values(List<StatRow> rows) {
        return rows.stream().collect(Collectors.toMap(StatRow::label, StatRow::value));
    }

    @Test
    void summaryShowsTheFiguresOfTheTensor() {
        Map<String, String> v = values(StatsText.summary(conv));
        assertEquals("18", v.get("Elements"));
        assertEquals("-0.9", v.get("Min"));
        assertEquals("0.8", v.get("Max"));
        assertEquals("-0.05", v.get("Mean"));
        assertEquals("5.56 %  (1)", v.get("Zeros"));
        assertEquals("0 / 0", v.get("NaN / Inf"));
        // a lower bound within 0.1% (WeightStats javadoc)
        double minAbs = Double.parseDouble(v.get("Min |w| > 0"));
        assertTrue(minAbs <= 0.1 && minAbs >= 0.1 * 0.999, v.get("Min |w| > 0"));
        // std of (i - 9) / 10 computed independently
        double mean = -0.05;
        double sq = 0;
        for (float w : WorkbenchModels.convWeights()) {
            sq += (w - mean) * (w - mean);
        }
        assertEquals(Format.number(Math.sqrt(sq / 18)), v.get("Std"));
    }

    @Test
    void everyFigureHasAnExplanation() {
        for (StatRow r : StatsText.summary(conv)) {
            assertTrue(r.help().length() > 30, r.label());
        }
        List<StatRow> pct = StatsText.percentiles(conv);
        assertEquals(StatsText.SHOWN_PERCENTS.length, pct.size());
        assertEquals("p50 |w|", pct.get(2).label());
        assertTrue(pct.get(2).help().contains("pruning of 50%"), pct.get(2).help());
        assertTrue(pct.get(6).help().startsWith("99.9% of the weights"), pct.get(6).help());
        assertTrue(pct.get(6).help().contains("Only 0.1% are larger"), pct.get(6).help());
    }

    @Test
    void percentilesOfMagnitudesMatchTheSortedValues() {
        // |w| of conv1: 0, 0.1 (x2), ..., 0.8 (x2), 0.9: nearest-rank p50 of 18 values is the 9th = 0.4
        Map<String, String> v = values(StatsText.percentiles(conv));
        assertEquals(0.4, Double.parseDouble(v.get("p50 |w|")), 0.4 * 1e-3);
        assertFalse(v.containsKey("p1 |w|"));
    }
}
