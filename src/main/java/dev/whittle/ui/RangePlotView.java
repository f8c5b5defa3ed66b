package dev.whittle.ui;

import javafx.scene.canvas.GraphicsContext;
import javafx.scene.paint.Color;
import javafx.scene.text.TextAlignment;

/**
 * Every output channel's min and max weight as a vertical bar (AIMET's per-channel range plot),
 * with the common clip range drawn across: channels whose range reaches past the clip are the
 * outliers a per-tensor scale would be set by, and they show red.
 */
public final class RangePlotView extends PlotView {
    private static final Color OUTLIER = Color.web("#d2553f");
    private float[] min;
    private float[] max;
    private double lo = Double.NaN;
    private double hi = Double.NaN;

    public RangePlotView() {
        setTitles("output channel", "w (min to max)");
        setPrefHeight(170);
    }

    public void setRanges(float[] channelMin, float[] channelMax) {
        min = channelMin;
        max = channelMax;
        redraw();
    }

    /** The common clip range drawn across the channels (NaN hides it). */
    public void setClip(double lo, double hi) {
        this.lo = lo;
        this.hi = hi;
        redraw();
    }

    @Override
    protected boolean hasData() {
        return min != null && min.length > 0;
    }

    private double yMin() {
        double m = Double.isNaN(lo) ? 0 : lo;
        for (float v : min) {
            m = Math.min(m, v);
        }
        return m;
    }

    private double yMax() {
        double m = Double.isNaN(hi) ? 0 : hi;
        for (float v : max) {
            m = Math.max(m, v);
        }
        return m > yMin() ? m : yMin() + 1;
    }

    @Override
    protected void draw(GraphicsContext g, double x0, double x1, double y0, double y1) {
        double a = yMin();
        double b = yMax();
        yTicks(g, a, b, x0, x1, y0, y1, false);
        int n = min.length;
        double bw = (x1 - x0) / n;
        for (int c = 0; c < n; c++) {
            double yTop = y0 - (max[c] - a) / (b - a) * (y0 - y1);
            double yBot = y0 - (min[c] - a) / (b - a) * (y0 - y1);
            boolean outside = !Double.isNaN(lo) && (min[c] < lo || max[c] > hi);
            g.setFill(outside ? OUTLIER : BAR);
            g.fillRect(x0 + c * bw, yTop, Math.max(1, bw - (bw > 3 ? 1 : 0)), Math.max(1, yBot - yTop));
        }
        if (!Double.isNaN(lo)) {
            g.setStroke(GREEN);
            g.setLineDashes(5, 3);
            for (double v : new double[] {lo, hi}) {
                double y = snap(y0 - (v - a) / (b - a) * (y0 - y1));
                g.strokeLine(x0, y, x1, y);
            }
            g.setLineDashes(null);
        }
        xTicks(g, 0, n, x0, x1, y0, false);
        if (!Double.isNaN(lo)) {
            int out = 0;
            for (int c = 0; c < n; c++) {
                if (min[c] < lo || max[c] > hi) {
                    out++;
                }
            }
            g.setFill(out > 0 ? OUTLIER : GREEN);
            g.setTextAlign(TextAlignment.RIGHT);
            g.fillText(out + " of " + n + " channels reach past the clip range", x1, y1 + 2);
        }
    }

    @Override
    protected String describe(double x, double y) {
        if (!hasData() || x < plotLeft() || x > plotRight()) {
            return "";
        }
        int c = (int) Math.min(min.length - 1, Math.floor((x - plotLeft()) / (plotRight() - plotLeft()) * min.length));
        return "channel " + c + ": w in [" + Format.number(min[c]) + ", " + Format.number(max[c]) + "]";
    }
}
