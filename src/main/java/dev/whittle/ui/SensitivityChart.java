package dev.whittle.ui;

import dev.whittle.core.analysis.SensitivityTable;
import java.util.List;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.paint.Color;
import javafx.scene.text.TextAlignment;

/**
 * The sensitivity sweep as lines: the primary metric (y) against the level (x, the levels in
 * the order swept, evenly spaced), one line per layer, the unmodified model's value dashed.
 * The hovered layer's line is drawn thick and named in the read-out; up to eight layers also get
 * a legend.
 */
public final class SensitivityChart extends PlotView {
    private SensitivityTable table;
    private int hovered = -1;

    public SensitivityChart() {
        setTitles("level", "metric");
        setPrefHeight(240);
        left = 70;
    }

    public void setTable(SensitivityTable t) {
        table = t;
        hovered = -1;
        if (t != null) {
            setTitles(axisTitle(t.method()), t.metric().equals("accuracy") ? "accuracy (%)"
                    : t.metric().equals("meanCosine") ? "mean cosine vs the original" : t.metric());
        }
        redraw();
    }

    static String axisTitle(String method) {
        return switch (method) {
            case "prune" -> "sparsity (share of the layer's weights zeroed)";
            case "quantize" -> "weight bits";
            case "lowrank-params" -> "share of the layer's weight parameters kept";
            case "lowrank" -> "rank";
            default -> "level";
        };
    }

    /** A colour per layer, spread around the hue circle. */
    static Color color(int i, int n) {
        return Color.hsb((i * 360.0 / Math.max(1, n) * 7) % 360, 0.75, 0.8);
    }

    @Override
    protected boolean hasData() {
        return table != null && !table.layers().isEmpty() && !table.levels().isEmpty();
    }

    private double[] range() {
        double lo = table.baseline() == null ? Double.POSITIVE_INFINITY : table.baseline();
        double hi = table.baseline() == null ? Double.NEGATIVE_INFINITY : table.baseline();
        for (String l : table.layers()) {
            for (double level : table.levels()) {
                Double v = table.value(l, level);
                if (v != null && Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (!(hi > lo)) {
            lo = Double.isFinite(lo) ? lo - 0.01 : 0;
            hi = Double.isFinite(hi) ? hi + 0.01 : 1;
        }
        double pad = (hi - lo) * 0.05;
        return new double[] {lo - pad, hi + pad};
    }

    private double x(int i, double x0, double x1) {
        int n = table.levels().size();
        return n == 1 ? (x0 + x1) / 2 : x0 + 20 + i * (x1 - x0 - 40) / (n - 1);
    }

    @Override
    protected void draw(GraphicsContext g, double x0, double x1, double y0, double y1) {
        double[] r = range();
        double scale = table.metric().equals("accuracy") ? 100 : 1;
        yTicks(g, r[0] * scale, r[1] * scale, x0, x1, y0, y1, false);
        g.setStroke(AXIS);
        g.strokeLine(x0, snap(y0), x1, snap(y0));
        g.setFill(TEXT);
        g.setTextAlign(TextAlignment.CENTER);
        g.setTextBaseline(javafx.geometry.VPos.TOP);
        List<Double> levels = table.levels();
        for (int i = 0; i < levels.size(); i++) {
            g.fillText(Format.number(levels.get(i)), x(i, x0, x1), y0 + 6);
        }
        if (table.baseline() != null) {
            double yb = y0 - (table.baseline() - r[0]) / (r[1] - r[0]) * (y0 - y1);
            g.setStroke(AXIS);
            g.setLineDashes(5, 4);
            g.strokeLine(x0, yb, x1, yb);
            g.setLineDashes();
            g.setFill(AXIS);
            g.setTextAlign(TextAlignment.RIGHT);
            g.setTextBaseline(javafx.geometry.VPos.BOTTOM);
            g.fillText("unmodified", x1 - 4, yb - 2);
        }
        int n = table.layers().size();
        for (int k = 0; k <= n; k++) {
            int li = k < n ? k : hovered; // the hovered line last, on top
            if (li < 0 || (k < n && k == hovered)) {
                continue;
            }
            g.setStroke(color(li, n));
            g.setFill(color(li, n));
            g.setLineWidth(li == hovered ? 3 : 1.5);
            double px = Double.NaN;
            double py = Double.NaN;
            for (int i = 0; i < levels.size(); i++) {
                Double v = table.value(table.layers().get(li), levels.get(i));
                if (v == null) {
                    px = Double.NaN;
                    continue;
                }
                double cx = x(i, x0, x1);
                double cy = y0 - (v - r[0]) / (r[1] - r[0]) * (y0 - y1);
                if (!Double.isNaN(px)) {
                    g.strokeLine(px, py, cx, cy);
                }
                g.fillOval(cx - 2.5, cy - 2.5, 5, 5);
                px = cx;
                py = cy;
            }
        }
        g.setLineWidth(1);
        if (n <= 8) {
            // bottom left: the lines start high (little loss at low levels) and fall to the right
            g.setTextAlign(TextAlignment.LEFT);
            g.setTextBaseline(javafx.geometry.VPos.CENTER);
            double ly = y0 - 8 - (n - 1) * 14;
            for (int i = 0; i < n; i++) {
                g.setFill(color(i, n));
                g.fillRect(x0 + 8, ly + i * 14 - 1.5, 12, 3);
                g.setFill(TEXT);
                g.fillText(table.layers().get(i), x0 + 24, ly + i * 14);
            }
        }
    }

    @Override
    protected String describe(double mx, double my) {
        if (!hasData()) {
            return "";
        }
        double[] r = range();
        double x0 = plotLeft();
        double x1 = plotRight();
        double y0 = plotBottom();
        double y1 = plotTop();
        int best = -1;
        int bestLevel = -1;
        double bestD = 12;
        for (int li = 0; li < table.layers().size(); li++) {
            for (int i = 0; i < table.levels().size(); i++) {
                Double v = table.value(table.layers().get(li), table.levels().get(i));
                if (v == null) {
                    continue;
                }
                double d = Math.hypot(mx - x(i, x0, x1), my - (y0 - (v - r[0]) / (r[1] - r[0]) * (y0 - y1)));
                if (d < bestD) {
                    bestD = d;
                    best = li;
                    bestLevel = i;
                }
            }
        }
        if (best != hovered) {
            hovered = best;
            redraw();
        }
        if (best < 0) {
            return "";
        }
        String layer = table.layers().get(best);
        double level = table.levels().get(bestLevel);
        return layer + " at " + Format.number(level) + ": " + table.metric() + " "
                + SensitivityViewModel.value(table.metric(), table.value(layer, level));
    }
}
