package dev.whittle.core.quant;

import dev.whittle.core.onnx.QdqEditor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Graph placement: the tensors between the weight layers that get Q/DQ pairs, so that ONNX
 * Runtime's QDQ transformer keeps them in int8 ({@link GraphOps} says what each op needs).
 *
 * <p>Backwards from each layer's input: through the ops that keep the scale (one range for the
 * chain, its head's) to the weight layer, or the Relu/Clip after it, that wrote them; or to an
 * op with an int8 kernel of its own (a pool, Sigmoid, Add, Concat ...), whose output then takes
 * a range of its own and whose inputs get pairs in turn, when each of them leads back to int8
 * too. Forwards from every paired tensor: an op with an int8 kernel of its own whose inputs all
 * have pairs gets one on its output as well, even when no weight layer reads it (a residual Add
 * before the model's head, a Sigmoid after the last Conv). Nothing is paired that does not lead
 * back to a quantized weight layer: a pair there would only add a conversion.
 */
final class GraphPairs {
    private static final int MAX_DEPTH = 400;

    private final QdqEditor ed;
    private final Set<String> constants;
    /** One-element float constants: an Add or Mul reading one gets it as int8 behind a DequantizeLinear (exact). */
    private final Set<String> scalars;
    /** Node -> the input slots holding such a constant, for the ops that run in int8. */
    private final Map<String, List<Integer>> constantSlots = new LinkedHashMap<>();
    /** Graph nodes of the layers that write int8 (their input is quantized). */
    private final Set<String> layers;
    /** Tensors with an entry, or left in float by an override: no second pair. */
    private final Set<String> taken;
    private final Map<String, ActivationStage.Entry> paired = new LinkedHashMap<>();
    private final Map<String, Boolean> leadsToInt8 = new HashMap<>();
    private final List<ActivationStage.Entry> added = new ArrayList<>();
    private final List<String> messages;
    private final Set<String> reported = new java.util.HashSet<>();
    /** Each tensor's readers: placement edits nothing, so one index serves all its questions. */
    private final Map<String, List<String>> readers;

    private GraphPairs(QdqEditor ed, Set<String> constants, Set<String> scalars, Set<String> layers, Set<String> taken,
                       List<ActivationStage.Entry> list, List<String> messages) {
        this.ed = ed;
        this.constants = constants;
        this.scalars = scalars;
        this.layers = layers;
        this.taken = taken;
        this.messages = messages;
        this.readers = ed.readers();
        list.forEach(e -> paired.putIfAbsent(e.tensor, e));
    }

    /**
     * Adds the graph-placement entries to {@code list} and the op readers to the entries there;
     * tensors an override leaves in float are named in {@code messages}. Returns, per node that
     * now runs in int8, the input slots that hold a one-element constant: those get an int8 copy
     * behind a DequantizeLinear, as ORT's QLinearAdd/QLinearMul need every input dequantized.
     */
    static Map<String, List<Integer>> place(QdqEditor ed, Set<String> constants, Set<String> scalars, Set<String> layers,
                                            Set<String> taken, List<ActivationStage.Entry> list, List<String> messages) {
        GraphPairs g = new GraphPairs(ed, constants, scalars, layers, taken, list, messages);
        for (ActivationStage.Entry e : List.copyOf(list)) {
            if (!e.output && e.spec.placement().throughGraph()) {
                g.back(e, 0);
            }
        }
        g.forward();
        list.addAll(g.added);
        return g.constantSlots;
    }

    /** {@code tensor} and the tensors behind it through same-scale ops; {@code producer} wrote the last one. */
    private record Walk(List<String> tensors, String producer) {
        String head() {
            return tensors.get(tensors.size() - 1);
        }
    }

    private Walk walk(String tensor) {
        List<String> tensors = new ArrayList<>(List.of(tensor));
        String cur = tensor;
        String p = ed.producerOf(cur);
        while (p != null && GraphOps.of(ed.opOf(p)).orElse(null) == GraphOps.Kind.SAME_SCALE && ed.output(p, 0).equals(cur)) {
            String in = ed.input(p, 0);
            if (in.isEmpty() || constants.contains(in)) {
                break;
            }
            tensors.add(in);
            cur = in;
            p = ed.producerOf(cur);
        }
        return new Walk(tensors, p);
    }

    private List<String> readersOf(String tensor) {
        return readers.getOrDefault(tensor, List.of());
    }

    /** The node before {@code p} when {@code p} is a Relu/Clip (which a Q after it folds away), else null. */
    private String beforeFold(String p) {
        return GraphOps.of(ed.opOf(p)).orElse(null) == GraphOps.Kind.FOLDED ? ed.producerOf(ed.input(p, 0)) : null;
    }

    /** A quantized weight layer, or a Relu/Clip right after one. */
    private boolean writtenByLayer(String p) {
        String before = beforeFold(p);
        return layers.contains(p) || before != null && layers.contains(before);
    }

    /**
     * The node that runs in int8 when a pair sits on {@code p}'s output: {@code p} itself (an op
     * with an int8 kernel of its own over int8 inputs), or the such op right before a Relu/Clip
     * {@code p} (the Q's range saturates as they do, so ORT removes them); null when neither.
     */
    private String int8Op(String p, ActivationSpec spec, int depth) {
        if (ownKernelOverInt8(p, spec, depth)) {
            return p;
        }
        String before = beforeFold(p);
        String in = ed.input(p, 0);
        // the op's own output has no pair then: nothing else may read it
        return before != null && readersOf(in).size() == 1 && !ed.isGraphOutput(in)
                && ownKernelOverInt8(before, spec, depth) ? before : null;
    }

    /** Records {@code node}'s one-element constant inputs, to be written as int8 behind a DequantizeLinear. */
    private void constantsOf(String node) {
        List<Integer> slots = new ArrayList<>();
        for (int i = 0; !ed.input(node, i).isEmpty(); i++) {
            if (scalars.contains(ed.input(node, i))) {
                slots.add(i);
            }
        }
        if (!slots.isEmpty()) {
            constantSlots.put(node, slots);
        }
    }

    /** An op with an int8 kernel of its own whose every input is paired or can be. */
    private boolean ownKernelOverInt8(String p, ActivationSpec spec, int depth) {
        if (!GraphOps.ownKernel(ed.opOf(p)) || ed.output(p, 0).isEmpty()) {
            return false;
        }
        List<String> ins = inputs(p);
        if (ins.isEmpty()) {
            return false;
        }
        for (String in : ins) {
            if (!leadsToInt8(in, spec, depth + 1)) {
                return false;
            }
        }
        return true;
    }

    /** Whether a pair on {@code tensor} would carry int8 that a layer (or an op over layers) wrote. */
    private boolean leadsToInt8(String tensor, ActivationSpec spec, int depth) {
        if (paired.containsKey(tensor)) {
            return true;
        }
        if (taken.contains(tensor) || constants.contains(tensor) || depth > MAX_DEPTH || excluded(tensor, spec)) {
            return false;
        }
        Boolean known = leadsToInt8.get(tensor);
        if (known != null) {
            return known;
        }
        leadsToInt8.put(tensor, false);
        String p = walk(tensor).producer();
        boolean ok = p != null && (writtenByLayer(p) || int8Op(p, spec, depth) != null);
        leadsToInt8.put(tensor, ok);
        return ok;
    }

    /** The chain behind {@code e}, and behind an op with its own kernel where the chain starts at one. */
    private void back(ActivationStage.Entry e, int depth) {
        Walk w = walk(e.tensor);
        String p = w.producer();
        if (p == null) {
            return;
        }
        boolean layer = writtenByLayer(p);
        String opNode = layer ? null : int8Op(p, e.spec, depth);
        boolean op = opNode != null;
        if (!layer && !op || layer && w.tensors().size() == 1) {
            return;
        }
        if (e.forced == null) {
            e.rangeOf = w.head();
        }
        for (String t : w.tensors().subList(1, w.tensors().size())) {
            if (!taken.add(t)) {
                continue;
            }
            ActivationStage.Entry c = new ActivationStage.Entry(t, e.spec, false);
            c.between = true;
            c.bits = e.bits;
            c.forced = e.forced;
            c.rangeOf = e.forced == null ? w.head() : t;
            c.readers.addAll(readersOf(t));
            add(c);
        }
        if (op) {
            for (String in : inputs(opNode)) {
                read(pairOf(in, e.spec, depth), opNode);
            }
            constantsOf(opNode);
        }
    }

    /** The entry of {@code tensor}, made (with its own range, and its chain behind it) when it has none. */
    private ActivationStage.Entry pairOf(String tensor, ActivationSpec spec, int depth) {
        ActivationStage.Entry have = paired.get(tensor);
        if (have != null) {
            return have;
        }
        ActivationStage.Entry e = ownRange(tensor, spec);
        back(e, depth + 1);
        return e;
    }

    /** A pair with a range of its own (an op's output, or an input of one), overrides applied. */
    private ActivationStage.Entry ownRange(String tensor, ActivationSpec spec) {
        taken.add(tensor);
        ActivationStage.Entry e = new ActivationStage.Entry(tensor, spec, false);
        e.between = true;
        e.readers.addAll(readersOf(tensor));
        ActivationOverride o = override(tensor, spec);
        if (o != null && o.bits() != null) {
            e.bits = o.bits();
        }
        if (o != null && o.hasRange()) {
            e.forced = new double[] {o.lo(), o.hi()};
        }
        add(e);
        return e;
    }

    /** The override for {@code tensor}, keyed by its name or by a node that reads it. */
    private ActivationOverride override(String tensor, ActivationSpec spec) {
        ActivationOverride o = spec.overrides().get(tensor);
        for (java.util.Iterator<String> r = readersOf(tensor).iterator(); o == null && r.hasNext(); ) {
            o = spec.overrides().get(r.next());
        }
        return o;
    }

    private boolean excluded(String tensor, ActivationSpec spec) {
        ActivationOverride o = override(tensor, spec);
        if (o == null || !o.exclude()) {
            return false;
        }
        if (reported.add(tensor)) {
            messages.add("Activation '" + tensor + "' was left in float (excluded by an override), and with it the int8"
                    + " form of the ops around it.");
        }
        return true;
    }

    private void add(ActivationStage.Entry e) {
        added.add(e);
        paired.put(e.tensor, e);
    }

    private static void read(ActivationStage.Entry e, String reader) {
        if (!e.output && !e.readers.contains(reader)) {
            e.readers.add(reader);
        }
    }

    /**
     * Until nothing changes: an op with its own int8 kernel whose inputs all have pairs reads
     * their dequantized values (a pair rewires only the readers listed with it), and gets a pair on
     * its output when that has none (not on a model output, which must stay the op's float result).
     */
    private void forward() {
        boolean changed = true;
        while (changed) {
            changed = false;
            for (ActivationStage.Entry e : List.copyOf(paired.values())) {
                if (!e.spec.placement().throughGraph()) {
                    continue;
                }
                for (String r : readersOf(e.tensor)) {
                    String out = afterFold(ed.output(r, 0));
                    if (!GraphOps.ownKernel(ed.opOf(r)) || out.isEmpty() || e.readers.contains(r) && paired.containsKey(out)) {
                        continue;
                    }
                    List<String> ins = inputs(r);
                    if (ins.isEmpty() || !ins.stream().allMatch(paired::containsKey)) {
                        continue;
                    }
                    if (!paired.containsKey(out)) {
                        if (taken.contains(out) || ed.isGraphOutput(out) || readersOf(out).isEmpty()
                                || excluded(out, e.spec)) {
                            continue;
                        }
                        ownRange(out, e.spec);
                        changed = true;
                    }
                    ins.forEach(in -> read(paired.get(in), r));
                    constantsOf(r);
                }
            }
        }
    }

    /**
     * Where an op's output pair goes: after the Relu/Clip that alone reads it (ORT folds that into
     * the Q, and the op writes int8 directly), else on the output itself.
     */
    private String afterFold(String out) {
        List<String> rs = out.isEmpty() ? List.of() : readersOf(out);
        if (rs.size() != 1 || ed.isGraphOutput(out) || GraphOps.of(ed.opOf(rs.get(0))).orElse(null) != GraphOps.Kind.FOLDED) {
            return out;
        }
        String folded = ed.output(rs.get(0), 0);
        return folded.isEmpty() ? out : folded;
    }

    /**
     * The activation inputs of {@code node}: input 0 for a unary op; for Add, Mul, Concat every
     * input but one-element float constants of Add and Mul (those are written as int8 too). Empty
     * when no QLinear form fits: another constant, a missing input, or only constants.
     */
    private List<String> inputs(String node) {
        List<String> ins = new ArrayList<>();
        String op = ed.opOf(node);
        boolean unary = GraphOps.of(op).orElse(null) == GraphOps.Kind.OWN_RANGE;
        for (int i = 0; !ed.input(node, i).isEmpty(); i++) {
            String in = ed.input(node, i);
            if (scalars.contains(in) && (op.equals("Add") || op.equals("Mul"))) {
                continue;
            }
            if (constants.contains(in)) {
                return List.of();
            }
            ins.add(in);
            if (unary) {
                break;
            }
        }
        return ins;
    }
}
