package dev.whittle.ui;

import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.input.MouseEvent;
import javafx.scene.text.TextAlignment;

/**
 * The singular-value spectrum of the low-rank tab: sigma_i on a log axis (bars), the cumulative
 * energy sum(sigma^2 up to i) / sum(sigma^2) as a line on a 0-100 % axis at the right, and the
 * rank as a line the user drags; the singular values kept are coloured, the dropped ones pale.
 */
public final class SpectrumView extends PlotView {
    /** The whitened curve's colour: apart from the rank line (accent) and the plain curve (green). */
    private static final javafx.scene.paint.Color WHITENED = javafx.scene.paint.Color.web("#6a4c93");
    private final IntegerProperty rank = new SimpleIntegerProperty(this, "rank", 1);
    private final BooleanProperty dragging = new SimpleBooleanProperty(this, "dragging", false);
    private float[] sigma;
    private double[] cumulative;
    /** Cumulative energy of the whitened spectrum (output energy kept), or null. */
    private double[] whitened;

    public SpectrumView() {
        right = 48;
        top = 26;
        setTitles("index i of the singular value (largest first)", "singular value sigma_i (log scale)");
        rank.addListener((o, a, b) -> redraw());
    }

    /** Descending singular values; null clears the chart. */
    public void setSpectrum(float[] s) {
        sigma = s;
        cumulative = s != null && s.length > 0 ? cumulative(s) : null;
        redraw();
    }

    /**
     * The whitened spectrum (singular values of R·W), drawn as its cumulative energy, dashed, on
     * the same index axis; null removes it.
     */
    public void setWhitened(float[] s) {
        whitened = s == null || s.length == 0 ? null : cumulative(s);
        redraw();
    }

    private static double[] cumulative(float[] s) {
        double[] c = new double[s.length];
        double total = 0;
        for (float v : s) {
            total += (double) v * v;
        }
        double run = 0;
        for (int i = 0; i < s.length; i++) {
            run += (double) s[i] * s[i];
            c[i] = total > 0 ? run / total : 0;
        }
        return c;
    }

    public IntegerProperty rankProperty() {
        return rank;
    }

    public BooleanProperty draggingProperty() {
        return dragging;
    }

    @Override
    protected boolean hasData() {
        return sigma != null && sigma.length > 0;
    }

    private double lowLog() {
        double min = Double.POSITIVE_INFINITY;
        for (float v : sigma) {
            if (v > 0) {
                min = Math.min(min, v);
            }
        }
        return Double.isFinite(min) ? Math.floor(Math.log10(min)) : -1;
    }

    /** Screen x of the middle of value index i (0-based). */
    public double xOf(int i) {
        return plotLeft() + (i + 0.5) / sigma.length * (plotRight() - plotLeft());
    }

    private int indexAt(double x) {
        int i = (int) Math.floor((x - plotLeft()) / (plotRight() - plotLeft()) * sigma.length);
        return Math.max(0, Math.min(sigma.length - 1, i));
    }

    @Override
    protected void draw(GraphicsContext g, double x0, double x1, double y0, double y1) {
        double lo = lowLog();
        double hi = Math.ceil(Math.log10(Math.max(sigma[0], 1e-30)));
        if (hi <= lo) {
            hi = lo + 1;
        }
        yTicks(g, lo, hi, x0, x1, y0, y1, true);
        double bw = (x1 - x0) / sigma.length;
        int r = rank.get();
        for (int i = 0; i < sigma.length; i++) {
            if (sigma[i] <= 0) {
                continue;
            }
            double y = y0 - (Math.log10(sigma[i]) - lo) / (hi - lo) * (y0 - y1);
            g.setFill(i < r ? BAR : BAR_LIGHT);
            // Whole-pixel edges: fractional ones alias into stripes when bars are 1-2 px wide.
            double a = Math.floor(x0 + i * bw);
            double b = bw > 3 ? Math.floor(x0 + (i + 1) * bw) - 1 : Math.floor(x0 + (i + 1) * bw);
            g.fillRect(a, y, Math.max(1, b - a), Math.max(1, y0 - y));
        }
        // cumulative energy, right axis 0..100 %
        g.setStroke(GREEN);
        g.setLineWidth(1.5);
        g.beginPath();
        for (int i = 0; i < cumulative.length; i++) {
            double x = x0 + (i + 1.0) / cumulative.length * (x1 - x0);
            double y = y0 - cumulative[i] * (y0 - y1);
            if (i == 0) {
                g.moveTo(x0, y0);
            }
            g.lineTo(x, y);
        }
        g.stroke();
        if (whitened != null) {
            // the whitened curve may hold fewer values (min(m, n)) than a partial plain spectrum: same index axis
            g.setStroke(WHITENED);
            g.setLineDashes(6, 4);
            g.beginPath();
            g.moveTo(x0, y0);
            for (int i = 0; i < whitened.length && i < sigma.length; i++) {
                g.lineTo(x0 + (i + 1.0) / sigma.length * (x1 - x0), y0 - whitened[i] * (y0 - y1));
            }
            g.stroke();
            g.setLineDashes();
        }
        g.setLineWidth(1);
        g.setFill(GREEN);
        g.setTextAlign(TextAlignment.LEFT);
        for (int p = 0; p <= 100; p += 25) {
            g.fillText(p + " %", x1 + 4, y0 - p / 100.0 * (y0 - y1));
        }
        g.fillText("energy kept", x1 - 30, y1 - 14);
        if (whitened != null) {
            g.setFill(WHITENED);
            g.setTextAlign(TextAlignment.RIGHT);
            g.fillText("- - output energy kept (whitened)", x1 - 36, y1 - 14);
        }
        xTicks(g, 0, sigma.length, x0, x1, y0, false);
        double xr = x0 + (double) r / sigma.length * (x1 - x0);
        g.setStroke(ACCENT);
        g.setLineWidth(2);
        g.strokeLine(snap(xr), y1, snap(xr), y0);
        g.setLineWidth(1);
        g.setFill(ACCENT);
        g.setTextAlign(xr > (x0 + x1) / 2 ? TextAlignment.RIGHT : TextAlignment.LEFT);
        g.fillText("rank " + r, xr + (xr > (x0 + x1) / 2 ? -6 : 6), y1 + 8);
    }

    @Override
    protected String describe(double x, double y) {
        if (!hasData() || x < plotLeft() || x > plotRight()) {
            return "";
        }
        int i = indexAt(x);
        return "sigma_" + (i + 1) + " = " + Format.number(sigma[i]) + "; keeping " + (i + 1) + " keeps "
                + Format.percent(cumulative[i]) + " of the energy" + (whitened != null && i < whitened.length
                ? " (whitened: " + Format.percent(whitened[i]) + " of the output's)" : "");
    }

    @Override
    protected boolean grabbable(double x, double y) {
        if (!hasData()) {
            return false;
        }
        double xr = plotLeft() + (double) rank.get() / sigma.length * (plotRight() - plotLeft());
        return Math.abs(x - xr) <= 6;
    }

    @Override
    protected boolean press(MouseEvent e) {
        if (!hasData() || e.getX() < plotLeft() - 6 || e.getX() > plotRight() + 6) {
            return false;
        }
        dragging.set(true);
        drag(e);
        return true;
    }

    @Override
    protected void drag(MouseEvent e) {
        double f = (e.getX() - plotLeft()) / (plotRight() - plotLeft());
        rank.set((int) Math.max(1, Math.min(sigma.length, Math.round(f * sigma.length))));
    }

    @Override
    protected void release(MouseEvent e) {
        dragging.set(false);
    }
}
