package dev.whittle.ui;

import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.plan.ResolvedPlan;
import dev.whittle.core.preview.PruneFigures;
import dev.whittle.core.preview.RankPreview;
import dev.whittle.core.preview.Spectrum;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.image.ImageView;
import javafx.scene.image.PixelWriter;
import javafx.scene.image.WritableImage;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;

/**
 * The weight matrix as images: original, after the layer's plan, and the difference (output
 * channels down, the rest across; big layers sampled every k-th row and column). Original and
 * after share one colour scale (blue negative, white 0, red positive, up to max |w|); the
 * difference has its own (up to its largest |change|). A weight the plan sets to zero is drawn
 * grey in the after image: a small weight is near-white too, and pruning's pattern (2:4's two
 * of every four) should stand out from it. Computed as a job when the tab shows.
 */
public final class WeightsTabView extends VBox {
    private final InspectorViewModel inspector;
    private final PlanViewModel plan;
    private final LatestOnly<Heatmaps> job;
    private final ImageView[] views = {new ImageView(), new ImageView(), new ImageView()};
    private final StackPane[] frames = new StackPane[3];
    private float shownMax;
    private float shownMaxDiff;
    private final Label[] titles = {new Label("Original"), new Label("After the plan"), new Label("Difference")};
    private final Label info = new Label();
    private final Label hover = new Label();
    private Heatmaps shown;
    private boolean showing;

    public WeightsTabView(InspectorViewModel inspector, PlanViewModel plan, JobRunner jobs) {
        this.inspector = inspector;
        this.plan = plan;
        this.job = new LatestOnly<>(jobs, "Weight images");
        getStyleClass().add("inspector-tab");
        setSpacing(6);
        GridPane grid = new GridPane();
        for (int i = 0; i < 3; i++) {
            javafx.scene.layout.ColumnConstraints c = new javafx.scene.layout.ColumnConstraints();
            c.setPercentWidth(100.0 / 3);
            grid.getColumnConstraints().add(c);
        }
        grid.setHgap(10);
        grid.setVgap(4);
        for (int i = 0; i < 3; i++) {
            ImageView v = views[i];
            v.setPreserveRatio(true); // sampling caps both sides at 192, so images stay near square
            v.setSmooth(false);
            v.setId("heatmap" + i);
            int panel = i;
            v.setOnMouseMoved(e -> hover(panel, e.getX() / v.getBoundsInLocal().getWidth(), e.getY() / v.getBoundsInLocal().getHeight()));
            v.setOnMouseExited(e -> hover.setText(""));
            titles[i].getStyleClass().add("subsection-title");
            StackPane frame = new StackPane(v);
            StackPane.setAlignment(v, Pos.TOP_CENTER);
            frame.getStyleClass().add("heatmap-frame");
            frame.setMinSize(60, 60);
            frames[i] = frame;
            frame.widthProperty().addListener((o, a, b) -> render());
            frame.heightProperty().addListener((o, a, b) -> render());
            grid.add(titles[i], i, 0);
            grid.add(frame, i, 1);
            GridPane.setHgrow(frame, Priority.ALWAYS);
            GridPane.setVgrow(frame, Priority.ALWAYS);
        }
        Tips.install(titles[0], "The weights as stored: rows are output channels, columns the inputs each channel reads"
                + " (Conv: in x kh x kw). Blue negative, white zero, red positive.");
        Tips.install(titles[1], "The same weights after this layer's plan: pruning, then low rank, then quantization.");
        Tips.install(titles[2], "After minus original: where the plan changes the weights most.");
        info.getStyleClass().add("muted");
        info.setWrapText(true);
        info.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        hover.getStyleClass().add("muted");
        hover.setMinHeight(18);
        getChildren().addAll(grid, hover, info);
        VBox.setVgrow(grid, Priority.ALWAYS);
        setAlignment(Pos.TOP_LEFT);
        inspector.layerProperty().addListener((o, a, b) -> refresh());
        plan.resolvedProperty().addListener((o, a, b) -> refresh());
        inspector.spectrumProperty().addListener((o, a, b) -> refresh());
    }

    /** The tab shows (true) or hides: images are computed only while it shows. */
    public void setShowing(boolean on) {
        showing = on;
        refresh();
    }

    private void refresh() {
        WeightLayer l = inspector.layerProperty().get();
        if (!showing || l == null || l.tensor() == null || !l.dtype().isFloating()) {
            job.invalidate();
            clear(l == null ? "" : showing ? "No float weights to draw." : "");
            return;
        }
        ResolvedPlan.Effective e = inspector.effective();
        PruneFigures pf = inspector.prune().figuresProperty().get();
        double t = e == null || e.prune() == null || pf == null || Double.isNaN(pf.threshold()) ? 0 : pf.threshold();
        var channels = inspector.prune().channelsProperty().get();
        Spectrum s = inspector.spectrumProperty().get();
        int rank = e == null || e.lowrank() == null ? 0
                : e.lowrank().rank() != null ? e.lowrank().rank() : s != null ? RankPreview.rankFor(s, e.lowrank()) : 0;
        info.setText("Computing the images of " + l.node() + "...");
        job.submit((p, c) -> Heatmaps.compute(l, e, t, channels, rank, c), this::show);
    }

