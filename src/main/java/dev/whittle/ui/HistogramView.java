package dev.whittle.ui;

import dev.whittle.core.tensor.Histogram;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.geometry.VPos;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.TextAlignment;

/**
 * Draws a {@link Histogram} on a canvas that follows the region's size: bars, axes with round
 * tick values, a dashed line at w = 0, and a hover read-out of the bin under the mouse. A
 * canvas rather than a BarChart because 128 category bars with labels are slow and unreadable.
 */
public final class HistogramView extends Region {
    private static final Color BAR = Color.web("#3b6fd4");
    private static final Color BAR_HOVER = Color.web("#1f4fa8");
    private static final Color GRID = Color.web("#e6e8ec");
    private static final Color AXIS = Color.web("#8a919c");
    private static final Color TEXT = Color.web("#4a515c");
    private static final Color ZERO = Color.web("#d2553f");
    private static final double LEFT = 62;
    private static final double RIGHT = 18;
    private static final double TOP = 14;
    private static final double BOTTOM = 42;

    private final Canvas canvas = new Canvas();
    private final ReadOnlyStringWrapper hoverText = new ReadOnlyStringWrapper(this, "hoverText", "");
    private Histogram histogram;
    private boolean logCounts;
    private int hoverBin = -1;

    public HistogramView() {
        getStyleClass().add("histogram");
        getChildren().add(canvas);
        setMinSize(200, 140);
        setPrefSize(640, 300);
        canvas.setOnMouseMoved(e -> hover(binAt(e.getX())));
        canvas.setOnMouseExited(e -> hover(-1));
    }

    public void setData(Histogram h, boolean logScale) {
        this.histogram = h;
        this.logCounts = logScale;
        hoverBin = -1;
        hoverText.set("");
        draw();
    }

    public Histogram getHistogram() {
        return histogram;
    }

    public boolean isLogCounts() {
        return logCounts;
    }

    /** Describes the bin under the mouse, e.g. "[-0.0125, -0.0100): 1,234 weights". */
    public ReadOnlyStringProperty hoverTextProperty() {
        return hoverText.getReadOnlyProperty();
    }

    @Override
    protected void layoutChildren() {
        double w = snapSizeX(getWidth());
        double h = snapSizeY(getHeight());
        if (canvas.getWidth() != w || canvas.getHeight() != h) {
            canvas.setWidth(w);
            canvas.setHeight(h);
            draw();
        }
    }

    private int binAt(double x) {
        if (histogram == null) {
            return -1;
        }
        double plotW = canvas.getWidth() - LEFT - RIGHT;
        int i = (int) Math.floor((x - LEFT) / plotW * histogram.bins());
        return i >= 0 && i < histogram.bins() ? i : -1;
    }

    private void hover(int bin) {
        if (bin == hoverBin) {
            return;
        }
        hoverBin = bin;
        if (bin < 0 || histogram == null) {
            hoverText.set("");
        } else {
            String lo = Format.number(histogram.lowerEdge(bin));
            String hi = Format.number(histogram.upperEdge(bin));
            String what = histogram.log() ? "|w| in [" : "w in [";
            hoverText.set(what + lo + ", " + hi + "): " + Format.count(histogram.counts()[bin]) + " weights");
        }
        draw();
    }

