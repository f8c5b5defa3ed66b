package dev.whittle.core.analysis;

import dev.whittle.core.eval.BaselineBench;
import dev.whittle.core.eval.BenchRequest;
import dev.whittle.core.eval.Dataset;
import dev.whittle.core.eval.KernelCounts;
import dev.whittle.core.eval.NodeProfiler;
import dev.whittle.core.eval.SessionSpec;
import dev.whittle.core.eval.SyntheticInputs;
import dev.whittle.core.job.CancelToken;
import dev.whittle.core.job.CancelledException;
import dev.whittle.core.job.ProgressSink;
import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.quant.ActivationPlacement;
import dev.whittle.core.quant.QuantOptions;
import dev.whittle.core.quant.QuantResult;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.quant.QuantizeStep;
import dev.whittle.core.quant.Quantizer;
import dev.whittle.core.select.LayerSelector;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;

/**
 * {@code activations.placement: measured}: speed placement, then each weight layer that ONNX
 * Runtime runs as an int8 kernel is timed against the same layer in the float model, on this
 * machine, by ONNX Runtime's profiler ({@link NodeProfiler}) at the spec's batch. A layer's cost
 * is its kernels plus the conversions next to them in ONNX Runtime's optimized graph
 * (QuantizeLinear, DequantizeLinear, the layout Transposes and NCHWc reorders), a conversion
 * shared by several layers split between them. The two models are profiled alternately,
 * {@link LayerTimings#ROUNDS} rounds, each layer taking the median of its rounds; a layer whose int8 form costs
 * more than {@link LayerTimings#MARGIN} times its float form is slower in int8.
 *
 * <p>Kernel times miss what ONNX Runtime then does around a layer left in float (it moves the next
 * QuantizeLinear in front of a pool, which then runs on uint8 in another layout), so whole models
 * decide: the layers slowest in int8 leave the step's selection one more at a time (wholly float,
 * weights too: a weight behind DequantizeLinear keeps a float Conv out of ONNX Runtime's fast
 * layout), from those slower in int8 to {@link #EXTRA} beyond, and each model is timed against
 * the fastest so far; the fastest is written. The report gives every layer's two times, each
 * whole-model ratio, and the {@code exclude} line that repeats the decision on another machine
 * (it depends on the CPU, ONNX Runtime's kernels and the noise of the timing).
 */
public final class MeasuredPlacement {
    static final int WARMUP = LayerTimings.WARMUP;
    static final int BENCH_RUNS = 20;
    static final int E2E_ROUNDS = 5;
    /** Whole models timed beyond the layers that lose as kernels: the next slowest in int8 go to float too. */
    static final int EXTRA = 2;

    private MeasuredPlacement() {
    }

    /** Whether any step asks for measured placement. */
    static boolean wanted(List<QuantizeStep> steps) {
        return steps.stream().anyMatch(s -> s.quantize().activations() != null
                && s.quantize().activations().placement() == ActivationPlacement.MEASURED);
    }

    /**
     * The steps with speed or measured placement replaced by layer placement with output pairs: every layer
     * input and output with its own range, the tensors a layer left in float or given an output
     * pair may need.
     */
    static List<QuantizeStep> layerPlaced(List<QuantizeStep> steps) {
        List<QuantizeStep> out = new ArrayList<>();
        for (QuantizeStep s : steps) {
            var a = s.quantize().activations();
            out.add(a == null || a.placement() != ActivationPlacement.MEASURED && a.placement() != ActivationPlacement.SPEED
                    ? s : new QuantizeStep(s.select(),
                    new QuantizeSpec(s.quantize().weights(), a.withPlacement(ActivationPlacement.LAYERS).withOutputs(true),
                            s.quantize().format())));
        }
        return out;
    }

