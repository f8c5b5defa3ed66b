package dev.whittle.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class HistogramTicksTest {
    @Test
    void stepsAreOneTwoOrFiveTimesAPowerOfTen() {
        assertEquals(0.2, HistogramView.niceStep(0.17), 1e-12);
        assertEquals(5.0, HistogramView.niceStep(3.2), 1e-12);
        assertEquals(1000.0, HistogramView.niceStep(1000), 1e-12);
    }

    @Test
    void valueTicksAreRoundAndInsideTheRange() {
        // range 1.42 over at most 9 ticks: raw step 0.158 rounds up to 0.2
        assertEquals(List.of(-0.6, -0.4, -0.2, 0.0, 0.2, 0.4, 0.6), round(HistogramView.niceTicks(-0.7725, 0.6508, 9)));
    }

    @Test
    void logTicksAreWholeDecades() {
        assertEquals(List.of(-8.0, -6.0, -4.0, -2.0, 0.0), HistogramView.decadeTicks(-8.07, 0.17, 5));
        assertEquals(List.of(-2.0, -1.0), HistogramView.decadeTicks(-2.3, -0.6, 8));
    }

    @Test
    void linearCountTicksStartAtZeroAndLogOnesArePowersOfTen() {
        assertEquals(List.of(0L, 2000L, 4000L, 6000L), HistogramView.yTicks(7000, false));
        assertEquals(List.of(0L, 20000L, 40000L, 60000L, 80000L), HistogramView.yTicks(81_000, false));
        assertEquals(List.of(0L, 1L, 2L, 3L), HistogramView.yTicks(3, false));
        assertEquals(List.of(0L, 1L, 10L, 100L, 1000L, 10000L), HistogramView.yTicks(23_000, true));
    }

    private static List<Double> round(List<Double> v) {
        return v.stream().map(d -> Math.round(d * 1e9) / 1e9).toList();
    }
}
