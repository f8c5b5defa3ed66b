package dev.whittle.core.quant;

import dev.whittle.core.BadInputException;

import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.GraphPaths;
import dev.whittle.core.onnx.QdqEditor;
import dev.whittle.core.transform.LayerCheck;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Quantizes a model's weight layers (and optionally their activations) as the steps say, and
 * writes the result as ONNX that ONNX Runtime runs. The input model is never changed.
 *
 * <p>For each layer the steps that select it are merged in order (a later step's setting
 * replaces an earlier one), the merged spec is validated, and layers that cannot take it are
 * left in float with a message (subgraph layers, ops without a rule, formats an op does not
 * support). In a model that already holds quantization only the float layers are quantized (weights
 * only); one whose selected layers are all quantized is returned unchanged with a message.
 */
public final class Quantizer {
    /** The ops the dynamic format writes with integer kernels (MatMulInteger, DynamicQuantizeLSTM); others are weight-only QDQ. */
    private static final java.util.Set<String> DYNAMIC_OPS = java.util.Set.of("MatMul", "LSTM");

    private Quantizer() {
    }

    /** A layer and the merged spec it gets. */
    record Planned(WeightLayer layer, QuantizeSpec spec) {
    }

    public static QuantResult apply(OnnxModel model, List<QuantizeStep> steps) {
        return apply(model, steps, QuantOptions.none());
    }

    /** GPTQ's damping, as a share of the mean diagonal of XᵀX (the paper's default). */
    static final double GPTQ_DAMP = 0.1;

