package dev.whittle.ui;

import dev.whittle.core.tensor.Histogram;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.input.MouseEvent;
import javafx.scene.text.TextAlignment;

/**
 * The |w| histogram of the prune tab: bars of the magnitudes, the threshold t as a vertical
 * line the user drags, and the bars at or under t shaded (those weights become zero).
 * {@link #thresholdProperty()} is the single value the line shows; {@link #draggingProperty()}
 * is true while the mouse holds the line, so the caller can commit one edit on release.
 */
public final class ThresholdHistogramView extends PlotView {
    private final DoubleProperty threshold = new SimpleDoubleProperty(this, "threshold", 0);
    private final BooleanProperty dragging = new SimpleBooleanProperty(this, "dragging", false);
    private final BooleanProperty logCounts = new SimpleBooleanProperty(this, "logCounts", false);
    private final BooleanProperty showThreshold = new SimpleBooleanProperty(this, "showThreshold", true);
    private Histogram histogram;

    public ThresholdHistogramView() {
        setTitles("|w|, weight magnitude", "count of weights");
        threshold.addListener((o, a, b) -> redraw());
        logCounts.addListener((o, a, b) -> redraw());
        showThreshold.addListener((o, a, b) -> redraw());
    }

    /** False for N:M and channel pruning, which have no single threshold to drag. */
    public BooleanProperty showThresholdProperty() {
        return showThreshold;
    }

    /** A linear histogram of |w| over [0, max|w|]. */
    public void setHistogram(Histogram h) {
        this.histogram = h;
        redraw();
    }

    public Histogram histogram() {
        return histogram;
    }

    public DoubleProperty thresholdProperty() {
        return threshold;
    }

    public BooleanProperty draggingProperty() {
        return dragging;
    }

    public BooleanProperty logCountsProperty() {
        return logCounts;
    }

    @Override
    protected boolean hasData() {
        return histogram != null && histogram.hi() > histogram.lo();
    }

    private double toX(double v) {
        return plotLeft() + (v - histogram.lo()) / (histogram.hi() - histogram.lo()) * (plotRight() - plotLeft());
    }

    private double fromX(double x) {
        double v = histogram.lo() + (x - plotLeft()) / (plotRight() - plotLeft()) * (histogram.hi() - histogram.lo());
        return Math.max(histogram.lo(), Math.min(histogram.hi(), v));
    }

    /** Screen x of the threshold line: for tests and the robot that drags it. */
    public double thresholdX() {
        return hasData() ? toX(threshold.get()) : Double.NaN;
    }

    @Override
    protected void draw(GraphicsContext g, double x0, double x1, double y0, double y1) {
        long max = Math.max(1, histogram.maxCount());
        double top = logCounts.get() ? Math.log10(1 + max) : max;
        countTicks(g, max, logCounts.get(), x0, x1, y0, y1);
        long[] counts = histogram.counts();
        double bw = (x1 - x0) / counts.length;
        double t = showThreshold.get() ? threshold.get() : -1;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] == 0) {
                continue;
            }
            double v = logCounts.get() ? Math.log10(1 + counts[i]) : counts[i];
            double yTop = y0 - v / top * (y0 - y1);
            boolean pruned = histogram.upperEdge(i) <= t;
            boolean partly = !pruned && histogram.lowerEdge(i) < t;
            g.setFill(pruned ? ACCENT : partly ? ACCENT.interpolate(BAR, 0.5) : BAR);
            g.fillRect(x0 + i * bw, yTop, Math.max(bw - (bw > 3 ? 1 : 0), 1), Math.max(1, y0 - yTop));
        }
        xTicks(g, histogram.lo(), histogram.hi(), x0, x1, y0, false);
        if (!showThreshold.get()) {
            return;
        }
        double xt = toX(t);
        g.setFill(SHADE);
        g.fillRect(x0, y1, Math.max(0, xt - x0), y0 - y1);
        g.setStroke(ACCENT);
        g.setLineWidth(2);
        g.strokeLine(snap(xt), y1, snap(xt), y0);
        g.setLineWidth(1);
        g.setFill(ACCENT);
        g.setTextAlign(xt > (x0 + x1) / 2 ? TextAlignment.RIGHT : TextAlignment.LEFT);
        g.fillText("t = " + Format.number(t) + (dragging.get() ? "" : "  (drag)"),
                xt + (xt > (x0 + x1) / 2 ? -6 : 6), y1 + 8);
    }

    @Override
    protected String describe(double x, double y) {
        if (!hasData() || x < plotLeft() || x > plotRight()) {
            return "";
        }
        int i = (int) Math.min(histogram.bins() - 1, Math.floor((x - plotLeft()) / (plotRight() - plotLeft()) * histogram.bins()));
        return "|w| in [" + Format.number(histogram.lowerEdge(i)) + ", " + Format.number(histogram.upperEdge(i)) + "): "
                + Format.count(histogram.counts()[i]) + " weights";
    }

    @Override
    protected boolean grabbable(double x, double y) {
        return hasData() && showThreshold.get() && Math.abs(x - thresholdX()) <= 6;
    }

    @Override
    protected boolean press(MouseEvent e) {
        if (!hasData() || !showThreshold.get() || e.getX() < plotLeft() - 6 || e.getX() > plotRight() + 6) {
            return false;
        }
        dragging.set(true); // a press anywhere on the plot moves the line there: one gesture, not two
        threshold.set(fromX(e.getX()));
        return true;
    }

    @Override
    protected void drag(MouseEvent e) {
        threshold.set(fromX(e.getX()));
    }

    @Override
    protected void release(MouseEvent e) {
        dragging.set(false);
        redraw();
    }
}
