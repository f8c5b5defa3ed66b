package dev.whittle.ui;

import dev.whittle.core.eval.LayerTimes;
import dev.whittle.core.eval.NodeProfile;
import dev.whittle.core.plan.PlanProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import javafx.geometry.HPos;
import javafx.geometry.Insets;
import javafx.scene.control.Label;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;

/**
 * Beside the bars: the run, kernels, and the shares of weight layers, other nodes and unmapped
 * kernels for the original and the plan; then the op types that take most of the run and the
 * unmapped kernels by op (what ONNX Runtime fused beyond a name).
 */
final class LatencySummary extends GridPane {
    LatencySummary() {
        setHgap(12);
        setVgap(2);
        setPadding(new Insets(6, 8, 6, 8));
        getStyleClass().add("latency-summary");
        ColumnConstraints name = new ColumnConstraints();
        name.setMinWidth(110);
        ColumnConstraints num = new ColumnConstraints();
        num.setHalignment(HPos.RIGHT);
        getColumnConstraints().setAll(name, num, num);
    }

    void show(PlanProfile.Comparison c) {
        getChildren().clear();
        if (c == null) {
            return;
        }
        LayerTimes a = c.original();
        LayerTimes b = c.plan();
        int row = 0;
        addRow(row++, bold(""), bold("original"), bold(b == null ? "" : "plan"));
        row = line(row, "run", ms(a.runMs()), b == null ? "" : ms(b.runMs()) + String.format(Locale.ROOT, " (%+.0f%%)",
                100 * (b.runMs() / a.runMs() - 1)), "Mean wall time of a profiled run.");
        row = line(row, "kernels", share(a, a.kernelMs()), b == null ? "" : share(b, b.kernelMs()),
                "Sum of every kernel's time; the rest of the run is ONNX Runtime's own work.");
        row = line(row, "weight layers", share(a, a.ms(NodeProfile.Kind.LAYER)), b == null ? "" : share(b, b.ms(NodeProfile.Kind.LAYER)),
                "Kernels of the weight layers (Conv, Gemm, MatMul, Gather), including those a plan or ONNX Runtime derived from them.");
        row = line(row, "other nodes", share(a, a.ms(NodeProfile.Kind.OTHER)), b == null ? "" : share(b, b.ms(NodeProfile.Kind.OTHER)),
                "Kernels of the model's other nodes: activations, normalization, reshapes, attention's activation products.");
        row = line(row, "unmapped", share(a, a.ms(NodeProfile.Kind.UNMAPPED)), b == null ? "" : share(b, b.ms(NodeProfile.Kind.UNMAPPED)),
                "Kernels whose names match nothing in the model: ONNX Runtime fused them (BiasGelu) or added them (layout copies).");
        LayerTimes shown = b == null ? a : b;
        add(bold(b == null ? "top op types" : "top op types (plan)"), 0, row++, 3, 1);
        for (Map.Entry<String, Double> e : shown.byOp().entrySet().stream().limit(6).toList()) {
            row = line(row, e.getKey(), share(shown, e.getValue()), "", "Kernels of this op, as ONNX Runtime ran it.");
        }
        Map<String, Double> unmapped = shown.unmapped().stream().collect(Collectors.groupingBy(NodeProfile::op,
                java.util.LinkedHashMap::new, Collectors.summingDouble(NodeProfile::ms)));
        if (!unmapped.isEmpty()) {
            List<String> parts = new ArrayList<>();
            unmapped.forEach((op, ms) -> parts.add(op + " " + Format.percent(shown.share(ms))));
            Label u = new Label("unmapped: " + String.join(", ", parts));
            u.getStyleClass().add("muted");
            u.setWrapText(true);
            u.setMaxWidth(300);
            add(u, 0, row, 3, 1);
        }
    }

    private int line(int row, String name, String a, String b, String tip) {
        Label n = new Label(name);
        Tips.install(n, tip);
        addRow(row, n, new Label(a), new Label(b));
        return row + 1;
    }

    private static Label bold(String text) {
        Label l = new Label(text);
        l.getStyleClass().add("section-title");
        return l;
    }

    private static String ms(double v) {
        return String.format(Locale.ROOT, "%.2f ms", v);
    }

    private static String share(LayerTimes t, double ms) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * t.share(ms));
    }
}
