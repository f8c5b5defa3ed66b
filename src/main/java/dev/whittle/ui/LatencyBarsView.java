package dev.whittle.ui;

import dev.whittle.core.eval.LayerTimes;
import dev.whittle.core.eval.NodeProfile;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.plan.PlanProfile;
import java.util.ArrayList;
import java.util.List;
import javafx.geometry.VPos;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.paint.Color;
import javafx.scene.text.TextAlignment;

/**
 * Horizontal bars, one row per weight layer (model order), the original's time in blue and the
 * plan's in orange beneath it, then three rows for the rest of the run: other nodes, unmapped
 * kernels, and the time outside any kernel (ONNX Runtime's own). The x axis is milliseconds
 * per run; the read-out gives each bar's time and share of the run.
 */
public final class LatencyBarsView extends PlotView {
    static final Color PLAN = Color.web("#e08a2c");
    private static final double ROW = 18;
    private final List<String> names = new ArrayList<>();
    private final List<double[]> values = new ArrayList<>(); // {original, plan or NaN}
    private PlanProfile.Comparison result;

    public LatencyBarsView() {
        setTitles("milliseconds per run (ONNX Runtime profiler)", "");
        left = 250;
        top = 24;
    }

    public void setResult(PlanProfile.Comparison c, List<WeightLayer> layers) {
        result = c;
        names.clear();
        values.clear();
        if (c != null) {
            for (WeightLayer l : layers) {
                add(l.node(), c.original().layers().getOrDefault(l.node(), 0.0),
                        c.plan() == null ? Double.NaN : c.plan().layers().getOrDefault(l.node(), 0.0));
            }
            add("other nodes (activations, norms...)", c.original().ms(NodeProfile.Kind.OTHER), rest(c.plan(), NodeProfile.Kind.OTHER));
            add("unmapped kernels (fused by ORT)", c.original().ms(NodeProfile.Kind.UNMAPPED), rest(c.plan(), NodeProfile.Kind.UNMAPPED));
            add("outside kernels (ORT overhead)", c.original().runMs() - c.original().kernelMs(),
                    c.plan() == null ? Double.NaN : c.plan().runMs() - c.plan().kernelMs());
        }
        setPrefHeight(top + bottom + Math.max(3, names.size()) * ROW * (c != null && c.plan() != null ? 1.6 : 1) + 10);
        setMinHeight(getPrefHeight());
        redraw();
    }

    private static double rest(LayerTimes t, NodeProfile.Kind kind) {
        return t == null ? Double.NaN : t.ms(kind);
    }

    private void add(String name, double original, double plan) {
        names.add(name);
        values.add(new double[] {original, plan});
    }

    @Override
    protected boolean hasData() {
        return result != null && !names.isEmpty();
    }

    private double max() {
        double m = 1e-6;
        for (double[] v : values) {
            m = Math.max(m, Math.max(v[0], Double.isNaN(v[1]) ? 0 : v[1]));
        }
        return m;
    }

    @Override
    protected void draw(GraphicsContext g, double x0, double x1, double y0, double y1) {
        double max = max() * 1.05;
        boolean two = result.plan() != null;
        double row = (y0 - y1) / names.size();
        double bar = two ? row * 0.38 : row * 0.7;
        for (double t : HistogramView.niceTicks(0, max, Math.max(2, (int) ((x1 - x0) / 90)))) {
            double x = x0 + t / max * (x1 - x0);
            g.setStroke(GRID);
            g.strokeLine(snap(x), y1, snap(x), y0);
        }
        xTicks(g, 0, max, x0, x1, y0, false);
        g.setTextBaseline(VPos.CENTER);
        for (int i = 0; i < names.size(); i++) {
            double yTop = y1 + i * row + (row - (two ? 2 * bar + 1 : bar)) / 2;
            double[] v = values.get(i);
            g.setFill(i >= names.size() - 3 ? BAR_LIGHT : BAR);
            g.fillRect(x0, yTop, Math.max(0.5, v[0] / max * (x1 - x0)), bar);
            if (two) {
                g.setFill(PLAN);
                g.fillRect(x0, yTop + bar + 1, Math.max(0.5, v[1] / max * (x1 - x0)), bar);
            }
            g.setFill(i >= names.size() - 3 ? AXIS : TEXT);
            g.setTextAlign(TextAlignment.RIGHT);
            g.fillText(shorten(names.get(i)), x0 - 6, y1 + i * row + row / 2);
        }
        g.setTextAlign(TextAlignment.LEFT);
        g.setTextBaseline(VPos.TOP);
        g.setFill(BAR);
        g.fillRect(x0, 6, 10, 10);
        g.setFill(TEXT);
        g.fillText("original", x0 + 14, 5);
        if (two) {
            g.setFill(PLAN);
            g.fillRect(x0 + 80, 6, 10, 10);
            g.setFill(TEXT);
            g.fillText("current plan", x0 + 94, 5);
        }
    }

    /** Long names keep their end (".../intermediate/dense/MatMul" tells layers apart). */
    static String shorten(String name) {
        return name.length() <= 36 ? name : "..." + name.substring(name.length() - 33);
    }

    @Override
    protected String describe(double x, double y) {
        if (!hasData() || y < plotTop() || y > plotBottom()) {
            return "";
        }
        int i = (int) Math.min(names.size() - 1, Math.floor((y - plotTop()) / (plotBottom() - plotTop()) * names.size()));
        double[] v = values.get(i);
        String s = names.get(i) + ": original " + ms(v[0]) + " (" + Format.percent(result.original().share(v[0])) + " of the run)";
        if (result.plan() != null) {
            s += ", plan " + ms(v[1]) + " (" + Format.percent(result.plan().share(v[1])) + ")";
        }
        return s;
    }

    private static String ms(double v) {
        return String.format(java.util.Locale.ROOT, "%.3f ms", v);
    }
}
