package dev.whittle.ui;

import dev.whittle.core.BadInputException;
import dev.whittle.core.analysis.CalibrationData;
import dev.whittle.core.analysis.CalibrationFiles;
import dev.whittle.core.analysis.GraphPreparation;
import dev.whittle.core.analysis.SensitivityAnalysis;
import dev.whittle.core.analysis.SensitivityCache;
import dev.whittle.core.analysis.SensitivityMethod;
import dev.whittle.core.analysis.SensitivityRequest;
import dev.whittle.core.analysis.SensitivityTable;
import dev.whittle.core.compare.DataChoice;
import dev.whittle.core.eval.Dataset;
import dev.whittle.core.eval.EvalRequest;
import dev.whittle.core.eval.Pool;
import dev.whittle.core.eval.SessionSpec;
import dev.whittle.core.io.Hashes;
import dev.whittle.core.job.Job;
import dev.whittle.core.lowrank.LowRankSpec;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.prune.PruneSpec;
import dev.whittle.core.quant.ActivationPlacement;
import dev.whittle.core.quant.ActivationSpec;
import dev.whittle.core.quant.Calibration;
import dev.whittle.core.quant.Granularity;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.quant.WeightSpec;
import dev.whittle.core.select.LayerSelector;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/**
 * The Sensitivity tab's state: the form (method, levels, layers, data, samples), the last table,
 * and what a click on a cell does. A sweep runs as one job (status bar, Esc cancels); its table
 * is stored in the {@link SensitivityCache}, so the same sweep on the same model and data shows
 * at once, also after a restart: opening a model looks its current form up in the cache.
 * Clicking a cell sets that method's level on that layer in the plan, one undoable edit that
 * keeps the layer's other settings.
 */
public final class SensitivityViewModel {
    /** Weights and activations in 8 bits, calibrated on the plan's calibration data, one layer at a time. */
    static final String W8A8 = "quantize W8A8";
    /** Sweep methods offered in the window, with their default levels. */
    static final Map<String, String> METHODS = Map.of("prune", "0.3, 0.5, 0.7, 0.9", "quantize", "8, 4", W8A8, "8",
            "lowrank-params", "0.1, 0.25, 0.5");
    /** How W8A8 chooses each activation range. */
    static final List<String> CALIBRATORS = List.of("minmax", "percentile:99.99", "entropy", "mse");

    private final MainViewModel main;
    private final Supplier<SensitivityCache> cache;
    private final StringProperty method = new SimpleStringProperty(this, "method", "prune");
    private final StringProperty levels = new SimpleStringProperty(this, "levels", METHODS.get("prune"));
    private final StringProperty layers = new SimpleStringProperty(this, "layers", "");
    private final ObjectProperty<DataChoice> data;
    private final IntegerProperty samples = new SimpleIntegerProperty(this, "samples", 500);
    private final StringProperty calibrator = new SimpleStringProperty(this, "calibrator", "minmax");
    /** The method and calibrator of the table shown ({@link SensitivityTable#method()} says "quantize" for W8A8 too). */
    private String shownMethod = "";
    private String shownCalibrator = "";
    private final ReadOnlyObjectWrapper<SensitivityTable> table = new ReadOnlyObjectWrapper<>(this, "table");
    private final ReadOnlyStringWrapper info = new ReadOnlyStringWrapper(this, "info", "");
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper(this, "running");
    private long generation;

    public SensitivityViewModel(MainViewModel main, Supplier<SensitivityCache> cache) {
        this.main = main;
        this.cache = cache;
        this.data = main.data().choiceProperty();
        method.addListener((o, a, m) -> levels.set(METHODS.getOrDefault(m, levels.get())));
        main.modelProperty().addListener((o, a, m) -> modelChanged(m));
        // Other data (chosen here, in Evaluate or Per-layer latency, or remembered): show its cached sweep, if any.
        data.addListener((o, a, d) -> {
            if (d != null && !d.equals(a) && main.modelProperty().get() != null) {
                generation++;
                table.set(null);
                running.set(false);
                start(false);
            }
        });
        modelChanged(main.modelProperty().get());
    }

