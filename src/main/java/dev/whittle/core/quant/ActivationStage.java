package dev.whittle.core.quant;

import dev.whittle.core.BadInputException;
import dev.whittle.core.model.DataType;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.QdqEditor;
import dev.whittle.core.onnx.TensorBytes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Static activation quantization: decides which tensors get a Q/DQ pair (inputs of the layers
 * whose spec has activations, their outputs when asked, and with graph placement the tensors
 * between the layers that ONNX Runtime keeps in int8), applies overrides, calibrates the rest
 * on the data, and inserts the pairs.
 */
final class ActivationStage {
    private ActivationStage() {
    }

    /** One activation tensor to quantize. */
    static final class Entry {
        final String tensor;
        final ActivationSpec spec;
        final boolean output;
        final List<String> readers = new ArrayList<>();
        int bits;
        double[] forced;
        /** The tensor whose calibrated range this one takes (itself, or the head of its chain). */
        String rangeOf;
        /** A tensor between weight layers (graph placement): no bias reads its scale. */
        boolean between;

        Entry(String tensor, ActivationSpec spec, boolean output) {
            this.tensor = tensor;
            this.spec = spec;
            this.output = output;
            this.bits = spec.bits();
            this.rangeOf = tensor;
        }
    }

    /** The activation tensors {@link #run} needs statistics for (those without a forced range). */
    static List<String> toCalibrate(OnnxModel model, QdqEditor ed, List<Quantizer.Planned> plan) {
        return entries(model, ed, plan, new ArrayList<>(), new HashMap<>()).stream().filter(e -> e.forced == null)
                .map(e -> e.rangeOf)
                .distinct().toList();
    }

    static List<ActivationReport> run(OnnxModel model, QdqEditor ed, List<Quantizer.Planned> plan,
                                      Map<String, QuantizedWeight> weights, QuantOptions options, List<String> messages) {
        Map<String, List<Integer>> constantSlots = new LinkedHashMap<>();
        List<Entry> list = entries(model, ed, plan, messages, constantSlots);
        if (list.isEmpty()) {
            return List.of();
        }
        List<String> toCalibrate = list.stream().filter(e -> e.forced == null).map(e -> e.rangeOf).distinct().toList();
        Map<String, ActivationHistogram> hist = new HashMap<>(options.activations());
        List<String> unseen = toCalibrate.stream().filter(t -> !hist.containsKey(t)).toList();
        if (!unseen.isEmpty() && options.more() != null) {
            hist.putAll(options.more().collect(unseen));
        }
        if (!hist.keySet().containsAll(toCalibrate)) {
            List<String> missing = toCalibrate.stream().filter(t -> !hist.containsKey(t)).toList();
            throw new BadInputException("Activation quantization needs calibration data; " + missing.size()
                    + (missing.size() == 1 ? " activation has" : " activations have") + " no forced range and no statistics ("
                    + String.join(", ",
                    missing.subList(0, Math.min(5, missing.size()))) + (missing.size() > 5 ? " ..." : "") + ").");
        }
        // a tensor in an If branch the calibration data never takes has no values: no range to choose
        for (java.util.Iterator<Entry> it = list.iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (e.forced == null && hist.get(e.rangeOf).count() == 0) {
                messages.add("Activation '" + e.tensor + "' was left in float: the calibration data never reached it"
                        + " (a branch or loop body that did not run).");
                it.remove();
            }
        }
        List<ActivationReport> reports = new ArrayList<>();
        for (Entry e : list) {
            ActivationReport r = insert(ed, e, e.forced == null ? hist.get(e.rangeOf) : null);
            reports.add(r);
            if (!e.output && !e.between) {
                for (String reader : e.readers) {
                    BiasQuantizer.quantize(model, ed, reader, r.scale(), weights.get(reader));
                }
            }
        }
        int constants = ScalarInputs.write(model, ed, constantSlots, list);
        if (constants > 0) {
            messages.add(constants + " one-element constant input" + (constants == 1 ? "" : "s") + " of Add/Mul written as int8"
                    + " behind a DequantizeLinear (the value exactly), so ONNX Runtime runs " + (constants == 1 ? "that op"
                    : "those ops") + " as QLinearAdd/QLinearMul (graph placement).");
        }
        return reports;
    }

