package dev.whittle.ui;

import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.geometry.VPos;
import javafx.scene.Cursor;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.TextAlignment;

/**
 * A chart drawn on a canvas that follows the region's size: a plot rectangle with axes, round
 * ticks, axis titles with units and a hover read-out; subclasses draw the data and may offer
 * draggable handles. A canvas, not JavaFX's charts: those create a node per point and slow
 * down past a few thousand points (docs/decisions/0010-canvas-charts-and-workbench-layout.md). Redraws happen on the FX
 * thread from data already prepared off it, so one redraw is a few thousand canvas calls.
 */
public abstract class PlotView extends Region {
    static final Color BAR = Color.web("#3b6fd4");
    static final Color BAR_LIGHT = Color.web("#9db6e8");
    static final Color GRID = Color.web("#e6e8ec");
    static final Color AXIS = Color.web("#8a919c");
    static final Color TEXT = Color.web("#4a515c");
    static final Color ACCENT = Color.web("#d2553f");
    static final Color SHADE = Color.web("#d2553f", 0.18);
    static final Color GREEN = Color.web("#2e8b57");

    protected double left = 62;
    protected double right = 18;
    protected double top = 14;
    protected double bottom = 42;
    private final Canvas canvas = new Canvas();
    private final ReadOnlyStringWrapper hoverText = new ReadOnlyStringWrapper(this, "hoverText", "");
    private String xTitle = "";
    private String yTitle = "";
    private boolean dragging;

    protected PlotView() {
        getStyleClass().add("plot-view");
        getChildren().add(canvas);
        setMinSize(160, 120);
        setPrefSize(560, 260);
        canvas.setOnMouseMoved(e -> {
            hoverText.set(describe(e.getX(), e.getY()));
            canvas.setCursor(grabbable(e.getX(), e.getY()) ? Cursor.H_RESIZE : Cursor.DEFAULT);
        });
        canvas.setOnMouseExited(e -> hoverText.set(""));
        canvas.setOnMousePressed(e -> {
            dragging = press(e);
            if (dragging) {
                e.consume();
            }
        });
        canvas.setOnMouseDragged(e -> {
            if (dragging) {
                drag(e);
                hoverText.set(describe(e.getX(), e.getY()));
            }
        });
        canvas.setOnMouseReleased(e -> {
            if (dragging) {
                dragging = false;
                release(e);
            }
        });
    }

    /** Axis titles, with units: "|w| (weight magnitude)", "count of weights". */
    public void setTitles(String x, String y) {
        xTitle = x;
        yTitle = y;
        redraw();
    }

    /** What the mouse points at, in words; empty when it points at nothing. */
    public ReadOnlyStringProperty hoverTextProperty() {
        return hoverText.getReadOnlyProperty();
    }

    public Canvas canvas() {
        return canvas;
    }

    @Override
    protected void layoutChildren() {
        double w = snapSizeX(getWidth());
        double h = snapSizeY(getHeight());
        if (canvas.getWidth() != w || canvas.getHeight() != h) {
            canvas.setWidth(w);
            canvas.setHeight(h);
            redraw();
        }
    }

    /** Draws everything again from the current data. */
    public final void redraw() {
        GraphicsContext g = canvas.getGraphicsContext2D();
        double w = canvas.getWidth();
        double h = canvas.getHeight();
        g.clearRect(0, 0, w, h);
        if (w < left + right + 20 || h < top + bottom + 20 || !hasData()) {
            return;
        }
        g.setFont(Font.font(11));
        g.setLineWidth(1);
        draw(g, left, w - right, h - bottom, top);
        g.setFill(AXIS);
        g.setTextAlign(TextAlignment.CENTER);
        g.setTextBaseline(VPos.TOP);
        g.fillText(xTitle, (left + w - right) / 2, h - bottom + 24);
        g.save();
        g.translate(12, (h - bottom + top) / 2);
        g.rotate(-90);
        g.setTextBaseline(VPos.CENTER);
        g.fillText(yTitle, 0, 0);
        g.restore();
    }

    protected double plotLeft() {
        return left;
    }

    protected double plotRight() {
        return canvas.getWidth() - right;
    }

    protected double plotBottom() {
        return canvas.getHeight() - bottom;
    }

    protected double plotTop() {
        return top;
    }

    protected abstract boolean hasData();

    /** Draws the data into the plot rectangle x0..x1 (left to right), y0..y1 (bottom to top). */
    protected abstract void draw(GraphicsContext g, double x0, double x1, double y0, double y1);

    protected String describe(double x, double y) {
        return "";
    }

    /** Whether a press at (x, y) would grab a handle: the cursor shows it. */
    protected boolean grabbable(double x, double y) {
        return false;
    }

    /** A press; true to start dragging. */
    protected boolean press(MouseEvent e) {
        return false;
    }

    protected void drag(MouseEvent e) {
    }

    protected void release(MouseEvent e) {
    }

    /** Linear x ticks with labels under the axis. */
    protected void xTicks(GraphicsContext g, double lo, double hi, double x0, double x1, double y0, boolean decades) {
        g.setStroke(AXIS);
        g.strokeLine(x0, snap(y0), x1, snap(y0));
        g.setFill(TEXT);
        g.setTextAlign(TextAlignment.CENTER);
        g.setTextBaseline(VPos.TOP);
        int target = Math.max(2, (int) ((x1 - x0) / 90));
        for (double t : decades ? HistogramView.decadeTicks(lo, hi, target) : HistogramView.niceTicks(lo, hi, target)) {
            double x = x0 + (t - lo) / (hi - lo) * (x1 - x0);
            g.strokeLine(snap(x), y0, snap(x), y0 + 4);
            g.fillText(decades ? "1e" + Math.round(t) : Format.number(t), x, y0 + 6);
        }
    }

    /** Horizontal grid lines and labels at round values of a linear y axis lo..hi. */
    protected void yTicks(GraphicsContext g, double lo, double hi, double x0, double x1, double y0, double y1,
                          boolean decades) {
        g.setTextAlign(TextAlignment.RIGHT);
        g.setTextBaseline(VPos.CENTER);
        int target = Math.max(2, (int) ((y0 - y1) / 50));
        for (double t : decades ? HistogramView.decadeTicks(lo, hi, target) : HistogramView.niceTicks(lo, hi, target)) {
            double y = y0 - (t - lo) / (hi - lo) * (y0 - y1);
            g.setStroke(GRID);
            g.strokeLine(x0, snap(y), x1, snap(y));
            g.setFill(TEXT);
            g.fillText(decades ? "1e" + Math.round(t) : Format.number(t), x0 - 6, y);
        }
    }

    /** Count grid lines: round counts, or 1, 10, 100... when bar heights are log10(1 + count). */
    protected void countTicks(GraphicsContext g, long max, boolean log, double x0, double x1, double y0, double y1) {
        g.setTextAlign(TextAlignment.RIGHT);
        g.setTextBaseline(VPos.CENTER);
        double top = log ? Math.log10(1 + max) : max;
        double last = Double.POSITIVE_INFINITY;
        for (long c : HistogramView.yTicks(max, log)) {
            double y = y0 - (log ? Math.log10(1 + c) : c) / top * (y0 - y1);
            g.setStroke(GRID);
            g.strokeLine(x0, snap(y), x1, snap(y));
            if (last - y >= 14) {
                g.setFill(TEXT);
                g.fillText(c >= 10_000 ? Format.shortCount(c) : Long.toString(c), x0 - 6, y);
                last = y;
            }
        }
    }

    static double snap(double v) {
        return Math.floor(v) + 0.5;
    }
}
