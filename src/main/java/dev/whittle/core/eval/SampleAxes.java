package dev.whittle.core.eval;

import dev.whittle.core.BadInputException;
import dev.whittle.core.model.Dim;
import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.model.ValueInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each input's samples are, decided from the model's declared shapes. The batch is the
 * symbolic dimension that the inputs share (held by the most inputs, then one an output holds
 * too, then the one at the lowest axis): an input's sample axis is where that symbol sits, and
 * an input without it (a scalar sample rate, a fixed-size state) has none and is passed whole to
 * every run, with a note. Without such a symbol (dims left unnamed) the sample axis is axis 0
 * when it is unfixed or fixed to 1, else the first unfixed dim, else 0; an array whose count
 * along it disagrees with the others is then passed whole, with a note. A dataset spec's {@code axes} overrides any of this.
 */
public final class SampleAxes {
    /** The axis of an input without samples: the whole array goes to every run. */
    public static final int CONSTANT = -1;

    private SampleAxes() {
    }

    /** An {@code axes} value of a dataset spec: a number &gt;= 0, or none/constant. */
    public static int parse(String input, String value) {
        String v = value == null ? "" : value.trim().toLowerCase(java.util.Locale.ROOT);
        if (v.equals("none") || v.equals("constant")) {
            return CONSTANT;
        }
        try {
            int a = Integer.parseInt(v);
            if (a >= 0) {
                return a;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new BadInputException("Dataset spec 'axes." + input + "' must be an axis number (0, 1, ...) or 'none' for an"
                + " input passed whole to every run, got '" + value + "'.");
    }

    /** The symbol naming the batch, or null when the model's dims do not tell. */
    static String batchSymbol(ModelGraph g) {
        Map<String, int[]> seen = new LinkedHashMap<>(); // symbol -> {inputs holding it, lowest axis}
        for (ValueInfo v : InputCheck.feedInputs(g)) {
            if (v.shape() == null) {
                continue;
            }
            List<String> here = new ArrayList<>();
            for (int i = 0; i < v.shape().size(); i++) {
                String s = symbol(v.shape().get(i));
                if (s != null && !here.contains(s)) {
                    here.add(s);
                    int[] c = seen.computeIfAbsent(s, k -> new int[] {0, Integer.MAX_VALUE});
                    c[0]++;
                    c[1] = Math.min(c[1], i);
                }
            }
        }
        String best = null;
        int[] bestKey = null;
        for (var e : seen.entrySet()) {
            boolean inOutput = inOutputs(g, e.getKey());
            if (e.getValue()[0] < 2 && !inOutput) {
                continue; // a symbol of one input alone (a sequence length) says nothing about batches
            }
            int[] key = {e.getValue()[0], inOutput ? 1 : 0, -e.getValue()[1]};
            if (bestKey == null || Arrays.compare(key, bestKey) > 0) {
                best = e.getKey();
                bestKey = key;
            }
        }
        return best;
    }

    private static boolean inOutputs(ModelGraph g, String symbol) {
        for (ValueInfo o : g.outputs()) {
            if (o.shape() != null && o.shape().stream().anyMatch(d -> symbol.equals(symbol(d)))) {
                return true;
            }
        }
        return false;
    }

    private static String symbol(Dim d) {
        return d.isFixed() || d.symbol() == null || d.symbol().isEmpty() ? null : d.symbol();
    }

    /**
     * The sample axis of every array: {@code given} first, then the model's dims.
     *
     * @param notes receives one line per input passed whole, or whose axis was a guess other than 0
     */
    public static Map<String, Integer> decide(ModelGraph g, Map<String, HostTensor> arrays, Map<String, Integer> given,
                                              List<String> notes) {
        for (String k : given.keySet()) {
            if (!arrays.containsKey(k)) {
                throw new BadInputException("Dataset spec 'axes' names '" + k + "', which the data has no array for; its"
                        + " arrays are " + arrays.keySet() + ".");
            }
        }
        Map<String, ValueInfo> declared = new LinkedHashMap<>();
        InputCheck.feedInputs(g).forEach(v -> declared.put(v.name(), v));
        String batch = batchSymbol(g);
        Map<String, Integer> axes = new LinkedHashMap<>();
        List<String> guessed = new ArrayList<>();
        for (var e : arrays.entrySet()) {
            String name = e.getKey();
            ValueInfo v = declared.get(name);
            if (given.containsKey(name)) {
                int a = given.get(name);
                if (a >= e.getValue().rank()) {
                    throw new BadInputException("Dataset spec 'axes." + name + "' is " + a + ", but the array for '" + name
                            + "' has shape " + Arrays.toString(e.getValue().shape()) + " (rank " + e.getValue().rank()
                            + "), so it has no axis " + a + ".");
                }
                axes.put(name, a);
            } else if (e.getValue().rank() == 0) {
                axes.put(name, CONSTANT);
                notes.add("input '" + name + "' is a scalar: passed as it is to every run");
            } else if (v == null || v.shape() == null || v.shape().size() != e.getValue().rank()) {
                axes.put(name, 0); // the data checks report a stray array or a rank that differs
            } else if (batch != null) {
                int at = indexOf(v, batch);
                axes.put(name, at);
                if (at == CONSTANT) {
                    notes.add("input '" + name + "' " + v.shapeText() + " has no '" + batch + "' dimension: passed as it is"
                            + " to every run");
                }
            } else {
                axes.put(name, guess(v));
                guessed.add(name);
            }
        }
        settleGuesses(arrays, declared, axes, guessed, notes);
        return axes;
    }

    // Inputs whose axis is only a guess (unnamed dims) take the sample count of the others; one
    // that disagrees (a state of batch 1 beside many chunks) is passed whole.
    private static void settleGuesses(Map<String, HostTensor> arrays, Map<String, ValueInfo> declared,
                                      Map<String, Integer> axes, List<String> guessed, List<String> notes) {
        long n = -1;
        for (var e : axes.entrySet()) {
            if (e.getValue() != CONSTANT && !guessed.contains(e.getKey())) {
                n = arrays.get(e.getKey()).size(e.getValue());
                break;
            }
        }
        if (n < 0) {
            for (String name : guessed) { // an unfixed axis is a better anchor than a fixed one
                if (!declared.get(name).shape().get(axes.get(name)).isFixed()) {
                    n = arrays.get(name).size(axes.get(name));
                    break;
                }
            }
        }
        for (String name : guessed) {
            int a = axes.get(name);
            ValueInfo v = declared.get(name);
            if (n >= 0 && arrays.get(name).size(a) != n) {
                axes.put(name, CONSTANT);
                notes.add("input '" + name + "' " + v.shapeText() + " holds " + arrays.get(name).size(a) + " along axis " + a
                        + " where the other inputs hold " + n + " samples: passed as it is to every run (the model does not"
                        + " name its batch dimension; set it with the dataset spec's 'axes')");
            } else if (a != 0) {
                notes.add("input '" + name + "' " + v.shapeText() + ": samples taken along axis " + a + ", its first unfixed"
                        + " dimension (the model does not name its batch dimension; set it with the dataset spec's 'axes')");
            }
            if (n < 0) {
                n = arrays.get(name).size(a);
            }
        }
    }

    /**
     * The sample axis of input {@code v} from its declared shape alone (synthetic inputs): where
     * {@code batch} sits, else none when there is a batch symbol, else its first unfixed dim
     * (axis 0 when all are fixed); none for a scalar.
     */
    static int declaredAxis(ValueInfo v, String batch) {
        if (v.shape() == null || v.shape().isEmpty()) {
            return CONSTANT;
        }
        return batch != null ? indexOf(v, batch) : guess(v);
    }

    /**
     * Without a batch symbol: axis 0 when it is unfixed or fixed to 1 (an export for batch 1,
     * [1, sequence] say), else the first unfixed dim (the batch of a state [2, ?, 128]), else 0.
     */
    private static int guess(ValueInfo v) {
        Dim first = v.shape().get(0);
        if (!first.isFixed() || first.value() == 1) {
            return 0;
        }
        for (int i = 1; i < v.shape().size(); i++) {
            if (!v.shape().get(i).isFixed()) {
                return i;
            }
        }
        return 0;
    }

    private static int indexOf(ValueInfo v, String symbol) {
        for (int i = 0; i < v.shape().size(); i++) {
            if (symbol.equals(symbol(v.shape().get(i)))) {
                return i;
            }
        }
        return CONSTANT;
    }

    /**
     * The batch to evaluate with: the size the model fixes on a sample axis (a model exported
     * for batch 1), with a note when it differs from {@code requested}; else {@code requested}.
     * Streaming feeds one chunk per run.
     *
     * @throws BadInputException when inputs fix different batch sizes, or a streaming model fixes one other than 1
     */
    public static int batch(ModelGraph g, Dataset d, int requested, List<String> notes) {
        long fixed = fixedBatch(g, d);
        if (d.stream() != null) {
            if (fixed >= 0 && fixed != 1) {
                throw new BadInputException("Streaming feeds one chunk per run, but " + g.fileName()
                        + " fixes the batch size to " + fixed + ".");
            }
            return 1;
        }
        if (fixed < 0 || fixed == requested) {
            return requested;
        }
        notes.add("the model fixes the batch size to " + fixed + ": evaluated at batch " + fixed + " instead of " + requested);
        return Math.toIntExact(fixed);
    }

    /**
     * The batch size the model fixes on the data's sample axes, or -1 when it fixes none.
     *
     * @throws BadInputException when inputs fix different sizes
     */
    public static long fixedBatch(ModelGraph g, Dataset d) {
        long fixed = -1;
        String by = null;
        for (ValueInfo v : InputCheck.feedInputs(g)) {
            HostTensor t = d.inputs().get(v.name());
            if (t == null || v.shape() == null || v.shape().size() != t.rank() || d.axis(v.name()) == CONSTANT) {
                continue;
            }
            Dim b = v.shape().get(d.axis(v.name()));
            if (!b.isFixed()) {
                continue;
            }
            if (fixed >= 0 && b.value() != fixed) {
                throw new BadInputException("Inputs of " + g.fileName() + " fix different batch sizes: '" + by + "' " + fixed
                        + ", '" + v.name() + "' " + b.value() + " (along their sample axes); name the right axes in the dataset"
                        + " spec ('axes').");
            }
            fixed = b.value();
            by = v.name();
        }
        return fixed;
    }
}