    private void clear(String text) {
        shown = null;
        for (ImageView v : views) {
            v.setImage(null);
        }
        info.setText(text);
    }

    private void show(Heatmaps h) {
        shown = h;
        float max = 0;
        float maxDiff = 0;
        for (int i = 0; i < h.before().length; i++) {
            max = Math.max(max, Math.abs(h.before()[i]));
            maxDiff = Math.max(maxDiff, Math.abs(h.diff(i)));
        }
        shownMax = max;
        shownMaxDiff = maxDiff;
        render();
        String columns = h.group() > 1 ? "1 in " + h.colStep() + " groups of " + h.group() + " columns (each group whole)"
                : "1 in " + h.colStep() + " columns";
        boolean anyZeroed = java.util.stream.IntStream.range(0, h.after().length).anyMatch(h::zeroed);
        info.setText((h.rowStep() > 1 || h.colStep() > 1 ? "Sampled: 1 in " + h.rowStep() + " rows, " + columns + ". " : "") + "Colour scale: +-" + Format.number(max) + " (difference: +-"
                + Format.number(maxDiff) + ")." + (anyZeroed ? " Grey: weights the plan sets to zero." : "") + (h.notes().isEmpty() ? "" : " Note: " + String.join("; ", h.notes()) + "."));
    }

    /**
     * Draws the shown images at the largest whole number of screen pixels per weight that fits
     * each frame: scaling by a fraction blends neighbouring weights (the software pipeline
     * smooths even with smooth off), which hides single pruned weights and N:M patterns.
     */
    private void render() {
        Heatmaps h = shown;
        if (h == null) {
            return;
        }
        for (int panel = 0; panel < 3; panel++) {
            double fw = Math.max(1, frames[panel].getWidth() - 4);
            double fh = Math.max(1, frames[panel].getHeight() - 4);
            int scale = (int) Math.max(1, Math.floor(Math.min(fw / h.cols(), fh / h.rows())));
            ImageView v = views[panel];
            v.setImage(image(h, panel, panel == 2 ? shownMaxDiff : shownMax, scale));
            // Only an image larger than its frame (one pixel per weight already) is shrunk to fit.
            v.setFitWidth(Math.min(h.cols() * scale, fw));
            v.setFitHeight(Math.min(h.rows() * scale, fh));
        }
    }

    private static WritableImage image(Heatmaps h, int panel, float max, int scale) {
        WritableImage img = new WritableImage(h.cols() * scale, h.rows() * scale);
        PixelWriter pw = img.getPixelWriter();
        int[] line = new int[h.cols() * scale];
        for (int r = 0; r < h.rows(); r++) {
            for (int k = 0; k < h.cols(); k++) {
                int i = r * h.cols() + k;
                float v = panel == 0 ? h.before()[i] : panel == 1 ? h.after()[i] : h.diff(i);
                Color c = panel == 1 && h.zeroed(i) ? ZEROED : colour(max > 0 ? v / max : 0);
                int argb = 0xff000000 | (int) Math.round(c.getRed() * 255) << 16 | (int) Math.round(c.getGreen() * 255) << 8
                        | (int) Math.round(c.getBlue() * 255);
                java.util.Arrays.fill(line, k * scale, (k + 1) * scale, argb);
            }
            for (int y = 0; y < scale; y++) {
                pw.setPixels(0, r * scale + y, line.length, 1, javafx.scene.image.PixelFormat.getIntArgbInstance(), line, 0, line.length);
            }
        }
        return img;
    }

    /** A weight the plan sets to zero (in the after image). */
    static final Color ZEROED = Color.gray(0.45);

    /** Diverging blue-white-red for x in [-1, 1]. */
    static Color colour(double x) {
        double a = Math.min(1, Math.abs(x));
        return x < 0 ? Color.color(1 - a * 0.77, 1 - a * 0.56, 1 - a * 0.17) : Color.color(1 - a * 0.18, 1 - a * 0.67, 1 - a * 0.75);
    }

    private void hover(int panel, double fx, double fy) {
        Heatmaps h = shown;
        if (h == null || fx < 0 || fy < 0 || fx >= 1 || fy >= 1) {
            hover.setText("");
            return;
        }
        int r = (int) (fy * h.rows());
        int k = (int) (fx * h.cols());
        int i = r * h.cols() + k;
        hover.setText("channel " + r * h.rowStep() + ", column " + h.column(k) + ": w = " + Format.number(h.before()[i])
                + ", after = " + Format.number(h.after()[i]) + ", change = " + Format.number(h.diff(i)));
    }
}