    private void modelChanged(OnnxModel m) {
        generation++;
        table.set(null);
        info.set(m == null ? "" : "Choose a method and levels, then Run: each layer is compressed alone at each level.");
        if (m != null && m.source() != null) {
            start(false);
        }
    }

    /** Runs the sweep of the form (or shows it from the cache). */
    public void run() {
        start(true);
    }

    private void start(boolean compute) {
        OnnxModel m = main.modelProperty().get();
        if (m == null) {
            return;
        }
        List<Double> lv;
        Path calibration;
        try {
            lv = checkForm();
            calibration = calibrationFile();
        } catch (BadInputException e) {
            if (compute) {
                main.plan().report(ErrorReport.of("Cannot run the sensitivity sweep", e));
            }
            return;
        }
        long gen = ++generation;
        int n = samples.get();
        DataChoice chosen = data.get();
        if (chosen == null) {
            return;
        }
        DataChoice d = chosen.withSamples(n);
        Pool pool = Pool.parse(d.pool());
        String regex = layers.get();
        String what = method.get();
        String cal = calibrator.get();
        SensitivityMethod settings = settings(what, cal);
        Integer calSamples = calibration == null ? null : main.plan().planProperty().get().calibration().samples();
        running.set(compute);
        Job<Result> job = (progress, cancel) -> {
            String key = m.source() == null ? null : SensitivityCache.key(Hashes.sha256(m.source()), d.identity()
                    + calibrationIdentity(calibration, calSamples), n, batch(n), null, pool, settings, lv, selector(regex));
            SensitivityCache c = cache.get();
            if (key != null) {
                var hit = c.get(key);
                if (hit.isPresent()) {
                    return new Result(hit.get(), true, what, cal);
                }
            }
            if (!compute) {
                return null;
            }
            progress.update(0, -1, "loading data");
            OnnxModel swept = m;
            CalibrationData calData = null;
            if (calibration != null) {
                calData = CalibrationFiles.load(m.graph(), List.of(calibration.toString()), null, 32,
                        calSamples == null ? 0 : calSamples, "calibration data");
                // as quantize does with activations: the sweep measures the layers of the graph quantize would write
                swept = GraphPreparation.fold(m).model();
            }
            SensitivityRequest full = requestWith(swept, settings, lv, regex, pool, n, d.load(m.graph()), calData);
            SensitivityTable t = new SensitivityAnalysis().run(full, progress, cancel);
            if (key != null) {
                c.put(key, t);
            }
            return new Result(t, false, what, cal);
        };
        RunningJob started = main.jobs().start(compute ? "Sensitivity (" + what + ")" : "Sensitivity cache", job, res -> {
            if (gen != generation) {
                return;
            }
            running.set(false);
            if (res != null) {
                shownMethod = res.method();
                shownCalibrator = res.calibrator();
                table.set(res.table());
                info.set(describe(res.table(), label()) + (calibration == null ? "" : "; activation ranges by " + cal
                        + " on " + calibration.getFileName()) + (res.cached()
                        ? "; from the cache (Run again after changing the form)" : ""));
            }
        }, e -> {
            running.set(false);
            if (compute) {
                main.plan().report(ErrorReport.of("The sensitivity sweep failed", e));
            }
        });
        // A cancelled job calls neither callback: the Run button comes back when the job leaves the list.
        whenGone(main.jobs(), started, () -> {
            if (gen == generation && running.get()) {
                running.set(false);
                info.set("Cancelled.");
            }
        });
    }

    /** Runs {@code then} once {@code job} has left the runner's list (done, failed or cancelled). */
    static void whenGone(JobRunner jobs, RunningJob job, Runnable then) {
        if (!jobs.running().contains(job)) {
            then.run();
            return;
        }
        jobs.running().addListener(new javafx.collections.ListChangeListener<RunningJob>() {
            @Override
            public void onChanged(Change<? extends RunningJob> c) {
                if (!jobs.running().contains(job)) {
                    jobs.running().removeListener(this);
                    then.run();
                }
            }
        });
    }