    /**
     * @param model  the (prepared) float model: each layer's float time is its time here
     * @param speed  the steps quantized with speed placement (graph, round trips left out)
     * @param data   calibration data: its first samples are the profiled batch, or null for synthetic inputs
     */
    static QuantResult apply(OnnxModel model, List<QuantizeStep> steps, QuantOptions options, QuantResult speed,
                             CalibrationData data, BooleanSupplier cancelled) {
        int batch = steps.stream().filter(s -> s.quantize().activations() != null
                        && s.quantize().activations().placement() == ActivationPlacement.MEASURED)
                .mapToInt(s -> s.quantize().activations().measureBatch()).max().orElse(1);
        List<String> notes = new ArrayList<>();
        Dataset d = dataset(data, batch, notes);
        String at = "at batch " + batch + " on this machine";
        // as speed placement does: a layer ORT runs in float behind the DequantizeLinear of its int8 weight gets a pair
        // on its output when that lets it run as an int8 kernel, so every layer with one is timed
        List<String> behind = KernelCounts.dequantizedFloatLayers(speed.model(), model.graph(), SessionSpec.defaults());
        Tried start = new Tried(speed, List.of(), List.of());
        if (!behind.isEmpty()) {
            start = quantizeWithout(model, steps, options, new ArrayList<>(), behind, at, notes, cancelled);
            speed = start.result();
        }
        LayerTimings.Measured measured = LayerTimings.time(model, speed.model(), d, batch, cancelled);
        List<LayerTimings.Timing> timings = measured.timings();
        // about 0.2 s of the float model a round, 20 to 200 runs
        int runs = (int) Math.max(BENCH_RUNS, Math.min(200, Math.round(200 / Math.max(measured.floatRunMs(), 1e-3))));
        for (LayerTimings.Timing t : timings) {
            notes.add(String.format(Locale.ROOT, "Layer '%s', placement measured %s: int8 (%s and its conversions) %.3f ms a"
                            + " run, float %.3f ms (ONNX Runtime's profiler, median of %d rounds): %s.", t.layer(), at,
                    t.int8Ops(), t.int8Ms(), t.floatMs(), LayerTimings.ROUNDS, t.int8Loses() ? "slower in int8"
                            : t.int8Ms() > t.floatMs() ? "within the timing margin" : "faster in int8"));
        }
        if (timings.isEmpty()) {
            notes.add("activations.placement measured: no weight layer runs as an int8 kernel in ONNX Runtime's optimized"
                    + " graph, so nothing was timed.");
            return SpeedPlacement.withMessages(speed, notes);
        }
        List<String> order = worstFirst(timings);
        long losers = timings.stream().filter(LayerTimings.Timing::int8Loses).count();
        int first = (int) Math.max(1, losers);
        int last = Math.min(order.size() - 1, first + EXTRA);
        Tried best = start;
        String bestName = "speed placement";
        // Layers that ORT runs in float behind a DequantizeLinear of their int8 weight are slower than in either form
        List<String> base = new ArrayList<>(KernelCounts.dequantizedFloatLayers(speed.model(), model.graph(),
                SessionSpec.defaults()));
        if (!base.isEmpty()) {
            int n = base.size();
            Tried t = quantizeWithout(model, steps, options, base, order, at, notes, cancelled);
            if (t.floats().containsAll(order)) {
                notes.add("placement measured " + at + ": leaving the " + n + " layers that ONNX Runtime runs in float"
                        + " behind a DequantizeLinear wholly float would leave no int8 kernel; they stay as they are.");
            } else {
                double ratio = endToEnd(best.result().model(), t.result().model(), d, batch, runs, cancelled);
                notes.add(String.format(Locale.ROOT, "placement measured %s: ONNX Runtime runs %d quantized layer%s in"
                                + " float behind a DequantizeLinear of the int8 weight (%s); wholly float, the model takes"
                                + " %.2fx the time of speed placement (median of %d alternating rounds of %d runs).", at, n,
                        n == 1 ? "" : "s", names(base), 1 / ratio, E2E_ROUNDS, runs));
                if (ratio * BaselineBench.SLOWER > 1) { // less work: kept unless measurably slower
                    best = t;
                    bestName = "those " + n + " in float";
                }
            }
        }
        // Kernel times miss what ONNX Runtime does around a layer left in float (a Q moved in front of a pool that then
        // runs on uint8, layout changes): the whole models decide, the layers slowest in int8 going to float first.
        Set<Set<String>> tried = new HashSet<>();
        for (int k = first; k <= last; k++) {
            List<String> floats = new ArrayList<>(best.floats());
            order.subList(0, k).stream().filter(l -> !floats.contains(l)).forEach(floats::add);
            Tried t = quantizeWithout(model, steps, options, floats, order, at, notes, cancelled);
            if (t.floats().containsAll(order) || !tried.add(Set.copyOf(t.floats()))) {
                continue; // nothing int8 would be left, or a model already timed
            }
            List<String> timedFloat = order.stream().filter(t.floats()::contains).toList();
            double ratio = endToEnd(best.result().model(), t.result().model(), d, batch, runs, cancelled);
            notes.add(String.format(Locale.ROOT, "placement measured, whole model %s: with %s in float too, %.2fx the time"
                            + " of %s (median of %d alternating rounds of %d runs).", at, names(timedFloat), 1 / ratio,
                    bestName, E2E_ROUNDS, runs));
            if (ratio > BaselineBench.SLOWER) {
                best = t;
                bestName = "with " + names(timedFloat) + " in float";
            }
        }
        List<String> chosen = best.floats();
        long int8 = order.stream().filter(l -> !chosen.contains(l)).count();
        if (chosen.isEmpty()) {
            notes.add("activations.placement measured: every timed layer stays int8 " + at + " (as speed placement wrote"
                    + " it): " + (tried.isEmpty() ? "leaving the layers slower in int8 in float would leave none in int8."
                    : "leaving the slowest in float did not make the whole model faster."));
            return SpeedPlacement.withMessages(speed, notes);
        }
        notes.add("activations.placement measured: " + chosen.size() + " layer" + (chosen.size() == 1 ? "" : "s")
                + " left wholly in float (weights too: " + names(chosen) + "), " + int8 + " int8 kernel"
                + (int8 == 1 ? "" : "s") + " kept" + (best.outputs().isEmpty() ? "" : " (" + names(best.outputs())
                + " with a Q/DQ pair on the output)") + ": the fastest whole model " + at + ".");
        notes.add("To keep this decision on another machine: exclude: [" + String.join(", ", chosen.stream()
                .map(l -> "'" + regex(l) + "'").toList()) + "] in this step's select (placement measured left them in float)"
                + (best.outputs().isEmpty() ? "" : ", and " + String.join(", ", best.outputs().stream()
                .map(l -> "'" + regex(l) + "'").toList()) + " in a step of " + (best.outputs().size() == 1 ? "its" : "their")
                + " own with activations.outputs: true") + ".");
        return SpeedPlacement.withMessages(best.result(), notes);
    }