    public static QuantResult apply(OnnxModel model, List<QuantizeStep> steps, QuantOptions options) {
        ModelGraph g = model.graph();
        List<String> messages = new ArrayList<>();
        Optional<String> existing = QuantizedOps.describe(g);
        if (existing.isPresent()) {
            // Partly quantized (by another tool, or an earlier run on some layers): the float layers
            // the steps select are quantized, the quantized ones left as they are.
            if (floatLayers(g, steps) == 0) {
                return new QuantResult(model, new QuantReport(List.of(), List.of(), List.of(existing.get()), true, 0, 0));
            }
            requireWeightOnly(g, steps);
            long quantized = g.weightLayers().stream().filter(WeightLayer::quantized).count();
            messages.add(g.fileName() + " already holds quantization (" + QuantizedOps.summary(QuantizedOps.count(g)) + "): its "
                    + quantized + " quantized layer" + (quantized == 1 ? " was" : "s were") + " left as "
                    + (quantized == 1 ? "it is" : "they are") + "; only float layers were quantized.");
        }
        model = dev.whittle.core.transform.Bodies.prepare(model, g.weightLayers().stream()
                .filter(l -> steps.stream().anyMatch(s -> s.select().matches(l))).toList());
        g = model.graph();
        List<Planned> plan = SharedWeights.consistent(g, plan(g, steps, messages), messages);
        QdqEditor ed = null;
        String edPath = null;
        OnnxModel current = model;
        List<LayerReport> layers = new ArrayList<>();
        Map<String, Planned> byWeight = new HashMap<>();
        Map<String, String> dqOutputs = new HashMap<>();
        Map<String, QuantizedWeight> qdqWeights = new HashMap<>();
        long before = 0;
        long after = 0;
        List<Planned> own = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Planned p : plan) {
            if (p.spec().weights() != null && seen.add(p.layer().weight())) {
                own.add(p);
            }
        }
        // one graph at a time, bodies first and the main graph last (Bodies.byGraph)
        List<Planned> ordered = new ArrayList<>();
        dev.whittle.core.transform.Bodies.byGraph(plan.stream().map(Planned::layer).toList()).values()
                .forEach(ls -> ls.forEach(l -> plan.stream().filter(p -> p.layer() == l).forEach(ordered::add)));
        List<Planned> mainPlan = plan.stream().filter(p -> p.layer().graphPath().isEmpty()).toList();
        // a body's activations are quantized by its own editor, before it is built
        Map<String, List<Planned>> bodyPlans = byGraph(plan);
        bodyPlans.remove("");
        List<ActivationReport> acts = new ArrayList<>();
        // Layers are quantized a window at a time as the loop reaches them (spread over the cores),
        // and a layer's codes are let go once written, so a large model is never held whole.
        Map<String, QuantizedWeight> computed = new HashMap<>();
        Map<String, InOwner> inOwner = new java.util.LinkedHashMap<>();
        java.util.Set<String> ownNodes = new java.util.HashSet<>();
        own.forEach(p -> ownNodes.add(p.layer().node()));
        List<Planned> pending = new ArrayList<>(ordered.stream().filter(p -> ownNodes.contains(p.layer().node())).toList());
        own.stream().filter(p -> !pending.contains(p)).forEach(pending::add);
        Map<String, Long> usesOfWeight = new HashMap<>();
        plan.forEach(p -> usesOfWeight.merge(p.layer().weight(), 1L, Long::sum));
        boolean keepAll = !options.biasMeans().isEmpty();
        java.util.Set<String> dynamicLstm = DynamicLstm.eligible(model, plan);
        Map<String, Planned> lstmHalf = new HashMap<>(); // the first of an LSTM's W and R, until the other comes
        for (Planned p : ordered) {
            WeightSpec ws = p.spec().weights();
            WeightLayer l = p.layer();
            if (!l.graphPath().equals(edPath)) {
                if (ed != null) {
                    acts.addAll(ActivationStage.run(model, ed, bodyPlans.getOrDefault(edPath, List.of()), qdqWeights, options,
                            messages));
                    current = ed.build();
                }
                if (l.graphPath().isEmpty()) {
                    current = writeInOwners(current, inOwner); // every body is done: the main graph comes last
                }
                ed = QdqEditor.of(current, l.graphPath());
                edPath = l.graphPath();
            }
            if (ws == null) {
                continue;
            }
            // SharedWeights let a weight with several uses through only when all take the same QDQ copy
            Planned first = byWeight.putIfAbsent(l.weight(), p);
            if (first != null && inOwner.containsKey(l.weight())) {
                messages.add("Layer '" + l.node() + "' shares weight '" + l.weight() + "' with '" + first.layer().node()
                        + "' and reads the same quantized copy, written once in " + where(inOwner.get(l.weight()).owner()) + ".");
                continue;
            }
            if (first != null && !dev.whittle.core.onnx.GraphPaths.within(l.graphPath(), first.layer().graphPath())) {
                // the quantized copy lives in a graph this one cannot see: write the same codes here
                ed.setInput(l.graphNode(), OpRules.weightInput(l),
                        WeightEmitter.qdq(ed, l, computed.get(first.layer().node())));
                messages.add("Layer '" + l.node() + "' shares weight '" + l.weight() + "' with '" + first.layer().node()
                        + "' in another graph and reads its own copy of the same quantized values.");
                continue;
            }
            boolean lstm = dynamicLstm.contains(DynamicLstm.key(l));
            QuantFormat f = lstm ? QuantFormat.DYNAMIC : format(l, p.spec());
            if (f != p.spec().formatOrDefault()) {
                messages.add("Layer '" + l.node() + "' (" + l.op() + ") was written as weight-only qdq: format "
                        + p.spec().formatOrDefault() + " applies to MatMul only" + (p.spec().formatOrDefault()
                        == QuantFormat.DYNAMIC && l.op().equals("LSTM") ? " and to LSTM nodes whose W and R are both"
                        + " quantized together at 8 bits, per gate row or per tensor, from float32, and read by that node"
                        + " alone (DynamicQuantizeLSTM)"
                        : "") + ".");
            }
            if (first != null) {
                ed.setInput(l.graphNode(), OpRules.weightInput(l), dqOutputs.get(l.weight()));
                messages.add("Layer '" + l.node() + "' shares weight '" + l.weight() + "' with '" + first.layer().node()
                        + "' and reads the same quantized copy.");
                continue;
            }
            QuantizedWeight q = computed.get(l.node());
            if (q == null && ownNodes.contains(l.node())) {
                quantizeWindow(pending, l.node(), computed, options);
                q = computed.get(l.node());
            }
            long bytes;
            switch (f) {
                case MATMULNBITS -> bytes = WeightEmitter.matMulNBits(ed, l, q);
                case DYNAMIC -> {
                    if (lstm) {
                        Planned other = lstmHalf.remove(DynamicLstm.key(l));
                        if (other == null) {
                            lstmHalf.put(DynamicLstm.key(l), p);
                        } else {
                            boolean wFirst = other.layer().node().endsWith(".W");
                            WeightLayer wl = wFirst ? other.layer() : l;
                            WeightLayer rl = wFirst ? l : other.layer();
                            DynamicLstm.write(ed, wl, computed.get(wl.node()), rl, computed.get(rl.node()));
                            if (!keepAll) {
                                computed.remove(other.layer().node());
                            }
                        }
                        bytes = DynamicLstm.bytes(l, q);
                    } else {
                        bytes = WeightEmitter.dynamic(ed, l, q);
                    }
                }
                default -> {
                    if (WeightEmitter.gathersCodes(ed, l, q)) {
                        bytes = WeightEmitter.gatherCodes(ed, l, q);
                        break;
                    }
                    String owner = l.graphPath().isEmpty() ? null : GraphPaths.owner(current, l.graphPath(), l.weight());
                    if (owner != null && !owner.equals(l.graphPath())) {
                        // a weight of an enclosing graph (read by several bodies): quantized once, where it lives
                        inOwner.put(l.weight(), new InOwner(owner, l, q));
                        bytes = WeightEmitter.qdqBytes(l, q);
                        break;
                    }
                    dqOutputs.put(l.weight(), WeightEmitter.qdq(ed, l, q));
                    if (q.grouping().granularity() != Granularity.BLOCK) {
                        qdqWeights.put(l.node(), q.withoutCodes()); // bias quantization reads the scales only, never of blocks
                    }
                    bytes = WeightEmitter.qdqBytes(l, q);
                }
            }
            before += l.bytes();
            after += bytes;
            layers.add(report(l, f, q, bytes));
            boolean lstmHalfWaiting = lstm && lstmHalf.containsKey(DynamicLstm.key(l));
            if (!keepAll && !lstmHalfWaiting && usesOfWeight.get(l.weight()) == 1) {
                computed.remove(l.node()); // written, and nothing later reads it
            }
            if (q.spec().range() instanceof RangeSpec.Percentile && RangeChoice.sameAsMinMax(WeightAnalysis.of(l), q)) {
                messages.add("Layer '" + l.node() + "': range " + q.spec().range() + " chose the same ranges as minmax"
                        + " (nothing clipped), so it has no effect there.");
            }
        }
        if (ed == null || !edPath.isEmpty()) {
            if (ed != null) {
                acts.addAll(ActivationStage.run(model, ed, bodyPlans.getOrDefault(edPath, List.of()), qdqWeights, options,
                        messages));
                current = ed.build();
            }
            current = writeInOwners(current, inOwner);
            ed = QdqEditor.of(current);
        }
        for (InOwner w : inOwner.values()) {
            if (w.owner().isEmpty()) {
                WeightEmitter.qdqInPlace(ed, w.layer(), w.q());
            }
        }
        correctBiases(current, ed, mainPlan, computed, options, messages);
        acts.addAll(ActivationStage.run(model, ed, mainPlan, qdqWeights, options, messages));
        OnnxModel out = ed.build();
        return new QuantResult(out, new QuantReport(layers, acts, messages, false, before, after));
    }

    /** The planned layers by the graph they live in. */
    private static Map<String, List<Planned>> byGraph(List<Planned> plan) {
        Map<String, List<Planned>> out = new java.util.LinkedHashMap<>();
        plan.forEach(p -> out.computeIfAbsent(p.layer().graphPath(), k -> new ArrayList<>()).add(p));
        return out;
    }

    /** A weight of an enclosing graph, quantized once in {@code owner} for every body that reads it. */
    private record InOwner(String owner, WeightLayer layer, QuantizedWeight q) {
    }

    /**
     * Writes the pending weights owned by bodies ({@link QdqEditor#dequantizeWeightInPlace}), one
     * editor per owner, and forgets them; those of the main graph stay for the main graph's editor.
     */
    private static OnnxModel writeInOwners(OnnxModel current, Map<String, InOwner> inOwner) {
        Map<String, List<InOwner>> byOwner = new java.util.LinkedHashMap<>();
        inOwner.values().stream().filter(w -> !w.owner().isEmpty() && w.q() != null)
                .forEach(w -> byOwner.computeIfAbsent(w.owner(), k -> new ArrayList<>()).add(w));
        for (var e : byOwner.entrySet()) {
            QdqEditor ed = QdqEditor.of(current, e.getKey());
            e.getValue().forEach(w -> WeightEmitter.qdqInPlace(ed, w.layer(), w.q()));
            current = ed.build();
        }
        // written: keep the owner (for messages about later readers) but let the codes go
        inOwner.replaceAll((k, w) -> w.owner().isEmpty() ? w : new InOwner(w.owner(), w.layer(), null));
        return current;
    }

    private static String where(String graph) {
        return graph.isEmpty() ? "the main graph" : "graph " + graph;
    }

    /**
     * Quantizes {@code node}'s layer and the next pending ones, as many as there are cores, in
     * parallel (GPTQ refinement where the options carry XᵀX), and removes them from {@code pending}.
     */
    private static void quantizeWindow(List<Planned> pending, String node, Map<String, QuantizedWeight> computed,
                                       QuantOptions options) {
        int at = 0;
        while (at < pending.size() && !pending.get(at).layer().node().equals(node)) {
            at++;
        }
        if (at == pending.size()) {
            throw new dev.whittle.core.InternalException("layer '" + node + "' was asked for after its quantization was let go", null);
        }
        // as many layers as there are cores, while what they hold in flight fits in 60 % of the
        // heap (bytesInFlight); at least one
        long budget = Runtime.getRuntime().maxMemory() * 6 / 10;
        int to = at + 1;
        long used = bytesInFlight(pending.get(at), options);
        while (to < pending.size() && to - at < Runtime.getRuntime().availableProcessors()
                && used + bytesInFlight(pending.get(to), options) <= budget) {
            used += bytesInFlight(pending.get(to), options);
            to++;
        }
        List<Planned> window = new ArrayList<>(pending.subList(at, to));
        pending.subList(at, to).clear();
        List<WeightLayer> ls = window.stream().map(Planned::layer).toList();
        List<QuantizedWeight> qs = WeightQuantizer.quantizeAll(ls, l -> window.get(ls.indexOf(l)).spec().weights(),
                options.analyses());
        for (int i = 0; i < window.size(); i++) {
            WeightLayer l = ls.get(i);
            double[] xtx = options.gptq().get(l.node());
            if (xtx == null) {
                computed.put(l.node(), qs.get(i));
                continue;
            }
            // A Conv (one group) as the matrix [M, C·k...] of its filters, input axis 1.
            boolean conv = l.op().equals("Conv") && l.shape().length > 2;
            long[] view = conv ? new long[] {l.shape()[0], l.params() / l.shape()[0]} : l.shape();
            long k = view[1];
            if (conv && xtx.length != k * k) {
                // a grouped Conv: one XᵀX block per group, the filters of each group rounded with theirs
                computed.put(l.node(), Gptq.refineGroups(l.tensor().toFloatArray(), qs.get(i), view, xtx,
                        (int) (xtx.length / (k * k)), GPTQ_DAMP, true));
                continue;
            }
            computed.put(l.node(), Gptq.refine(l.tensor().toFloatArray(), qs.get(i), view, conv ? 1 : 1 - l.axis(), xtx,
                    GPTQ_DAMP, true));
        }
    }

    /**
     * Heap a layer holds while it is quantized: its floats (4 bytes a weight), codes (1) and
     * packed bytes (up to 1); a range search (mse, percentile, entropy) also regroups the floats
     * (4 more), and GPTQ works on a float copy (4 more).
     */
    static long bytesInFlight(Planned p, QuantOptions options) {
        WeightSpec w = p.spec().weights();
        long perWeight = 6;
        if (w != null && !(w.range() instanceof RangeSpec.MinMax)) {
            perWeight += 4;
        }
        if (options.gptq().containsKey(p.layer().node())) {
            perWeight += 4;
        }
        return p.layer().params() * perWeight;
    }

    /** Bias correction ({@link BiasCorrection}) for the main-graph layers whose mean input the options carry. */
    private static void correctBiases(OnnxModel current, QdqEditor ed, List<Planned> mainPlan,
                                      Map<String, QuantizedWeight> computed, QuantOptions options, List<String> messages) {
        if (options.biasMeans().isEmpty()) {
            return;
        }
        Map<String, dev.whittle.core.model.TensorData> constants = new HashMap<>();
        current.graph().constants().forEach(t -> constants.put(t.name(), t));
        int done = 0;
        for (Planned p : mainPlan) {
            WeightLayer l = p.layer();
            double[] mean = options.biasMeans().get(l.node());
            QuantizedWeight q = computed.get(l.node());
            if (mean == null || q == null || p.spec().weights() == null) {
                continue;
            }
            String why = mean.length == 0 ? "its input statistics are not collected (they are for MatMul, Gemm and 1-D or"
                    + " 2-D Conv layers)"
                    : !java.util.Arrays.stream(mean).allMatch(Double::isFinite) ? "its input mean on the calibration data is"
                    + " not finite (NaN or infinite inputs)"
                    : p.spec().activations() != null ? "its activations are quantized too (bias correction is for"
                    + " weight-only layers in this version)"
                    : format(l, p.spec()) != QuantFormat.QDQ ? "format " + format(l, p.spec()) + " (QDQ only in this version)"
                    : l.dtype() != dev.whittle.core.model.DataType.FLOAT ? "its weight is " + l.dtype() + ", not float32"
                    : !(l.shape().length == 2 && (l.op().equals("MatMul") || l.op().equals("Gemm"))
                    || l.op().equals("Conv") && l.shape().length > 2) ? l.op()
                    + " layers are not corrected (MatMul, Gemm and Conv only)" : null;
            if (why == null) {
                double[] shift = l.op().equals("Conv")
                        ? BiasCorrection.convShift(l.tensor().toFloatArray(), q.dequantize(), l.shape(), mean)
                        : BiasCorrection.shift(l.tensor().toFloatArray(), q.dequantize(), l.shape(), l.axis(), mean);
                why = BiasCorrection.apply(ed, constants, l, shift);
            }
            if (why != null) {
                messages.add("Layer '" + l.node() + "': bias correction skipped: " + why + ".");
            } else {
                done++;
            }
        }
        messages.add("Bias correction: " + done + " layer" + (done == 1 ? "" : "s") + " had the expected output shift of"
                + " their quantized weights, (W - W_q)^T mean(x), added to the bias.");
    }

    /**
     * The activation tensors whose statistics {@link #apply} needs in {@link QuantOptions#activations()}:
     * inputs (and outputs when asked) of layers whose spec quantizes activations, minus those
     * excluded or given a range by an override. Empty when no step quantizes activations.
     */
    /**
     * The nodes (main graph) of the layers that {@code steps} quantize with activations placed
     * through the graph (graph, speed, measured): the layers that write int8 tensors for the ops
     * after them.
     */
    public static java.util.Set<String> graphPlacedLayers(OnnxModel model, List<QuantizeStep> steps) {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        if (QuantizedOps.describe(model.graph()).isPresent()) {
            return out;
        }
        for (Planned p : plan(model.graph(), steps, new ArrayList<>())) {
            ActivationSpec a = p.spec().activations();
            if (a != null && a.placement().throughGraph() && p.layer().graphPath().isEmpty()) {
                out.add(p.layer().graphNode());
            }
        }
        return out;
    }

    public static List<String> calibrationTensors(OnnxModel model, List<QuantizeStep> steps) {
        if (QuantizedOps.describe(model.graph()).isPresent()) {
            if (floatLayers(model.graph(), steps) > 0) {
                requireWeightOnly(model.graph(), steps);
            }
            return List.of();
        }
        List<Planned> plan = plan(model.graph(), steps, new ArrayList<>());
        // each graph's layers are looked up in that graph (bodies: ExposedOutputs passes their tensors out)
        List<String> out = new ArrayList<>();
        byGraph(plan).forEach((path, ps) -> ActivationStage.toCalibrate(model, QdqEditor.of(model, path), ps).stream()
                .filter(t -> !out.contains(t)).forEach(out::add));
        return out;
    }

    /** How many float (not yet quantized) layers the steps select. */
    private static long floatLayers(ModelGraph g, List<QuantizeStep> steps) {
        return g.weightLayers().stream().filter(l -> !l.quantized() && l.dtype().isFloating()
                && steps.stream().anyMatch(s -> s.select().matches(l))).count();
    }

    /**
     * Activations of a model that already holds quantization are not quantized again: its Q/DQ
     * pairs and integer ops already fix some activation ranges, and a second set around them
     * would quantize twice. Said before any work starts.
     */
    private static void requireWeightOnly(ModelGraph g, List<QuantizeStep> steps) {
        if (steps.stream().anyMatch(s -> s.quantize().activations() != null)) {
            throw new BadInputException(g.fileName() + " already holds quantization (" + QuantizedOps.summary(QuantizedOps.count(g))
                    + "), so its activations cannot be quantized again; quantize the float layers' weights only"
                    + " (leave out activations).");
        }
    }

    /** Merges the steps per layer, validates, and drops layers that cannot be quantized. */
    static List<Planned> plan(ModelGraph g, List<QuantizeStep> steps, List<String> messages) {
        List<Planned> out = new ArrayList<>();
        for (WeightLayer l : g.weightLayers()) {
            if (l.quantized()) {
                continue; // left as it is; apply says so once for the model
            }
            QuantizeSpec merged = null;
            for (QuantizeStep s : steps) {
                if (s.select().matches(l)) {
                    merged = s.quantize().over(merged);
                }
            }
            if (merged == null) {
                continue;
            }
            merged.validate("layer '" + l.node() + "'");
            if (merged.activations() != null && OpRules.of(l.op()).map(r -> r.activation() == OpRules.NO_ACTIVATION)
                    .orElse(false)) {
                messages.add("Layer '" + l.node() + "' (" + l.op() + ") keeps float activations: " + (l.recurrent()
                        ? "a recurrent layer's weight is quantized alone (its inputs and state stay float)."
                        : "its input is integer indices."));
                if (merged.weights() == null) {
                    continue;
                }
                merged = new QuantizeSpec(merged.weights(), null, merged.format());
            }
            if (merged.activations() != null && l.dtype() != dev.whittle.core.model.DataType.FLOAT
                    && merged.formatOrDefault() == QuantFormat.QDQ) {
                messages.add("Layer '" + l.node() + "' keeps " + l.dtype() + " activations: static activation"
                        + " quantization calibrates float32 activations only; its weight is quantized alone.");
                if (merged.weights() == null) {
                    continue;
                }
                merged = new QuantizeSpec(merged.weights(), null, merged.format());
            }
            if (merged.formatOrDefault() == QuantFormat.DYNAMIC && !DYNAMIC_OPS.contains(l.op()) && merged.weights() != null
                    && merged.weights().int8Layout() == null) {
                // written as weight-only QDQ (dequantized to float): no integer kernel reads its codes, keep all 8 bits
                merged = new QuantizeSpec(merged.weights().withInt8Layout(Int8Layout.FULL), merged.activations(), merged.format());
            }
            merged = merged.withLayoutDefault();
            String skip = skipReason(l, merged);
            if (skip != null) {
                messages.add("Layer '" + l.node() + "' was left in float: " + skip + ".");
                continue;
            }
            out.add(new Planned(l, merged));
        }
        return out;
    }

    /** Why a layer is left in float under a (merged, valid) spec, or null when it is quantized. */
    static String skipReason(WeightLayer l, QuantizeSpec merged) {
        Optional<OpRules.Rule> rule = OpRules.of(l.op());
        QuantFormat f = merged.formatOrDefault();
        if (rule.isEmpty()) {
            return "Whittle does not quantize " + l.op() + " layers";
        } else if (!l.dtype().isFloating()) {
            return "its weight is " + l.dtype() + ", not floating point";
        } else if (!dev.whittle.core.transform.WeightChecks.editable(l.dtype())) {
            return "its weight is " + l.dtype() + "; Whittle quantizes float32, float16 and bfloat16 weights";
        } else if (l.params() == 0) {
            return "its weight is empty";
        } else if (merged.weights() != null && !rule.get().formats().contains(f) && !fallsBackToQdq(l)) {
            return "format " + f + " applies to MatMul only";
        } else if (format(l, merged) != QuantFormat.QDQ && l.shape().length != 2) {
            return "format " + f + " needs a 2-D weight, not " + l.shapeText();
        } else if (l.params() > Integer.MAX_VALUE - 8) {
            return "its weight has more than 2^31 elements";
        }
        return null;
    }

    /**
     * The format a layer is written in: the spec's, except that ops which can only be written as
     * QDQ and are not one of the original four kinds (Gather) fall back to weight-only QDQ with the
     * same weight settings, so {@code --format dynamic} or {@code matmulnbits} over a whole model
     * still compresses its embedding tables.
     */
    static QuantFormat format(WeightLayer l, QuantizeSpec spec) {
        QuantFormat f = spec.formatOrDefault();
        return f != QuantFormat.QDQ && fallsBackToQdq(l) ? QuantFormat.QDQ : f;
    }

    private static boolean fallsBackToQdq(WeightLayer l) {
        return l.op().equals("Gather") || l.recurrent();
    }

    /**
     * What {@link #apply} would do with layer {@code l} under the merged spec, without
     * quantizing: an error for an already quantized weight or settings that do not fit together
     * (e.g. matmulnbits with 8 bits), a skip with the reason for a layer left in float.
     */
    public static LayerCheck check(WeightLayer l, QuantizeSpec merged) {
        if (l.quantized()) {
            return LayerCheck.error("its weight is already quantized");
        }
        try {
            merged.validate("quantize");
        } catch (dev.whittle.core.BadInputException e) {
            String m = e.getMessage();
            return LayerCheck.error(m.startsWith("quantize: ") ? m.substring("quantize: ".length(), m.length() - 1) : m);
        }
        String skip = skipReason(l, merged);
        return skip == null ? LayerCheck.ok() : LayerCheck.skip(skip);
    }

    static LayerReport report(WeightLayer l, QuantFormat f, QuantizedWeight q, long bytes) {
        int zmin = Integer.MAX_VALUE;
        int zmax = Integer.MIN_VALUE;
        for (int z : q.zeroPoints()) {
            zmin = Math.min(zmin, z);
            zmax = Math.max(zmax, z);
        }
        double[] clip = q.clipRange();
        boolean listed = q.scales().length <= QuantReportMaps.MAX_LISTED;
        WeightSpec s = q.spec();
        Grouping g = q.grouping();
        return new LayerReport(l.node(), l.op(), l.weight(), f, s.bits(), s.symmetric(), g.granularity(),
                g.granularity() == Granularity.BLOCK ? g.block() : 0, s.range().toString(), q.scaleMin(), q.scaleMax(),
                zmin, zmax, clip[0], clip[1], q.clippedFraction(), q.sqnrDb(), l.bytes(), bytes,
                listed ? q.scales() : new float[0], listed ? q.zeroPoints() : new int[0], q.scales().length,
                s.bits() == 8 && s.symmetric() ? s.layout() : null);
    }
}