    private record Result(SensitivityTable table, boolean cached, String method, String calibrator) {
    }

    /** The sweep's settings: the method's defaults, or W8A8 with {@code calibrator} (activations on each layer's input). */
    static SensitivityMethod settings(String method, String calibrator) {
        if (!W8A8.equals(method)) {
            return SensitivityMethod.of(method);
        }
        ActivationSpec a = new ActivationSpec(8, false, Calibration.parse("Calibrator", calibrator), false, Map.of(),
                ActivationPlacement.LAYERS);
        return new SensitivityMethod("quantize", null, null, 0, true, null, null, a);
    }

    /** The plan's calibration file, resolved, for W8A8; null for the other methods. */
    private Path calibrationFile() {
        if (!W8A8.equals(method.get())) {
            return null;
        }
        var c = main.plan().planProperty().get().calibration();
        if (c == null || c.data() == null) {
            throw new BadInputException("W8A8 sensitivity calibrates each layer's activation range on the plan's calibration"
                    + " data: choose it first (Edit > Calibration Data...).");
        }
        Path folder = main.plan().recipeFolder();
        return (folder == null ? Path.of("").toAbsolutePath() : folder).resolve(c.data()).normalize();
    }

    /** What identifies the calibration data in the cache key: its path, size, time and sample limit. */
    private static String calibrationIdentity(Path file, Integer samples) {
        if (file == null) {
            return "";
        }
        long size = -1;
        long time = -1;
        try {
            size = java.nio.file.Files.size(file);
            time = java.nio.file.Files.getLastModifiedTime(file).toMillis();
        } catch (java.io.IOException e) {
            // a missing file fails when the sweep loads it; the key only has to differ
        }
        return "\ncalibration " + file + " " + size + " " + time + " " + samples;
    }

    /** The shown table's method as the window names it: "quantize W8A8 (minmax)" for W8A8. */
    String label() {
        SensitivityTable t = table.get();
        if (W8A8.equals(shownMethod)) {
            return W8A8 + " (" + shownCalibrator + ")";
        }
        return t == null ? "" : t.method();
    }

    /** Whether the shown table is a W8A8 sweep (its cells set weights and activations). */
    boolean shownW8A8() {
        return W8A8.equals(shownMethod);
    }

    /** Checks the form on the FX thread, before any work: the levels it gives. */
    private List<Double> checkForm() {
        List<Double> lv = parseLevels(levels.get());
        SensitivityMethod settings = settings(method.get(), calibrator.get());
        lv.forEach(settings::checkLevel);
        if (samples.get() < 1) {
            throw new BadInputException("Samples must be at least 1, got " + samples.get() + ".");
        }
        selector(layers.get());
        return lv;
    }

    private static SensitivityRequest requestWith(OnnxModel m, SensitivityMethod settings, List<Double> lv, String regex,
                                                  Pool pool, int n, Dataset loaded, CalibrationData calibration) {
        int threads = dev.whittle.core.compare.PlanEvaluation.windowThreads();
        EvalRequest e = new EvalRequest(m, null, null, loaded, batch(n), n, null, pool,
                SessionSpec.defaults().withThreads(threads));
        return new SensitivityRequest(e, settings.name(), lv, selector(regex), settings, calibration);
    }

    private static int batch(int samples) {
        return Math.min(32, samples);
    }

    private static LayerSelector selector(String regex) {
        return regex == null || regex.isBlank() ? LayerSelector.all() : LayerSelector.names(regex.trim());
    }

    /** "0.3, 0.5 0.7" to [0.3, 0.5, 0.7]; an error names what is not a number. */
    static List<Double> parseLevels(String text) {
        List<Double> out = new ArrayList<>();
        for (String s : (text == null ? "" : text).split("[,;\\s]+")) {
            if (s.isBlank()) {
                continue;
            }
            try {
                out.add(Double.parseDouble(s.trim()));
            } catch (NumberFormatException e) {
                throw new BadInputException("Levels are numbers separated by commas; '" + s + "' is not a number.");
            }
        }
        if (out.isEmpty()) {
            throw new BadInputException("Give at least one level (for example " + METHODS.get("prune") + ").");
        }
        return out;
    }

