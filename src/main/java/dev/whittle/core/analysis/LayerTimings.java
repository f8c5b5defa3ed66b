package dev.whittle.core.analysis;

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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Each int8 weight layer of a quantized model timed against the same layer in float, by ONNX
 * Runtime's profiler ({@link NodeProfiler#runMedians}): a layer's cost is its kernels plus the
 * conversions next to them in ONNX Runtime's optimized graph (QuantizeLinear, DequantizeLinear,
 * the layout Transposes and NCHWc reorders), a conversion shared by several layers split between
 * them. The two models are profiled alternately, {@link #ROUNDS} rounds, each layer taking the
 * median of its rounds. For {@link MeasuredPlacement}.
 */
final class LayerTimings {
    /** int8 must cost more than this many times float before a layer counts as slower in int8 (timing noise). */
    static final double MARGIN = 1.10;
    static final int ROUNDS = 3;
    static final int WARMUP = 3;
    static final int RUNS = 15;
    private static final Set<String> CONVERSIONS = Set.of("QuantizeLinear", "DequantizeLinear", "Transpose",
            "ReorderInput", "ReorderOutput", "DynamicQuantizeLinear");

    private LayerTimings() {
    }

    /** One layer's two costs, milliseconds a run (medians of the rounds). */
    record Timing(String layer, String int8Ops, double int8Ms, double floatMs) {
        boolean int8Loses() {
            return int8Ms > floatMs * MARGIN;
        }
    }

    /** The layers' timings and the float model's run time (ms, median of the rounds). */
    record Measured(List<Timing> timings, double floatRunMs) {
    }

    /** Each int8 layer's cost in {@code int8} against the float {@code original}, alternating models, median of the rounds. */
    static Measured time(OnnxModel original, OnnxModel int8, Dataset d, int batch, BooleanSupplier cancelled) {
        SessionSpec session = SessionSpec.defaults();
        ModelGraph optQ = OptimizedGraph.optimize(int8, session, SessionSpec.OptLevel.ALL).graph();
        ModelGraph optF = OptimizedGraph.optimize(original, session, SessionSpec.OptLevel.ALL).graph();
        ProfileRequest base = new ProfileRequest(int8, original.graph(), d, batch, WARMUP, RUNS, Map.of(),
                SyntheticInputs.DEFAULT_DIM, session);
        Map<String, double[]> q = new LinkedHashMap<>();
        Map<String, double[]> f = new LinkedHashMap<>();
        Map<String, String> ops = new LinkedHashMap<>();
        double[] runMs = new double[ROUNDS];
        for (int round = 0; round < ROUNDS; round++) {
            LayerTimes tq = profile(base, int8, original, cancelled);
            LayerTimes tf = profile(base, original, original, cancelled);
            runMs[round] = tf.runMs();
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
        return new Measured(out, median(runMs));
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