    /** A candidate: the model, the layers left wholly float, the layers given output pairs. */
    private record Tried(QuantResult result, List<String> floats, List<String> outputs) {
    }

    /** Up to eight names, then how many more. */
    static String names(List<String> layers) {
        return layers.size() <= 8 ? String.join(", ", layers)
                : String.join(", ", layers.subList(0, 8)) + " and " + (layers.size() - 8) + " more";
    }

    /**
     * The steps quantized with {@code floats} left out. A layer that ONNX Runtime then runs in float
     * behind a DequantizeLinear of its int8 weight (its neighbours in float left it no int8 input
     * or output) is slower than in either form: a timed layer gets a pair on its output (a
     * QLinearConv must write int8), and one that is still stuck, or was never timed, joins
     * {@code floats}; each with a note, and the steps are quantized again.
     */
    private static Tried quantizeWithout(OnnxModel model, List<QuantizeStep> steps, QuantOptions options,
                                         List<String> floats, List<String> timed, String at, List<String> notes,
                                         BooleanSupplier cancelled) {
        List<String> outputs = new ArrayList<>();
        for (int pass = 0; ; pass++) {
            if (cancelled != null && cancelled.getAsBoolean()) {
                throw new CancelledException();
            }
            List<QuantizeStep> again = without(steps, floats, outputs, model.graph());
            QuantResult r = Quantizer.apply(model, again, options);
            if (!r.report().activations().isEmpty()) {
                r = SpeedPlacement.apply(model, again, options, r);
            }
            List<String> stuck = KernelCounts.dequantizedFloatLayers(r.model(), model.graph(), SessionSpec.defaults())
                    .stream().filter(l -> !floats.contains(l)).toList();
            if (stuck.isEmpty() || pass == 4) {
                return new Tried(r, List.copyOf(floats), List.copyOf(outputs));
            }
            List<String> pairs = stuck.stream().filter(l -> timed.contains(l) && !outputs.contains(l)).toList();
            List<String> gone = stuck.stream().filter(l -> !pairs.contains(l)).toList();
            if (!pairs.isEmpty()) {
                notes.add("placement measured " + at + ": " + (floats.isEmpty() ? "under speed placement" : "with " + names(floats)
                        + " in float") + ", ONNX Runtime would run "
                        + names(pairs) + " in float behind a DequantizeLinear of the int8 weight: "
                        + (pairs.size() == 1 ? "its output gets" : "their outputs get") + " a Q/DQ pair, so the int8 kernel"
                        + " writes int8.");
                outputs.addAll(pairs);
            }
            if (!gone.isEmpty()) {
                notes.add("placement measured " + at + ": ONNX Runtime runs " + names(gone) + " in float behind a"
                        + " DequantizeLinear of the int8 weight, slower than either form: left wholly in float.");
                floats.addAll(gone);
            }
        }
    }