    static String describe(SensitivityTable t) {
        return describe(t, t.method());
    }

    static String describe(SensitivityTable t, String method) {
        return String.format(Locale.ROOT, "%s sensitivity, %s on %s samples; unmodified %s%s", method, t.metric(),
                Format.count(t.samples()), value(t.metric(), t.baseline()),
                t.skipped().isEmpty() ? "" : "; " + t.skipped().size() + " layers skipped");
    }

    /** A metric's value as the table shows it: accuracy in percent, others with four decimals. */
    static String value(String metric, Double v) {
        if (v == null) {
            return "-";
        }
        return metric.equals("accuracy") ? String.format(Locale.ROOT, "%.1f%%", 100 * v) : String.format(Locale.ROOT, "%.4f", v);
    }

    /** Sets the table's method at {@code level} on {@code layer} in the plan (one undo step); false when nothing changed. */
    public boolean apply(String layer, double level) {
        SensitivityTable t = table.get();
        if (t == null) {
            return false;
        }
        PlanViewModel plan = main.plan();
        boolean changed = switch (t.method()) {
            case "prune" -> plan.setPrune(layer, PruneSpec.sparsity(level));
            case "quantize" -> plan.setQuantize(layer, shownW8A8()
                    ? new QuantizeSpec(WeightSpec.of((int) level, Granularity.CHANNEL),
                    ActivationSpec.of(Calibration.parse("Calibrator", shownCalibrator)), null)
                    : QuantizeSpec.weights(WeightSpec.of((int) level, Granularity.CHANNEL)));
            case "lowrank-params" -> plan.setLowrank(layer, LowRankSpec.params(level));
            case "lowrank" -> plan.setLowrank(layer, LowRankSpec.rank((int) level));
            default -> false;
        };
        if (changed) {
            main.setStatus("Set " + label() + " " + Format.number(level) + " on " + layer + " (Ctrl+Z undoes it).");
        }
        return changed;
    }

    /** The table as CSV: layer, then the primary metric at each level. */
    static String csv(SensitivityTable t) {
        return csv(t, t.method());
    }

    /** The shown table as CSV, its method named as the window names it; null when none is shown. */
    String shownCsv() {
        SensitivityTable t = table.get();
        return t == null ? null : csv(t, label());
    }

    static String csv(SensitivityTable t, String method) {
        StringBuilder sb = new StringBuilder("layer");
        t.levels().forEach(l -> sb.append(',').append(method).append(' ').append(Format.number(l)));
        sb.append('\n');
        for (String l : t.layers()) {
            sb.append('"').append(l.replace("\"", "\"\"")).append('"');
            for (double level : t.levels()) {
                Double v = t.value(l, level);
                sb.append(',').append(v == null ? "" : Double.toString(v));
            }
            sb.append('\n');
        }
        sb.append("# ").append(describe(t, method)).append('\n');
        return sb.toString();
    }

    public StringProperty methodProperty() {
        return method;
    }

    public StringProperty levelsProperty() {
        return levels;
    }

    /** W8A8's calibrator: minmax, percentile:P, entropy or mse. */
    public StringProperty calibratorProperty() {
        return calibrator;
    }

    public StringProperty layersProperty() {
        return layers;
    }

    /** The window's one data choice (shared with Evaluate and Per-layer latency). */
    public ObjectProperty<DataChoice> dataProperty() {
        return data;
    }

    public IntegerProperty samplesProperty() {
        return samples;
    }

    public ReadOnlyObjectProperty<SensitivityTable> tableProperty() {
        return table.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty infoProperty() {
        return info.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty runningProperty() {
        return running.getReadOnlyProperty();
    }
}