    /**
     * The tensors that get a Q/DQ pair, overrides applied; excluded ones are reported in {@code
     * messages}. {@code constantSlots} receives the one-element constant inputs of the ops graph
     * placement runs in int8 (node to input slots).
     */
    private static List<Entry> entries(OnnxModel model, QdqEditor ed, List<Quantizer.Planned> plan, List<String> messages,
                                       Map<String, List<Integer>> constantSlots) {
        Map<String, Entry> entries = new LinkedHashMap<>();
        var constants = model.graph().constants().stream().map(t -> t.name()).collect(java.util.stream.Collectors.toSet());
        for (Quantizer.Planned p : plan) {
            ActivationSpec spec = p.spec().activations();
            if (spec == null) {
                continue;
            }
            String node = p.layer().node();
            int index = OpRules.of(p.layer().op()).orElseThrow().activation();
            String in = ed.input(node, index);
            if (!in.isEmpty() && !constants.contains(in)) {
                Entry e = entries.computeIfAbsent(in, t -> new Entry(t, spec, false));
                if (!e.output) {
                    e.readers.add(node);
                }
            }
            if (spec.outputs()) {
                String out = ed.output(node, 0);
                Entry e = entries.get(out);
                if (e == null || !e.output) {
                    Entry o = new Entry(out, spec, true);
                    o.readers.add(node);
                    entries.put(out, o);
                }
            }
        }
        List<Entry> list = new ArrayList<>();
        Set<String> floatInputs = new HashSet<>();
        for (Entry e : entries.values()) {
            ActivationOverride o = override(e);
            if (o != null && o.exclude()) {
                messages.add("Activation '" + e.tensor + "' was left in float (excluded by an override).");
                if (!e.output) {
                    floatInputs.addAll(e.readers);
                }
                continue;
            }
            if (o != null && o.bits() != null) {
                e.bits = o.bits();
            }
            if (o != null && o.hasRange()) {
                e.forced = new double[] {o.lo(), o.hi()};
            }
            list.add(e);
        }
        if (list.stream().anyMatch(e -> e.spec.placement().throughGraph())) {
            Set<String> layers = new HashSet<>();
            // only layers whose inputs are quantized too write int8 (DQ -> layer -> Q fuses); a weight-only one stays float
            // (as is one whose input an override leaves in float)
            plan.stream().filter(p -> p.spec().activations() != null && !floatInputs.contains(p.layer().node()))
                    .forEach(p -> layers.add(p.layer().graphNode()));
            Set<String> scalars = new HashSet<>();
            // a NaN or infinite constant has no int8 code: that op stays float
            model.graph().constants().stream().filter(t -> t.type() == DataType.FLOAT && t.count() == 1
                    && Float.isFinite(t.toFloatArray()[0])).forEach(t -> scalars.add(t.name()));
            constantSlots.putAll(GraphPairs.place(ed, constants, scalars, layers, new HashSet<>(entries.keySet()), list,
                    messages));
        }
        return list;
    }

    private static ActivationOverride override(Entry e) {
        ActivationOverride o = e.spec.overrides().get(e.tensor);
        for (int i = 0; o == null && i < e.readers.size(); i++) {
            o = e.spec.overrides().get(e.readers.get(i));
        }
        return o;
    }

    private static ActivationReport insert(QdqEditor ed, Entry e, ActivationHistogram h) {
        boolean sym = e.spec.symmetric();
        Map<String, double[]> ranges = new LinkedHashMap<>();
        double[] chosen;
        String method;
        if (h != null) {
            double pct = e.spec.calibration() instanceof Calibration.Percentile p ? p.percent() : Calibration.DEFAULT_PERCENT;
            for (Calibration c : List.of(Calibration.MINMAX, new Calibration.Percentile(pct), Calibration.ENTROPY, Calibration.MSE)) {
                ranges.put(c.toString(), Calibrators.range(h, c, e.bits, sym));
            }
        }
        if (e.forced != null) {
            chosen = e.forced;
            method = "override";
        } else {
            chosen = Calibrators.range(h, e.spec.calibration(), e.bits, sym);
            // a tensor of a chain takes the range of the chain's head (graph placement)
            method = e.spec.calibration() + (e.rangeOf.equals(e.tensor) ? "" : " of " + e.rangeOf);
        }
        int qmax = sym ? (1 << (e.bits - 1)) - 1 : (1 << e.bits) - 1;
        float scale;
        int zp = 0;
        if (sym) {
            scale = ScaleMath.symmetricScale(chosen[0], chosen[1], qmax);
        } else {
            scale = ScaleMath.asymmetricScale(chosen[0], chosen[1], qmax);
            zp = ScaleMath.zeroPoint(chosen[0], scale, qmax);
        }
        DataType type = WeightEmitter.codeType(e.bits, sym);
        TensorBytes zpt = TensorBytes.codes(type, new long[0], new byte[] {(byte) zp});
        if (e.output) {
            ed.quantizeOutput(e.readers.get(0), 0, scale, zpt);
        } else {
            ed.quantizeActivation(e.tensor, scale, zpt, e.readers);
        }
        return new ActivationReport(e.tensor, e.readers, e.output, e.bits, sym, method, chosen[0], chosen[1], scale, zp,
                ranges, h == null ? Double.NaN : h.min(), h == null ? Double.NaN : h.max(), h == null ? 0 : h.count());
    }
}
