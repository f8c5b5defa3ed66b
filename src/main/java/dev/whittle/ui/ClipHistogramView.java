package dev.whittle.ui;

import dev.whittle.core.tensor.Histogram;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.input.MouseEvent;
import javafx.scene.paint.Color;
import javafx.scene.text.TextAlignment;

/**
 * The w histogram of the quantize tab: the clip range [lo, hi] as two lines the user drags
 * (mirrored when symmetric), the clipped tails shaded, and the grid of representable values of
 * the chosen bits drawn over the range, so a student sees how coarse int4 is next to int8.
 */
public final class ClipHistogramView extends PlotView {
    private static final Color LEVEL = Color.web("#1b7a43", 0.30);
    private static final Color LEVEL_TICK = Color.web("#1b7a43");
    private final DoubleProperty lo = new SimpleDoubleProperty(this, "lo", -1);
    private final DoubleProperty hi = new SimpleDoubleProperty(this, "hi", 1);
    private final IntegerProperty bits = new SimpleIntegerProperty(this, "bits", 8);
    private final BooleanProperty symmetric = new SimpleBooleanProperty(this, "symmetric", true);
    private final BooleanProperty dragging = new SimpleBooleanProperty(this, "dragging", false);
    private final BooleanProperty logCounts = new SimpleBooleanProperty(this, "logCounts", false);
    private Histogram histogram;
    private boolean draggingHi;

    public ClipHistogramView() {
        setTitles("w, weight value", "count of weights");
        for (javafx.beans.value.ObservableValue<?> p : new javafx.beans.value.ObservableValue<?>[] {lo, hi, bits, symmetric, logCounts}) {
            p.addListener((o, a, b) -> redraw()); // change listeners: they fire even when nothing read the value
        }
    }

    /** A linear histogram of w over [min, max]. */
    public void setHistogram(Histogram h) {
        this.histogram = h;
        redraw();
    }

    public DoubleProperty loProperty() {
        return lo;
    }

    public DoubleProperty hiProperty() {
        return hi;
    }

    public IntegerProperty bitsProperty() {
        return bits;
    }

