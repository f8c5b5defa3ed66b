package dev.whittle.ui;

import javafx.scene.canvas.GraphicsContext;

/**
 * Channel pruning's view: each output channel's norm (L1 or L2) as a bar, in channel order;
 * the channels the current sparsity removes are red, the kept ones blue.
 */
public final class NormBarsView extends PlotView {
    private double[] norms;
    private boolean[] removed;
    private String criterion = "L1";

    public NormBarsView() {
        setTitles("output channel", "channel norm");
        setPrefHeight(170);
    }

    public void setNorms(double[] n, boolean[] removedChannels, String criterionName) {
        norms = n;
        removed = removedChannels;
        criterion = criterionName;
        setTitles("output channel", criterionName + " norm");
        redraw();
    }

    @Override
    protected boolean hasData() {
        return norms != null && norms.length > 0;
    }

    @Override
    protected void draw(GraphicsContext g, double x0, double x1, double y0, double y1) {
        double max = 0;
        for (double v : norms) {
            max = Math.max(max, v);
        }
        max = max > 0 ? max : 1;
        yTicks(g, 0, max, x0, x1, y0, y1, false);
        double bw = (x1 - x0) / norms.length;
        for (int c = 0; c < norms.length; c++) {
            double y = y0 - norms[c] / max * (y0 - y1);
            g.setFill(removed != null && removed[c] ? ACCENT : BAR);
            g.fillRect(x0 + c * bw, y, Math.max(1, bw - (bw > 3 ? 1 : 0)), Math.max(1, y0 - y));
        }
        xTicks(g, 0, norms.length, x0, x1, y0, false);
    }

    @Override
    protected String describe(double x, double y) {
        if (!hasData() || x < plotLeft() || x > plotRight()) {
            return "";
        }
        int c = (int) Math.min(norms.length - 1, Math.floor((x - plotLeft()) / (plotRight() - plotLeft()) * norms.length));
        return "channel " + c + ": " + criterion + " norm " + Format.number(norms[c])
                + (removed != null && removed[c] ? " (removed)" : " (kept)");
    }
}
