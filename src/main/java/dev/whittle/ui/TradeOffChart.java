package dev.whittle.ui;

import dev.whittle.core.compare.PlanRun;
import dev.whittle.core.compare.TradeOffs;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import javafx.geometry.VPos;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.scene.paint.Color;
import javafx.scene.text.TextAlignment;

/**
 * The trade-off scatter: one point per run (cost across, quality up), the Pareto front of the
 * two axes as a line through its runs, the original as a grey diamond. Hovering a point tells
 * its run and plan; clicking it hands the run to {@link #setOnPick} (the window restores its plan).
 */
public final class TradeOffChart extends PlotView {
    private static final double HIT = 9;
    private List<PlanRun> runs = List.of();
    private List<PlanRun> front = List.of();
    private TradeOffs.Cost cost = TradeOffs.Cost.SIZE;
    private TradeOffs.Quality quality = TradeOffs.Quality.ACCURACY;
    private int batch = 1;
    private PlanRun hovered;
    private Consumer<PlanRun> onPick = r -> { };
    private double xLo;
    private double xHi;
    private double yLo;
    private double yHi;

    public TradeOffChart() {
        getStyleClass().add("trade-off-chart");
        left = 70;
        right = 24;
        top = 26;
        setPrefSize(700, 300);
        canvas().setOnMouseClicked(e -> {
            if (e.getButton() == MouseButton.PRIMARY) {
                PlanRun r = at(e.getX(), e.getY());
                if (r != null) {
                    onPick.accept(r);
                }
            }
        });
    }

    /** Shows these runs on these axes; {@code batch} names batch N in the axis title. */
    public void show(List<PlanRun> all, TradeOffs.Cost x, TradeOffs.Quality y, int batch) {
        this.cost = x;
        this.quality = y;
        this.batch = batch;
        this.runs = TradeOffs.plotted(all, x, y);
        this.front = TradeOffs.front(all, x, y);
        hovered = null;
        setTitles(x.title().replace("batch N", "batch " + batch), y.title());
    }

    public void setOnPick(Consumer<PlanRun> pick) {
        this.onPick = pick;
    }

    public List<PlanRun> front() {
        return front;
    }

    public List<PlanRun> runs() {
        return runs;
    }

    @Override
    protected boolean hasData() {
        return !runs.isEmpty();
    }

    @Override
    protected void draw(GraphicsContext g, double x0, double x1, double y0, double y1) {
        double[] xs = range(runs.stream().map(cost::of).toList(), true);
        double[] ys = range(runs.stream().map(quality::of).toList(), false);
        xLo = xs[0];
        xHi = xs[1];
        yLo = ys[0];
        yHi = ys[1];
        yTicks(g, yLo, yHi, x0, x1, y0, y1, false);
        xTicks(g, xLo, xHi, x0, x1, y0, false);
        g.setStroke(AXIS);
        g.strokeLine(snap(x0), y0, snap(x0), y1);
        if (front.size() > 1) {
            g.setStroke(ACCENT);
            g.setLineWidth(1.5);
            g.setLineDashes(6, 4);
            g.beginPath();
            for (int i = 0; i < front.size(); i++) {
                double px = px(front.get(i), x0, x1);
                double py = py(front.get(i), y0, y1);
                if (i == 0) {
                    g.moveTo(px, py);
                } else {
                    g.lineTo(px, py);
                }
            }
            g.stroke();
            g.setLineDashes();
            g.setLineWidth(1);
        }
        // Points first, then labels, which keep clear of the points and of each other.
        List<double[]> taken = new ArrayList<>();
        for (PlanRun r : runs) {
            double px = px(r, x0, x1);
            double py = py(r, y0, y1);
            boolean onFront = front.contains(r);
            double s = r == hovered ? 6.5 : 5;
            if (r.original()) {
                g.setFill(Color.web("#6b7280"));
                g.fillPolygon(new double[] {px, px + s, px, px - s}, new double[] {py - s, py, py + s, py}, 4);
            } else {
                g.setFill(onFront ? BAR : BAR_LIGHT);
                g.fillOval(px - s, py - s, 2 * s, 2 * s);
                g.setStroke(onFront ? ACCENT : BAR);
                g.strokeOval(px - s, py - s, 2 * s, 2 * s);
            }
            taken.add(new double[] {px - 6, py, 12});
        }
        for (PlanRun r : runs) {
            label(g, r, px(r, x0, x1), py(r, y0, y1), x0, x1, y1, taken);
        }
        legend(g, x1, y0);
    }

