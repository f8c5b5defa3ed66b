package dev.whittle.core.analysis;

import dev.whittle.core.eval.ConversionsLeft;
import dev.whittle.core.eval.KernelCounts;
import dev.whittle.core.eval.OptimizedGraph;
import dev.whittle.core.eval.SessionSpec;
import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.model.NodeInfo;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.quant.ActivationOverride;
import dev.whittle.core.quant.ActivationPlacement;
import dev.whittle.core.quant.ActivationReport;
import dev.whittle.core.quant.QuantOptions;
import dev.whittle.core.quant.QuantReport;
import dev.whittle.core.quant.QuantResult;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.quant.QuantizeStep;
import dev.whittle.core.quant.Quantizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code activations.placement: speed}: graph placement, then a look at ONNX Runtime's own
 * optimized graph of the result (level all, this machine's CPU kernels). A QuantizeLinear that
 * is still there (no int8 kernel writes its tensor) and whose output only DequantizeLinear nodes
 * read (no int8 kernel reads it) is a round trip to int8 and back that buys nothing: its tensor
 * is quantized again without a pair (an exclude override), and the report says why. Pairs that
 * an int8 kernel writes or reads stay, so no layer that runs in int8 loses it.
 *
 * <p>Before that, a weight layer that ONNX Runtime runs in float behind a DequantizeLinear of its
 * int8 weight (its input is quantized, but nothing quantizes its output, so no int8 kernel can be
 * fused: a Conv followed by a hard-swish, say) gets an output pair in a step of its own, as
 * {@code --act-outputs} would give every layer; each one still in float after that is named in
 * the report with why.
 */
public final class SpeedPlacement {
    private SpeedPlacement() {
    }

    /** Whether any step asks for speed placement (measured placement starts with it). */
    static boolean wanted(List<QuantizeStep> steps) {
        return steps.stream().anyMatch(s -> s.quantize().activations() != null && speedOrMeasured(s.quantize().activations().placement()));
    }

    private static boolean speedOrMeasured(ActivationPlacement p) {
        return p == ActivationPlacement.SPEED || p == ActivationPlacement.MEASURED;
    }

    /** {@code first} (quantized with graph placement) with the round trips left out; itself when there are none. */
    static QuantResult apply(OnnxModel model, List<QuantizeStep> steps, QuantOptions options, QuantResult first) {
        List<String> pairNotes = new ArrayList<>();
        if (steps.stream().anyMatch(SpeedPlacement::isSpeed)) {
            List<String> floats = KernelCounts.dequantizedFloatLayers(first.model(), model.graph(), SessionSpec.defaults());
            if (!floats.isEmpty()) {
                List<QuantizeStep> tried = withOutputs(steps, floats, model.graph());
                QuantResult r = Quantizer.apply(model, tried, options);
                List<String> still = KernelCounts.dequantizedFloatLayers(r.model(), model.graph(), SessionSpec.defaults());
                List<String> gained = floats.stream().filter(l -> !still.contains(l)).toList();
                if (!gained.isEmpty()) {
                    steps = withOutputs(steps, gained, model.graph());
                    first = gained.size() == floats.size() ? r : Quantizer.apply(model, steps, options);
                    pairNotes.add("activations.placement speed: " + gained.size() + " layer" + (gained.size() == 1 ? "" : "s")
                            + " got a pair on " + (gained.size() == 1 ? "its" : "their") + " output (" + MeasuredPlacement.names(gained)
                            + "): without one ONNX Runtime ran " + (gained.size() == 1 ? "it" : "them") + " in float behind a"
                            + " DequantizeLinear of the int8 weight; with it " + (gained.size() == 1 ? "it runs" : "they run")
                            + " as int8 kernels.");
                }
                for (String l : floats.stream().filter(still::contains).toList()) {
                    pairNotes.add("Layer '" + l + "' runs in float in ONNX Runtime's optimized graph on this CPU even with"
                            + " pairs on its input and output (no int8 kernel for it here): its int8 weight is dequantized at"
                            + " every run; leave it out of the step (--exclude '" + MeasuredPlacement.regex(l) + "') to keep"
                            + " it wholly float, faster but larger.");
                }
            }
        }
        ModelGraph opt = OptimizedGraph.optimize(first.model(), SessionSpec.defaults(), SessionSpec.OptLevel.ALL).graph();
        Set<String> trips = roundTrips(opt);
        Map<String, List<String>> drop = new LinkedHashMap<>();
        for (ActivationReport a : first.report().activations()) {
            if (trips.contains(a.tensor())) {
                drop.putIfAbsent(a.tensor(), a.readers());
            }
        }
        if (drop.isEmpty()) {
            pairNotes.add("activations.placement speed: every Q/DQ pair left serves an int8 kernel"
                    + " of ONNX Runtime's optimized graph on this CPU.");
            return withMessages(first, pairNotes);
        }
        List<QuantizeStep> again = new ArrayList<>();
        for (QuantizeStep s : steps) {
            var a = s.quantize().activations();
            if (a == null || !speedOrMeasured(a.placement())) {
                again.add(s);
                continue;
            }
            Map<String, ActivationOverride> o = new HashMap<>(a.overrides());
            drop.keySet().forEach(t -> o.putIfAbsent(t, ActivationOverride.excluded()));
            again.add(new QuantizeStep(s.select(), new QuantizeSpec(s.quantize().weights(), a.withOverrides(o),
                    s.quantize().format())));
        }
        QuantResult second = Quantizer.apply(model, again, options);
        List<String> notes = new ArrayList<>(pairNotes);
        drop.forEach((t, readers) -> notes.add("Activation '" + t + "' (read by " + String.join(", ", readers) + ") was left in"
                + " float (placement speed): in ONNX Runtime's optimized graph on this CPU no int8 kernel wrote or read it,"
                + " so its QuantizeLinear/DequantizeLinear pair was only a conversion to int8 and back."));
        ModelGraph after = OptimizedGraph.optimize(second.model(), SessionSpec.defaults(), SessionSpec.OptLevel.ALL).graph();
        notes.add("activations.placement speed: " + drop.size() + " pair" + (drop.size() == 1 ? "" : "s") + " left out;"
                + " ONNX Runtime's optimized graph keeps " + count(after, "QuantizeLinear") + " QuantizeLinear and "
                + count(after, "DequantizeLinear") + " DequantizeLinear (graph placement: " + count(opt, "QuantizeLinear")
                + " and " + count(opt, "DequantizeLinear") + ").");
        return withMessages(second, notes);
    }

    private static boolean isSpeed(QuantizeStep s) {
        return s.quantize().activations() != null && s.quantize().activations().placement() == ActivationPlacement.SPEED;
    }

    /** The steps with speed placement, {@code layers} moved to a step of their own that also quantizes their outputs. */
    static List<QuantizeStep> withOutputs(List<QuantizeStep> steps, List<String> layers, ModelGraph graph) {
        return MeasuredPlacement.without(steps, List.of(), layers, graph, ActivationPlacement.SPEED);
    }

    /** Tensors whose QuantizeLinear survives in the optimized graph and feeds only DequantizeLinear nodes. */
    static Set<String> roundTrips(ModelGraph opt) {
        Map<String, List<NodeInfo>> readers = new HashMap<>();
        for (NodeInfo n : opt.nodes()) {
            n.inputs().forEach(i -> readers.computeIfAbsent(i, k -> new ArrayList<>()).add(n));
        }
        Set<String> graphOutputs = new java.util.HashSet<>();
        opt.outputs().forEach(v -> graphOutputs.add(v.name()));
        Set<String> out = new LinkedHashSet<>();
        for (NodeInfo n : opt.nodes()) {
            if (!n.opType().equals("QuantizeLinear") || n.inputs().isEmpty() || n.outputs().isEmpty()) {
                continue;
            }
            String q = n.outputs().get(0);
            List<NodeInfo> r = readers.getOrDefault(q, List.of());
            if (!r.isEmpty() && !graphOutputs.contains(q) && r.stream().allMatch(x -> x.opType().equals("DequantizeLinear"))) {
                out.add(n.inputs().get(0));
            }
        }
        return out;
    }

    private static long count(ModelGraph g, String op) {
        return g.nodes().stream().filter(n -> n.opType().equals(op)).count();
    }

    /** {@code r} with a note on the Q/DQ conversions ONNX Runtime's optimized graph of it keeps, and why. */
    static QuantResult withConversions(QuantResult r) {
        ModelGraph opt = OptimizedGraph.optimize(r.model(), SessionSpec.defaults(), SessionSpec.OptLevel.ALL).graph();
        String s = ConversionsLeft.summary(ConversionsLeft.of(opt));
        return s.isEmpty() ? r : withMessages(r, List.of(s));
    }

    static QuantResult withMessages(QuantResult r, List<String> extra) {
        QuantReport q = r.report();
        List<String> m = new ArrayList<>(q.messages());
        m.addAll(extra);
        return new QuantResult(r.model(), new QuantReport(q.layers(), q.activations(), m, q.alreadyQuantized(),
                q.weightBytesBefore(), q.weightBytesAfter()));
    }
}
