package dev.whittle.core.analysis;

import dev.whittle.core.eval.BaselineBench;
import dev.whittle.core.eval.BenchRequest;
import dev.whittle.core.eval.Dataset;
import dev.whittle.core.eval.LayerTimes;
import dev.whittle.core.eval.NodeProfile;
import dev.whittle.core.eval.NodeProfiler;
import dev.whittle.core.eval.OptimizedGraph;
import dev.whittle.core.eval.ProfileRequest;
import dev.whittle.core.eval.SessionSpec;
import dev.whittle.core.eval.SyntheticInputs;
import dev.whittle.core.job.CancelToken;
import dev.whittle.core.job.CancelledException;
import dev.whittle.core.job.ProgressSink;
import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.model.NodeInfo;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.quant.ActivationOverride;
import dev.whittle.core.quant.ActivationPlacement;
import dev.whittle.core.quant.ActivationReport;
import dev.whittle.core.quant.QuantOptions;
import dev.whittle.core.quant.QuantResult;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.quant.QuantizeStep;
import dev.whittle.core.quant.Quantizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * {@code activations.placement: measured}: speed placement, then each weight layer that ONNX
 * Runtime runs as an int8 kernel is timed against the same layer in float, on this machine, by
 * ONNX Runtime's profiler ({@link NodeProfiler}) at the spec's batch. The float side is the
 * same model with every activation left in float (weights stay int8 and are dequantized for a
 * float kernel, which is what a layer left in float becomes). A layer's cost is its kernels plus
 * the conversions next to them in ONNX Runtime's optimized graph (QuantizeLinear,
 * DequantizeLinear, the layout Transposes and NCHWc reorders), a conversion shared by several
 * layers split between them. Models are timed alternately, {@link #ROUNDS} rounds, and each
 * layer takes the median of its rounds. A layer whose int8 form costs more than
 * {@link #MARGIN} times its float form keeps float activations (an exclude override on each
 * activation that only such layers read); the report gives both times for every layer. Then
 * the round trips this leaves are removed as speed placement does.
 *
 * <p>The result depends on the machine (its CPU's int8 instructions, ONNX Runtime's kernels) and
 * on the noise of the timing: the report's override lines make a decision repeatable elsewhere.
 */
public final class MeasuredPlacement {
    /** int8 must cost more than this many times float before a layer is left in float (timing noise). */
    static final double MARGIN = 1.10;
    static final int ROUNDS = 3;
    static final int WARMUP = 3;
    static final int RUNS = 15;
    static final int BENCH_RUNS = 20;
    private static final Set<String> CONVERSIONS = Set.of("QuantizeLinear", "DequantizeLinear", "Transpose",
            "ReorderInput", "ReorderOutput", "DynamicQuantizeLinear");

    private MeasuredPlacement() {
    }

    /** Whether any step asks for measured placement. */
    static boolean wanted(List<QuantizeStep> steps) {
        return steps.stream().anyMatch(s -> s.quantize().activations() != null
                && s.quantize().activations().placement() == ActivationPlacement.MEASURED);
    }

    /** The steps with measured placement replaced by layer placement: every layer input with its own range. */
    static List<QuantizeStep> layerPlaced(List<QuantizeStep> steps) {
        List<QuantizeStep> out = new ArrayList<>();
        for (QuantizeStep s : steps) {
            var a = s.quantize().activations();
            out.add(a == null || a.placement() != ActivationPlacement.MEASURED ? s : new QuantizeStep(s.select(),
                    new QuantizeSpec(s.quantize().weights(), a.withPlacement(ActivationPlacement.LAYERS), s.quantize().format())));
        }
        return out;
    }

    /** One layer's two costs, milliseconds a run (medians of the rounds). */
    record Timing(String layer, String int8Ops, double int8Ms, double floatMs) {
        boolean int8Loses() {
            return int8Ms > floatMs * MARGIN;
        }
    }

    /**
     * @param speed  the steps quantized with speed placement (graph, round trips left out)
     * @param data   calibration data: its first samples are the profiled batch, or null for synthetic inputs
     */
    static QuantResult apply(OnnxModel model, List<QuantizeStep> steps, QuantOptions options, QuantResult speed,
                             CalibrationData data, BooleanSupplier cancelled) {
        int batch = steps.stream().filter(s -> s.quantize().activations() != null
                        && s.quantize().activations().placement() == ActivationPlacement.MEASURED)
                .mapToInt(s -> s.quantize().activations().measureBatch()).max().orElse(1);
        List<String> notes = new ArrayList<>();
        Set<String> all = new LinkedHashSet<>();
        speed.report().activations().forEach(a -> all.add(a.tensor()));
        // The float side: every activation in float, the weights as they are.
        QuantResult floats = Quantizer.apply(model, withExcluded(steps, all), options);
        Dataset d = dataset(data, batch, notes);
        List<Timing> timings = time(model, speed.model(), floats.model(), d, batch, cancelled);
        long losers = timings.stream().filter(Timing::int8Loses).count();
        Set<String> drop = dropped(speed.report().activations(), timings);
        String cpu = "at batch " + batch + " on this machine";
        for (Timing t : timings) {
            notes.add(String.format(Locale.ROOT, "Layer '%s' %s: int8 (%s and its conversions) %.3f ms a run against %.3f ms"
                            + " in float %s (placement measured, median of %d rounds).", t.layer(),
                    t.int8Loses() ? "left in float" : "kept in int8", t.int8Ops(), t.int8Ms(), t.floatMs(), cpu, ROUNDS));
        }
        if (timings.isEmpty()) {
            notes.add("activations.placement measured: no weight layer runs as an int8 kernel in ONNX Runtime's optimized"
                    + " graph, so nothing was timed.");
            return SpeedPlacement.withMessages(speed, notes);
        }
        QuantResult perLayer = speed;
        if (!drop.isEmpty()) {
            List<QuantizeStep> again = withExcluded(steps, drop);
            perLayer = Quantizer.apply(model, again, options);
            if (!perLayer.report().activations().isEmpty()) {
                perLayer = SpeedPlacement.apply(model, again, options, perLayer);
            }
        }
        long kept = timings.size() - losers;
        notes.add("activations.placement measured: " + losers + " of " + timings.size() + " timed layer"
                + (timings.size() == 1 ? "" : "s") + " left in float, " + kept + " kept in int8 " + cpu + ".");
        // Kernel times miss what ONNX Runtime then does around them (a Q moved before a pool, a layout change):
        // the whole models are timed too, and the fastest is kept.
        List<Candidate> candidates = new ArrayList<>();
        candidates.add(new Candidate("the per-layer choice", perLayer));
        if (!drop.isEmpty()) {
            candidates.add(new Candidate("speed placement (every timed layer in int8)", speed));
        }
        if (!drop.equals(all)) {
            candidates.add(new Candidate("float activations (int8 weights only)", floats));
        }
        Candidate best = candidates.get(0);
        for (Candidate c : candidates.subList(1, candidates.size())) {
            double ratio = endToEnd(best.result().model(), c.result().model(), d, batch, cancelled);
            notes.add(String.format(Locale.ROOT, "placement measured, whole model %s: %s takes %.2fx the time of %s"
                    + " (median of %d alternating rounds of %d runs).", cpu, c.name(), 1 / ratio, best.name(), ROUNDS, BENCH_RUNS));
            if (ratio > BaselineBench.SLOWER) {
                best = c;
            }
        }
        if (best.result() == floats) {
            notes.add("activations.placement measured: int8 activations do not pay for this model " + cpu
                    + ": every activation stays float and the weights int8 (the fastest of the models timed).");
            return SpeedPlacement.withMessages(floats, notes);
        }
        if (drop.isEmpty()) {
            notes.add("activations.placement measured: every timed layer is at least as fast in int8 " + cpu
                    + "; the model is as speed placement wrote it.");
            return SpeedPlacement.withMessages(speed, notes);
        }
        if (best.result() == speed) {
            notes.add("activations.placement measured: kept speed placement, faster as a whole " + cpu
                    + " than leaving the slower layers in float.");
            return SpeedPlacement.withMessages(speed, notes);
        }
        drop.forEach(t -> notes.add("To keep this decision on another machine: activations.overrides: {'" + t
                + "': {exclude: true}} (placement measured left it in float)."));
        return SpeedPlacement.withMessages(perLayer, notes);
    }

    /** The activations to leave in float: those whose timed readers all lose in int8 (untimed readers do not count). */
    static Set<String> dropped(List<ActivationReport> activations, List<Timing> timings) {
        Set<String> timed = new HashSet<>();
        Set<String> losers = new HashSet<>();
        for (Timing t : timings) {
            timed.add(t.layer());
            if (t.int8Loses()) {
                losers.add(t.layer());
            }
        }
        Set<String> drop = new LinkedHashSet<>();
        for (ActivationReport a : activations) {
            List<String> layers = a.readers().stream().filter(timed::contains).toList();
            if (!layers.isEmpty() && losers.containsAll(layers)) {
                drop.add(a.tensor());
            }
        }
        return drop;
    }

    private record Candidate(String name, QuantResult result) {
    }

    /** {@code a}'s median time over {@code b}'s, whole models timed alternately. */
    private static double endToEnd(OnnxModel a, OnnxModel b, Dataset d, int batch, BooleanSupplier cancelled) {
        if (cancelled != null && cancelled.getAsBoolean()) {
            throw new CancelledException();
        }
        BenchRequest r = new BenchRequest(a, d, List.of(batch), WARMUP, BENCH_RUNS, Map.of(), SyntheticInputs.DEFAULT_DIM,
                SessionSpec.defaults());
        return BaselineBench.run(r, b, ROUNDS, ProgressSink.NONE, CancelToken.none()).batches().get(0).ratio();
    }

    /** The steps with every tensor in {@code tensors} excluded, for the steps that place by measurement. */
    private static List<QuantizeStep> withExcluded(List<QuantizeStep> steps, Set<String> tensors) {
        List<QuantizeStep> out = new ArrayList<>();
        for (QuantizeStep s : steps) {
            var a = s.quantize().activations();
            if (a == null || a.placement() != ActivationPlacement.MEASURED) {
                out.add(s);
                continue;
            }
            Map<String, ActivationOverride> o = new HashMap<>(a.overrides());
            tensors.forEach(t -> o.putIfAbsent(t, ActivationOverride.excluded()));
            out.add(new QuantizeStep(s.select(), new QuantizeSpec(s.quantize().weights(), a.withOverrides(o),
                    s.quantize().format())));
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

    /** Each int8 layer's cost in {@code int8} against {@code floats}, alternating models, median of the rounds. */
    static List<Timing> time(OnnxModel original, OnnxModel int8, OnnxModel floats, Dataset d, int batch,
                             BooleanSupplier cancelled) {
        SessionSpec session = SessionSpec.defaults();
        ModelGraph optQ = OptimizedGraph.optimize(int8, session, SessionSpec.OptLevel.ALL).graph();
        ModelGraph optF = OptimizedGraph.optimize(floats, session, SessionSpec.OptLevel.ALL).graph();
        ProfileRequest base = new ProfileRequest(int8, original.graph(), d, batch, WARMUP, RUNS, Map.of(),
                SyntheticInputs.DEFAULT_DIM, session);
        Map<String, double[]> q = new LinkedHashMap<>();
        Map<String, double[]> f = new LinkedHashMap<>();
        Map<String, String> ops = new LinkedHashMap<>();
        for (int round = 0; round < ROUNDS; round++) {
            LayerTimes tq = profile(base, int8, original, cancelled);
            LayerTimes tf = profile(base, floats, original, cancelled);
            if (round == 0) {
                for (NodeProfile n : tq.nodes()) {
                    if (n.layer() != null && isInt8(n.op())) {
                        ops.merge(n.layer(), n.op(), (a, b) -> a.contains(b) ? a : a + " + " + b);
                    }
                }
                ops.keySet().forEach(l -> {
                    q.put(l, new double[ROUNDS]);
                    f.put(l, new double[ROUNDS]);
                });
            }
            Map<String, Double> cq = costs(tq, optQ);
            Map<String, Double> cf = costs(tf, optF);
            for (String l : ops.keySet()) {
                q.get(l)[round] = cq.getOrDefault(l, 0.0);
                f.get(l)[round] = cf.getOrDefault(l, 0.0);
            }
        }
        List<Timing> out = new ArrayList<>();
        ops.forEach((l, op) -> out.add(new Timing(l, op, median(q.get(l)), median(f.get(l)))));
        return out;
    }

    private static LayerTimes profile(ProfileRequest base, OnnxModel m, OnnxModel original, BooleanSupplier cancelled) {
        if (cancelled != null && cancelled.getAsBoolean()) {
            throw new CancelledException();
        }
        return NodeProfiler.runMedians(base.withModel(m, original.graph()), ProgressSink.NONE, CancelToken.none());
    }

    /** Whether ONNX Runtime's op computes in integers (QLinearConv, QGemm, MatMulIntegerToFloat...). */
    static boolean isInt8(String op) {
        return op.contains("Integer") || op.startsWith("QLinear") || op.equals("QGemm") || op.equals("QAttention")
                || op.equals("DynamicQuantizeMatMul");
    }

    /**
     * Each weight layer's kernels plus the conversions beside them: walking back from the
     * kernels' inputs and on from their outputs through conversion nodes (at most three deep),
     * each conversion's time split between the layers that reach it.
     */
    static Map<String, Double> costs(LayerTimes t, ModelGraph opt) {
        Map<String, Double> ms = new HashMap<>();
        t.nodes().forEach(n -> ms.merge(n.node(), n.ms(), Double::sum));
        Map<String, NodeInfo> producers = new HashMap<>();
        Map<String, List<NodeInfo>> readers = new HashMap<>();
        for (NodeInfo n : opt.nodes()) {
            n.outputs().forEach(o -> producers.put(o, n));
            n.inputs().forEach(i -> readers.computeIfAbsent(i, k -> new ArrayList<>()).add(n));
        }
        Map<String, NodeInfo> byName = new HashMap<>();
        opt.nodes().forEach(n -> byName.put(n.name(), n));
        Map<String, Double> cost = new LinkedHashMap<>();
        Map<String, Set<String>> claims = new HashMap<>();
        for (NodeProfile p : t.nodes()) {
            if (p.layer() == null) {
                continue;
            }
            cost.merge(p.layer(), p.ms(), Double::sum);
            NodeInfo n = byName.get(p.node());
            if (n == null) {
                continue;
            }
            for (String in : n.inputs()) {
                NodeInfo c = producers.get(in);
                for (int depth = 0; c != null && depth < 3 && CONVERSIONS.contains(c.opType()); depth++) {
                    claims.computeIfAbsent(c.name(), k -> new HashSet<>()).add(p.layer());
                    c = c.inputs().isEmpty() ? null : producers.get(c.inputs().get(0));
                }
            }
            List<NodeInfo> next = new ArrayList<>();
            for (String o : n.outputs()) {
                next.addAll(readers.getOrDefault(o, List.of()));
            }
            for (int depth = 0; depth < 3 && !next.isEmpty(); depth++) {
                List<NodeInfo> further = new ArrayList<>();
                for (NodeInfo c : next) {
                    if (CONVERSIONS.contains(c.opType())) {
                        claims.computeIfAbsent(c.name(), k -> new HashSet<>()).add(p.layer());
                        for (String o : c.outputs()) {
                            further.addAll(readers.getOrDefault(o, List.of()));
                        }
                    }
                }
                next = further;
            }
        }
        Set<String> layerNodes = new HashSet<>();
        t.nodes().stream().filter(p -> p.layer() != null).forEach(p -> layerNodes.add(p.node()));
        claims.forEach((node, layers) -> {
            if (!layerNodes.contains(node)) {
                double share = ms.getOrDefault(node, 0.0) / layers.size();
                layers.forEach(l -> cost.merge(l, share, Double::sum));
            }
        });
        return cost;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
