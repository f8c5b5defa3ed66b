package dev.whittle.ui;

import dev.whittle.core.compare.DataChoice;
import dev.whittle.core.eval.Dataset;
import dev.whittle.core.eval.LayerTimes;
import dev.whittle.core.eval.NodeProfile;
import dev.whittle.core.eval.ProfileRequest;
import dev.whittle.core.eval.SessionSpec;
import dev.whittle.core.eval.SyntheticInputs;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.plan.Plan;
import dev.whittle.core.plan.PlanProfile;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleIntegerProperty;

/**
 * The Per-layer latency tab's state: ONNX Runtime's profile of the original model and of the
 * current plan applied in memory (as Export Model applies it), per weight layer, as one job.
 * The data is the window's one data choice (its first {@code batch} samples; synthetic inputs
 * when it is synthetic or has fewer samples than the batch). A plan edited after the profile marks the result as stale.
 */
public final class LatencyViewModel {
    private final MainViewModel main;
    private final IntegerProperty batch = new SimpleIntegerProperty(this, "batch", 1);
    private final IntegerProperty runs = new SimpleIntegerProperty(this, "runs", 20);
    private final ReadOnlyObjectWrapper<PlanProfile.Comparison> result = new ReadOnlyObjectWrapper<>(this, "result");
    private final ReadOnlyStringWrapper info = new ReadOnlyStringWrapper(this, "info", "");
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper(this, "running");
    private Plan profiled;
    private long generation;

    public LatencyViewModel(MainViewModel main) {
        this.main = main;
        main.modelProperty().addListener((o, a, m) -> {
            generation++;
            result.set(null);
            running.set(false);
            info.set(m == null ? "" : "Profile to see where the run time goes, layer by layer, for the original and the plan.");
        });
        main.plan().planProperty().addListener((o, a, p) -> {
            if (result.get() != null && profiled != null && !p.equals(profiled)) {
                info.set("The plan changed since this profile: Profile again.");
            }
        });
    }

    public void run() {
        OnnxModel m = main.modelProperty().get();
        if (m == null) {
            return;
        }
        long gen = ++generation;
        Plan plan = main.plan().planProperty().get();
        int b = batch.get();
        int n = runs.get();
        DataChoice chosen = main.data().choiceProperty().get();
        DataChoice sample = chosen == null || chosen.kind() == DataChoice.Kind.SYNTHETIC ? null : chosen;
        running.set(true);
        int threads = dev.whittle.core.compare.PlanEvaluation.windowThreads();
        RunningJob started = main.jobs().start("Per-layer latency", (progress, cancel) -> {
            Dataset d = sample == null ? null : sample.load(m.graph());
            ProfileRequest r = new ProfileRequest(m, null, d != null && d.samples() >= b ? d : null, b, Math.max(2, n / 4), n,
                    Map.of(), SyntheticInputs.DEFAULT_DIM, SessionSpec.defaults().withThreads(threads));
            return PlanProfile.job(m, plan, null, r).run(progress, cancel);
        }, c -> {
            if (gen != generation) {
                return;
            }
            running.set(false);
            profiled = plan;
            result.set(c);
            info.set(status(c));
        }, e -> {
            running.set(false);
            main.plan().report(ErrorReport.of("Cannot profile the model", e));
        });
        SensitivityViewModel.whenGone(main.jobs(), started, () -> {
            if (gen == generation && running.get()) {
                running.set(false);
                info.set("Cancelled.");
            }
        });
    }

    /** One line for the tab's status: what was profiled. */
    static String status(PlanProfile.Comparison c) {
        LayerTimes t = c.original();
        return String.format(Locale.ROOT, "%s, batch %d, %d runs, %s%s", t.model(), t.batch(), t.runs(), t.data(),
                c.plan() == null ? "; the plan is empty: tune some layers to compare" : "; original and current plan");
    }

    static String summary(PlanProfile.Comparison c) {
        String s = "Original: " + line(c.original());
        if (c.plan() != null) {
            s += "\nPlan: " + line(c.plan()) + String.format(Locale.ROOT, " (run %+.0f%%)",
                    100 * (c.plan().runMs() / c.original().runMs() - 1));
        } else {
            s += "\nThe plan is empty: tune some layers to compare.";
        }
        return s;
    }

    private static String line(LayerTimes t) {
        String unmapped = t.unmapped().stream().collect(Collectors.groupingBy(NodeProfile::op, java.util.LinkedHashMap::new,
                Collectors.summingDouble(NodeProfile::ms))).entrySet().stream().limit(3)
                .map(e -> e.getKey() + " " + Format.percent(t.share(e.getValue()))).collect(Collectors.joining(", "));
        String ops = t.byOp().entrySet().stream().limit(4).map(e -> e.getKey() + " " + Format.percent(t.share(e.getValue())))
                .collect(Collectors.joining(", "));
        return String.format(Locale.ROOT, "run %.2f ms, kernels %.2f ms; weight layers %s, other nodes %s, unmapped %s%s; top ops %s",
                t.runMs(), t.kernelMs(), Format.percent(t.share(t.ms(NodeProfile.Kind.LAYER))),
                Format.percent(t.share(t.ms(NodeProfile.Kind.OTHER))), Format.percent(t.share(t.ms(NodeProfile.Kind.UNMAPPED))),
                unmapped.isEmpty() ? "" : " (" + unmapped + ")", ops);
    }

    /** Layer, op, then ms and share of the run for the original and (when there is one) the plan. */
    static String csv(PlanProfile.Comparison c, List<WeightLayer> layers) {
        StringBuilder sb = new StringBuilder("layer,op,original ms,original share,plan ms,plan share\n");
        for (WeightLayer l : layers) {
            double a = c.original().layers().getOrDefault(l.node(), 0.0);
            sb.append('"').append(l.node().replace("\"", "\"\"")).append("\",").append(l.op()).append(',').append(a).append(',')
                    .append(c.original().share(a));
            if (c.plan() != null) {
                double p = c.plan().layers().getOrDefault(l.node(), 0.0);
                sb.append(',').append(p).append(',').append(c.plan().share(p));
            } else {
                sb.append(",,");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** The model file the profile is of, for export names. */
    Path modelFile() {
        return main.modelFileProperty().get();
    }

    public IntegerProperty batchProperty() {
        return batch;
    }

    public IntegerProperty runsProperty() {
        return runs;
    }

    public ReadOnlyObjectProperty<PlanProfile.Comparison> resultProperty() {
        return result.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty infoProperty() {
        return info.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty runningProperty() {
        return running.getReadOnlyProperty();
    }
}