    public BooleanProperty symmetricProperty() {
        return symmetric;
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

    /** Plotted x range: the data and the clip range, whichever is wider. */
    private double xMin() {
        return Math.min(histogram.lo(), lo.get());
    }

    private double xMax() {
        return Math.max(histogram.hi(), hi.get());
    }

    public double toX(double v) {
        return plotLeft() + (v - xMin()) / (xMax() - xMin()) * (plotRight() - plotLeft());
    }

    private double fromX(double x) {
        return xMin() + (x - plotLeft()) / (plotRight() - plotLeft()) * (xMax() - xMin());
    }

    @Override
    protected void draw(GraphicsContext g, double x0, double x1, double y0, double y1) {
        long max = Math.max(1, histogram.maxCount());
        boolean log = logCounts.get();
        double top = log ? Math.log10(1 + max) : max;
        countTicks(g, max, logCounts.get(), x0, x1, y0, y1);
        long[] counts = histogram.counts();
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] == 0) {
                continue;
            }
            double a = toX(histogram.lowerEdge(i));
            double b = toX(histogram.upperEdge(i));
            double yTop = y0 - (log ? Math.log10(1 + counts[i]) : counts[i]) / top * (y0 - y1);
            boolean clipped = histogram.upperEdge(i) <= lo.get() || histogram.lowerEdge(i) >= hi.get();
            g.setFill(clipped ? ACCENT : BAR);
            g.fillRect(a, yTop, Math.max(1, b - a - (b - a > 3 ? 1 : 0)), Math.max(1, y0 - yTop));
        }
        double xl = toX(lo.get());
        double xh = toX(hi.get());
        g.setFill(SHADE);
        g.fillRect(x0, y1, Math.max(0, xl - x0), y0 - y1);
        g.fillRect(xh, y1, Math.max(0, x1 - xh), y0 - y1);
        drawLevels(g, y0, y1);
        xTicks(g, xMin(), xMax(), x0, x1, y0, false);
        g.setStroke(ACCENT);
        g.setLineWidth(2);
        g.strokeLine(snap(xl), y1, snap(xl), y0);
        g.strokeLine(snap(xh), y1, snap(xh), y0);
        g.setLineWidth(1);
        g.setFill(ACCENT);
        boolean hiInside = xh > x1 - 80;
        g.setTextAlign(hiInside ? TextAlignment.RIGHT : TextAlignment.LEFT);
        g.fillText("hi = " + Format.number(hi.get()), xh + (hiInside ? -5 : 5), y1 + 24);
        boolean loInside = xl < x0 + 80;
        g.setTextAlign(loInside ? TextAlignment.LEFT : TextAlignment.RIGHT);
        g.fillText("lo = " + Format.number(lo.get()), xl + (loInside ? 5 : -5), y1 + 24);
    }

    /** The representable values: every one when they are 3 px apart or more, else every n-th. */
    private void drawLevels(GraphicsContext g, double y0, double y1) {
        double[] levels = QuantMath.levels(lo.get(), hi.get(), bits.get(), symmetric.get());
        if (levels.length < 2) {
            return;
        }
        double spacing = Math.abs(toX(levels[1]) - toX(levels[0]));
        int every = spacing >= 3 ? 1 : (int) Math.ceil(3 / Math.max(spacing, 1e-9));
        for (int k = 0; k < levels.length; k += every) {
            double x = snap(toX(levels[k]));
            g.setStroke(LEVEL);
            g.strokeLine(x, y1, x, y0);
            g.setStroke(LEVEL_TICK);
            g.setLineWidth(2);
            g.strokeLine(x, y0 - 7, x, y0);
            g.setLineWidth(1);
        }
        g.setFill(LEVEL_TICK);
        g.setTextAlign(TextAlignment.CENTER);
        g.fillText(levels.length + " levels" + (every > 1 ? " (every " + every + "th drawn)" : ""),
                (toX(lo.get()) + toX(hi.get())) / 2, y1 + 8);
    }

    @Override
    protected String describe(double x, double y) {
        if (!hasData() || x < plotLeft() || x > plotRight()) {
            return "";
        }
        double v = fromX(x);
        if (v < histogram.lo() || v >= histogram.hi()) {
            return "w = " + Format.number(v) + ": outside the weights' range";
        }
        int i = (int) Math.min(histogram.bins() - 1, Math.floor((v - histogram.lo()) / histogram.binWidth()));
        String where = v < lo.get() || v > hi.get() ? " (clipped to the range)" : "";
        return "w in [" + Format.number(histogram.lowerEdge(i)) + ", " + Format.number(histogram.upperEdge(i)) + "): "
                + Format.count(histogram.counts()[i]) + " weights" + where;
    }

    @Override
    protected boolean grabbable(double x, double y) {
        return hasData() && (Math.abs(x - toX(lo.get())) <= 6 || Math.abs(x - toX(hi.get())) <= 6);
    }

    @Override
    protected boolean press(MouseEvent e) {
        if (!hasData() || e.getX() < plotLeft() - 6 || e.getX() > plotRight() + 6) {
            return false;
        }
        // The nearer line moves; a press between the lines picks by side of the centre.
        draggingHi = Math.abs(e.getX() - toX(hi.get())) < Math.abs(e.getX() - toX(lo.get()));
        dragging.set(true);
        drag(e);
        return true;
    }

    @Override
    protected void drag(MouseEvent e) {
        double v = fromX(Math.max(plotLeft(), Math.min(plotRight(), e.getX())));
        if (symmetric.get()) {
            double m = Math.max(Math.abs(v), 1e-12);
            lo.set(-m);
            hi.set(m);
        } else if (draggingHi) {
            hi.set(Math.max(v, lo.get() + 1e-12));
        } else {
            lo.set(Math.min(v, hi.get() - 1e-12));
        }
    }

    @Override
    protected void release(MouseEvent e) {
        dragging.set(false);
    }
}