    private void label(GraphicsContext g, PlanRun r, double px, double py, double x0, double x1, double y1, List<double[]> taken) {
        String text = r.name().length() > 28 ? r.name().substring(0, 27) + "\u2026" : r.name();
        double w = text.length() * 6.2;
        // Right of the point unless that runs past the plot; above it unless that is off the top.
        boolean leftSide = px + 9 + w > x1;
        double tx = leftSide ? px - 9 : px + 9;
        double ty = py - 9 < y1 + 6 ? py + 12 : py - 9;
        double left0 = leftSide ? tx - w : tx;
        for (int tries = 0; tries < 8; tries++) {
            double[] hit = null;
            for (double[] t : taken) {
                boolean own = Math.abs(t[0] + 6 - px) < 0.01 && Math.abs(t[1] - py) < 0.01;
                if (!own && Math.abs(t[1] - ty) < 13 && left0 < t[0] + t[2] && t[0] < left0 + w) {
                    hit = t;
                    break;
                }
            }
            if (hit == null) {
                break;
            }
            ty = hit[1] + 13; // below the label in the way
        }
        taken.add(new double[] {left0, ty, w});
        g.setFill(r == hovered ? ACCENT : TEXT);
        g.setTextAlign(leftSide ? TextAlignment.RIGHT : TextAlignment.LEFT);
        g.setTextBaseline(VPos.CENTER);
        g.fillText(text, Math.max(x0 + 2, tx), ty);
    }

    private void legend(GraphicsContext g, double x1, double unused) {
        // In the margin above the plot, where no point can be.
        g.setTextAlign(TextAlignment.RIGHT);
        g.setTextBaseline(VPos.BOTTOM);
        g.setFill(ACCENT);
        g.fillText("- - Pareto front: no other run is better on both axes", x1, top - 6);
        g.setFill(TEXT);
        g.setTextAlign(TextAlignment.LEFT);
        g.fillText("\u25c6 original   \u25cf on the front   \u25cb others", plotLeft(), top - 6);
    }

    /** [lo, hi] with a margin; the cost axis starts at 0 when that costs little room. */
    static double[] range(List<Double> values, boolean fromZero) {
        double lo = values.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        double hi = values.stream().mapToDouble(Double::doubleValue).max().orElse(1);
        if (fromZero && lo >= 0 && lo < hi * 0.6) {
            lo = 0;
        }
        double span = hi - lo;
        if (span <= 0) {
            span = Math.max(Math.abs(hi) * 0.1, 1e-6);
            lo -= span / 2;
            hi += span / 2;
        }
        return new double[] {lo == 0 ? 0 : lo - span * 0.08, hi + span * 0.08};
    }

    private double px(PlanRun r, double x0, double x1) {
        return x0 + (cost.of(r) - xLo) / (xHi - xLo) * (x1 - x0);
    }

    private double py(PlanRun r, double y0, double y1) {
        return y0 - (quality.of(r) - yLo) / (yHi - yLo) * (y0 - y1);
    }

    /** The run whose point is under (x, y), or null. */
    PlanRun at(double x, double y) {
        if (runs.isEmpty() || xHi == xLo) {
            return null;
        }
        PlanRun best = null;
        double bestD = HIT;
        for (PlanRun r : runs) {
            double d = Math.hypot(px(r, plotLeft(), plotRight()) - x, py(r, plotBottom(), plotTop()) - y);
            if (d <= bestD) {
                bestD = d;
                best = r;
            }
        }
        return best;
    }

    /** Canvas coordinates of a run's point, for tests. */
    double[] pointOf(PlanRun r) {
        return new double[] {px(r, plotLeft(), plotRight()), py(r, plotBottom(), plotTop())};
    }

    @Override
    protected String describe(double x, double y) {
        PlanRun r = at(x, y);
        if (r != hovered) {
            hovered = r;
            redraw();
        }
        if (r == null) {
            return "";
        }
        String plan = r.original() ? "no compression" : r.layers().isEmpty() ? "(no plan stored)"
                : r.layers().size() + " layers changed: " + String.join("; ", r.layers().stream().limit(4)
                .map(l -> l.node() + " " + l.settings()).toList()) + (r.layers().size() > 4 ? "; ..." : "");
        return String.format(Locale.ROOT, "%s: %s %s, %s %s. %s%s", r.name(), shortTitle(quality.title()),
                withUnit(quality.of(r), quality.title()), shortTitle(cost.title()), withUnit(cost.of(r), cost.title()), plan,
                r.restorable() ? " Click to restore this plan." : "");
    }

    @Override
    protected boolean press(MouseEvent e) {
        return false;
    }

    private static String shortTitle(String t) {
        return t.contains("(") ? t.substring(0, t.indexOf('(')).trim() : t;
    }

    /** The value with the unit in the axis title's parentheses: "0.237 MiB", "89.4 %". */
    static String withUnit(double v, String title) {
        int open = title.lastIndexOf('(');
        String unit = open < 0 ? "" : title.substring(open + 1, title.length() - 1).replace(" per run", "");
        return Format.number(v) + (unit.isEmpty() ? "" : " " + unit);
    }
}