    /** The timed layers, the one slowest in int8 against float first. */
    static List<String> worstFirst(List<LayerTimings.Timing> timings) {
        List<LayerTimings.Timing> sorted = new ArrayList<>(timings);
        sorted.sort(Comparator.comparingDouble((LayerTimings.Timing t) -> t.floatMs() > 0 ? t.int8Ms() / t.floatMs()
                : Double.POSITIVE_INFINITY).reversed());
        return sorted.stream().map(LayerTimings.Timing::layer).toList();
    }

    /** A regular expression that matches {@code name} only, as plain as it can be written. */
    static String regex(String name) {
        return name.replaceAll("[\\\\.\\[\\]{}()*+?^$|]", "\\\\$0");
    }

    /** {@code a}'s median time over {@code b}'s, whole models timed alternately. */
    private static double endToEnd(OnnxModel a, OnnxModel b, Dataset d, int batch, int runs, BooleanSupplier cancelled) {
        if (cancelled != null && cancelled.getAsBoolean()) {
            throw new CancelledException();
        }
        BenchRequest r = new BenchRequest(a, d, List.of(batch), WARMUP, runs, Map.of(), SyntheticInputs.DEFAULT_DIM,
                SessionSpec.defaults());
        return BaselineBench.run(r, b, E2E_ROUNDS, ProgressSink.NONE, CancelToken.none()).batches().get(0).ratio();
    }

    /** The steps that place by measurement with {@code layers} left out of their selection (wholly float). */
    static List<QuantizeStep> without(List<QuantizeStep> steps, List<String> floats, List<String> outputs,
                                      ModelGraph graph) {
        return without(steps, floats, outputs, graph, ActivationPlacement.MEASURED);
    }

    /**
     * The steps placed by {@code placement} with {@code floats} and {@code outputs} left out of
     * their selection, and the {@code outputs} they selected in a step of their own that also
     * quantizes the layers' outputs; other steps as they are.
     */
    static List<QuantizeStep> without(List<QuantizeStep> steps, List<String> floats, List<String> outputs,
                                      ModelGraph graph, ActivationPlacement placement) {
        List<String> exclude = new ArrayList<>();
        floats.forEach(l -> exclude.add(Pattern.quote(l)));
        outputs.forEach(l -> exclude.add(Pattern.quote(l)));
        List<QuantizeStep> out = new ArrayList<>();
        for (QuantizeStep s : steps) {
            var a = s.quantize().activations();
            if (a == null || a.placement() != placement) {
                out.add(s);
                continue;
            }
            out.add(new QuantizeStep(s.select().excluding(exclude), s.quantize()));
            List<String> own = s.select().select(graph).stream().map(WeightLayer::node)
                    .filter(l -> outputs.contains(l) && !floats.contains(l)).map(Pattern::quote).toList();
            if (!own.isEmpty()) {
                out.add(new QuantizeStep(new LayerSelector(List.of(), own, List.of()), new QuantizeSpec(
                        s.quantize().weights(), a.withOutputs(true), s.quantize().format())));
            }
        }
        return out;
    }

    private static Dataset dataset(CalibrationData data, int batch, List<String> notes) {
        if (data == null) {
            notes.add("placement measured timed synthetic inputs: no calibration data.");
            return null;
        }
        if (data.dataset().stream() != null) {
            notes.add("placement measured timed synthetic inputs: the calibration data is a stream, fed chunk by chunk.");
            return null;
        }
        if (data.samples() < batch) {
            notes.add("placement measured timed synthetic inputs: batch " + batch + " needs " + batch
                    + " samples and the calibration data has " + data.samples() + ".");
            return null;
        }
        return data.dataset();
    }

}
