package dev.whittle.core.analysis;

import dev.whittle.core.eval.EvalRequest;
import dev.whittle.core.eval.EvalResult;
import dev.whittle.core.eval.Evaluator;

import dev.whittle.core.BadInputException;
import dev.whittle.core.job.CancelToken;
import dev.whittle.core.job.Job;
import dev.whittle.core.job.ProgressSink;
import dev.whittle.core.model.DataType;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Runs a {@link SensitivityRequest}: the unmodified model's outputs are computed once (through
 * the evaluator's {@link BaselineCache}), then each (layer, level) variant is built and
 * evaluated against them. Progress counts table cells (plus one for the unmodified model).
 */
public final class SensitivityAnalysis {
    private final Evaluator evaluator;

    public SensitivityAnalysis(Evaluator evaluator) {
        this.evaluator = evaluator;
    }

    public SensitivityAnalysis() {
        this(new Evaluator());
    }

    public Job<SensitivityTable> job(SensitivityRequest r) {
        return (progress, cancel) -> run(r, progress, cancel);
    }

    public SensitivityTable run(SensitivityRequest r, ProgressSink progress, CancelToken cancel) {
        OnnxModel model = r.eval().model();
        LayerCompressor method = r.settings().compressor();
        List<WeightLayer> layers = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (WeightLayer l : r.selector().select(model.graph())) {
            if (!dev.whittle.core.transform.WeightChecks.editable(l.dtype()) || l.quantized()) {
                skipped.add(l.node() + ": " + l.dtype() + (l.quantized() ? " quantized" : "") + " weight; "
                        + r.method() + " needs float32");
            } else {
                layers.add(l);
            }
        }
        if (r.settings().activations() != null && !layers.isEmpty()) {
            // one calibration of every range the sweep's layers need; each variant then reads its own
            List<String> tensors = r.settings().calibrationTensors(model, layers);
            progress.update(0, 1, "calibrating " + tensors.size() + " activations");
            method = r.settings().calibrated(ActivationCalibration.collect(model, tensors, r.calibration(),
                    ActivationCalibration.externalDir(model), null, cancel::isCancelled));
        }
        EvalRequest base = r.eval().withBaseline(model);
        boolean labels = base.data().hasLabels();
        String metric = labels ? "accuracy" : "meanCosine";
        long total = 1 + (long) layers.size() * r.levels().size();
        long done = 0;
        progress.update(0, total, "unmodified model");
        EvalResult ref = evaluator.evaluate(base, ProgressSink.NONE, cancel);
        progress.update(++done, total, "unmodified model");
        LinkedHashSet<String> notes = new LinkedHashSet<>(ref.notes());
        List<SensitivityTable.Row> rows = new ArrayList<>();
        List<String> cellErrors = new ArrayList<>();
        for (WeightLayer l : layers) {
            for (double level : r.levels()) {
                cancel.throwIfCancelled();
                OnnxModel variant;
                try {
                    variant = method.apply(model, l, level);
                } catch (BadInputException ex) {
                    // One cell that cannot be built (a rank above the layer's) leaves a gap, not a failed sweep.
                    // The transforms' messages end "; nothing was written." for apply's sake; here nothing is written anyway.
                    cellErrors.add(l.node() + " at " + level + ": " + ex.getMessage().replace("; nothing was written.", "."));
                    addRows(rows, l, level, labels, null);
                    progress.update(++done, total, l.node() + " @ " + level);
                    continue;
                }
                EvalResult e = evaluator.evaluate(base.withModel(variant, l.node() + "@" + level), ProgressSink.NONE, cancel);
                notes.addAll(e.notes());
                addRows(rows, l, level, labels, e);
                progress.update(++done, total, l.node() + " @ " + level);
            }
        }
        notes.addAll(cellErrors);
        return new SensitivityTable(ref.model(), r.method().toLowerCase(), metric,
                labels ? ref.accuracy() : ref.meanCosine(), r.levels(), layers.stream().map(WeightLayer::node).toList(),
                rows, skipped, ref.samples(), ref.runtime(), new ArrayList<>(notes));
    }

    /** The cell's rows; values are null when the cell could not be built ({@code e} null). */
    private static void addRows(List<SensitivityTable.Row> rows, WeightLayer l, double level, boolean labels, EvalResult e) {
        if (labels) {
            rows.add(new SensitivityTable.Row(l.node(), level, "accuracy", e == null ? null : e.accuracy()));
        }
        if (e == null || e.agreement() != null) {
            rows.add(new SensitivityTable.Row(l.node(), level, "agreement", e == null ? null : e.agreement()));
        }
        rows.add(new SensitivityTable.Row(l.node(), level, "meanCosine", e == null ? null : e.meanCosine()));
        rows.add(new SensitivityTable.Row(l.node(), level, "outputSqnrDb", e == null ? null : e.outputSqnrDb()));
    }
}