    private void draw() {
        GraphicsContext g = canvas.getGraphicsContext2D();
        double w = canvas.getWidth();
        double h = canvas.getHeight();
        g.clearRect(0, 0, w, h);
        if (histogram == null || w < LEFT + RIGHT + 10 || h < TOP + BOTTOM + 10) {
            return;
        }
        double x0 = LEFT;
        double x1 = w - RIGHT;
        double y0 = h - BOTTOM;
        double y1 = TOP;
        long max = Math.max(1, histogram.maxCount());
        g.setFont(Font.font(11));
        g.setTextBaseline(VPos.CENTER);

        // y grid and tick labels
        g.setTextAlign(TextAlignment.RIGHT);
        double lastLabel = Double.POSITIVE_INFINITY;
        for (long c : yTicks(max, logCounts)) {
            double y = y0 - scale(c, max) * (y0 - y1);
            g.setStroke(GRID);
            g.setLineWidth(1);
            g.strokeLine(x0, snap(y), x1, snap(y));
            if (lastLabel - y >= 14) { // on a log scale 0 and 1 sit close together: label only one
                g.setFill(TEXT);
                g.fillText(countLabel(c), x0 - 6, y);
                lastLabel = y;
            }
        }

        // bars
        int n = histogram.bins();
        double bw = (x1 - x0) / n;
        long[] counts = histogram.counts();
        for (int i = 0; i < n; i++) {
            if (counts[i] == 0) {
                continue;
            }
            double top = y0 - scale(counts[i], max) * (y0 - y1);
            double left = x0 + i * bw;
            double width = bw > 3 ? bw - 1 : Math.max(bw, 1);
            g.setFill(i == hoverBin ? BAR_HOVER : BAR);
            g.fillRect(left, top, width, Math.max(1, y0 - top));
        }

        // x axis, ticks and labels
        g.setStroke(AXIS);
        g.strokeLine(x0, snap(y0), x1, snap(y0));
        g.setTextAlign(TextAlignment.CENTER);
        g.setTextBaseline(VPos.TOP);
        double lo = histogram.lo();
        double hi = histogram.hi();
        int target = Math.max(2, (int) ((x1 - x0) / 90));
        for (double t : histogram.log() ? decadeTicks(lo, hi, target) : niceTicks(lo, hi, target)) {
            double x = x0 + (t - lo) / (hi - lo) * (x1 - x0);
            g.setStroke(AXIS);
            g.strokeLine(snap(x), y0, snap(x), y0 + 4);
            g.setFill(TEXT);
            g.fillText(histogram.log() ? "1e" + Math.round(t) : Format.number(t), x, y0 + 6);
        }
        if (!histogram.log() && lo < 0 && hi > 0) {
            double x = x0 + (0 - lo) / (hi - lo) * (x1 - x0);
            g.setStroke(ZERO);
            g.setLineDashes(4, 3);
            g.strokeLine(snap(x), y1, snap(x), y0);
            g.setLineDashes(null);
        }
        g.setFill(AXIS);
        g.setTextAlign(TextAlignment.CENTER);
        g.fillText(histogram.log() ? "|w| (log scale, nonzero weights)" : "weight value w", (x0 + x1) / 2, y0 + 24);
        if (histogram.log() && histogram.zeros() > 0) {
            g.setTextAlign(TextAlignment.RIGHT);
            g.setTextBaseline(VPos.TOP);
            g.fillText("+ " + Format.count(histogram.zeros()) + " exact zeros (not on a log axis)", x1, 2);
        }
        g.save();
        g.translate(12, (y0 + y1) / 2);
        g.rotate(-90);
        g.setTextAlign(TextAlignment.CENTER);
        g.setTextBaseline(VPos.CENTER);
        g.fillText(logCounts ? "count (log scale)" : "count", 0, 0);
        g.restore();
    }

    /** Bar height as a fraction of the plot: linear, or log10(1 + count) so single counts stay visible. */
    private double scale(long c, long max) {
        return logCounts ? Math.log10(1 + c) / Math.log10(1 + max) : (double) c / max;
    }

    private static double snap(double v) {
        return Math.floor(v) + 0.5;
    }

    static List<Long> yTicks(long max, boolean log) {
        List<Long> ticks = new ArrayList<>();
        if (log) {
            for (long p = 1; p <= max; p *= 10) {
                ticks.add(p);
            }
            ticks.add(0, 0L);
            return ticks;
        }
        double step = nearestNiceStep(max / 4.0);
        for (double v = 0; v <= max + 1e-9; v += step) {
            ticks.add(Math.round(v));
        }
        return ticks;
    }

    /** Round values in [lo, hi], about {@code target} of them, for axis labels. */
    static List<Double> niceTicks(double lo, double hi, int target) {
        List<Double> ticks = new ArrayList<>();
        if (!(hi > lo)) {
            return ticks;
        }
        double step = niceStep((hi - lo) / target);
        double first = Math.ceil(lo / step) * step;
        for (double v = first; v <= hi + step * 1e-9; v += step) {
            ticks.add(Math.abs(v) < step * 1e-9 ? 0.0 : v);
        }
        return ticks;
    }

    /** Whole powers of ten (as exponents) in [lo, hi], every decade or every few decades. */
    static List<Double> decadeTicks(double lo, double hi, int target) {
        List<Double> ticks = new ArrayList<>();
        long step = Math.max(1, (long) Math.ceil((hi - lo) / target));
        for (long e = (long) Math.ceil(lo); e <= Math.floor(hi); e++) {
            if (e % step == 0) {
                ticks.add((double) e);
            }
        }
        return ticks;
    }

    /** 1, 2 or 5 times a power of ten, nearest to {@code raw}: 3 to 6 count grid lines, never just one. */
    static double nearestNiceStep(double raw) {
        if (!(raw > 0)) {
            return 1;
        }
        double exp = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / exp;
        double nice = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
        return Math.max(1, nice * exp);
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
    static double niceStep(double raw) {
        if (!(raw > 0)) {
            return 1;
        }
        double exp = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / exp;
        double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
        return nice * exp;
    }

    private static String countLabel(long c) {
        if (c >= 1_000_000) {
            return String.format(Locale.ROOT, "%.1fM", c / 1e6);
        }
        if (c >= 10_000) {
            return String.format(Locale.ROOT, "%.0fk", c / 1e3);
        }
        return Long.toString(c);
    }
}
