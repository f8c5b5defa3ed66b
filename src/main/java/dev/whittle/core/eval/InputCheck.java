package dev.whittle.core.eval;

import dev.whittle.core.BadInputException;
import dev.whittle.core.model.Dim;
import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.model.TensorData;
import dev.whittle.core.model.ValueInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Checks data against a model before anything runs: every input present and no stray arrays,
 * element types equal, ranks equal, fixed dimensions matched (axis 0 is the batch), labels
 * within the declared class count, the chosen output present. Each failure is one sentence
 * naming the input and both sides.
 */
public final class InputCheck {
    private InputCheck() {
    }

    /** The model's runtime inputs: graph inputs that are not also initializers (IR &lt; 4 lists both). */
    public static List<ValueInfo> feedInputs(ModelGraph g) {
        // Plain loops (no streams): every evaluation runs these checks, in code the JIT has not
        // compiled yet, where stream set-up cost more than the check on small models.
        List<ValueInfo> out = new ArrayList<>(g.inputs().size());
        for (ValueInfo v : g.inputs()) {
            if (!isConstant(g, v.name())) {
                out.add(v);
            }
        }
        return out;
    }

    private static boolean isConstant(ModelGraph g, String name) {
        for (TensorData t : g.constants()) {
            if (t.name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** The output to evaluate: {@code name}, or the model's first output when null. */
    public static ValueInfo output(ModelGraph g, String name) {
        if (g.outputs().isEmpty()) {
            throw new BadInputException(g.fileName() + " declares no outputs.");
        }
        if (name == null) {
            return g.outputs().get(0);
        }
        for (ValueInfo o : g.outputs()) {
            if (o.name().equals(name)) {
                return o;
            }
        }
        throw new BadInputException(g.fileName() + " has no output '" + name + "'; its outputs are "
                + g.outputs().stream().map(ValueInfo::name).toList() + ".");
    }

    public static void check(ModelGraph g, Dataset data, int batch) {
        List<ValueInfo> inputs = feedInputs(g);
        List<String> names = new ArrayList<>(inputs.size());
        for (ValueInfo v : inputs) {
            names.add(v.name());
        }
        java.util.Map<String, String> carry = data.stream() == null ? java.util.Map.of() : data.stream().carry();
        for (String k : data.inputs().keySet()) {
            if (!names.contains(k)) {
                throw new BadInputException("The data has an array for '" + k + "' but " + g.fileName()
                        + " has no such input; its inputs are " + names + ".");
            }
            if (carry.containsKey(k)) {
                throw new BadInputException("Input '" + k + "' is carried from output '" + carry.get(k) + "' (stream.carry), so"
                        + " the data must not hold an array for it.");
            }
        }
        for (var c : carry.entrySet()) {
            if (!names.contains(c.getKey())) {
                throw new BadInputException("Dataset spec 'stream.carry' names input '" + c.getKey() + "', which " + g.fileName()
                        + " does not have; its inputs are " + names + ".");
            }
            output(g, c.getValue());
        }
        for (ValueInfo v : inputs) {
            HostTensor t = data.inputs().get(v.name());
            if (t == null && carry.containsKey(v.name())) {
                continue;
            }
            if (t == null) {
                throw new BadInputException(g.fileName() + " needs input '" + v.name() + "' (" + v.type() + " "
                        + v.shapeText() + ") but the data has no array for it; the data has " + data.inputs().keySet() + ".");
            }
            checkOne(g, v, t, data.axis(v.name()), batch);
        }
    }

    /**
     * The data with each float input converted to the float type {@code g} declares for it
     * (float32 data for a float16 model, ...), with a note per converted input; the data itself
     * when nothing needs converting. The evaluation runs each model on its own converted copy.
     */
    public static Dataset matchFloats(ModelGraph g, Dataset data) {
        java.util.Map<String, HostTensor> inputs = new java.util.LinkedHashMap<>(data.inputs());
        List<String> notes = new ArrayList<>(data.notes());
        boolean changed = false;
        for (ValueInfo v : feedInputs(g)) {
            HostTensor t = inputs.get(v.name());
            if (t != null && needsConversion(v.type(), t.type())) {
                inputs.put(v.name(), t.toFloatType(v.type()));
                String note = "input '" + v.name() + "': " + numpyName(t.type()) + " data converted to "
                        + numpyName(v.type()) + ", the model's input type";
                if (!notes.contains(note)) {
                    notes.add(note);
                }
                changed = true;
            }
        }
        return changed ? new Dataset(inputs, data.labels(), data.description(), notes, data.axes(), data.stream()) : data;
    }

    private static boolean needsConversion(dev.whittle.core.model.DataType want, dev.whittle.core.model.DataType have) {
        return want != null && want != have && have.isFloating() && HostTensor.convertible(have)
                && HostTensor.convertible(want);
    }

    private static void checkOne(ModelGraph g, ValueInfo v, HostTensor t, int axis, int batch) {
        if (v.type() != null && v.type() != t.type() && !needsConversion(v.type(), t.type())) {
            throw new BadInputException("Input '" + v.name() + "' of " + g.fileName() + " is " + v.type()
                    + " but its data is " + t.type() + "; convert the array (e.g. arr.astype('"
                    + numpyName(v.type()) + "')).");
        }
        if (v.shape() == null) {
            return;
        }
        long[] s = t.shape();
        String where = axis == SampleAxes.CONSTANT ? "the array is passed whole to every run"
                : "axis " + axis + " of the data is the sample axis";
        if (s.length != v.shape().size()) {
            throw new BadInputException("Input '" + v.name() + "' of " + g.fileName() + " has shape " + v.shapeText()
                    + " (rank " + v.shape().size() + ") but its data has shape " + Arrays.toString(s) + " (rank " + s.length
                    + "); " + where + ".");
        }
        if (axis != SampleAxes.CONSTANT) {
            Dim b = v.shape().get(axis);
            if (b.isFixed() && b.value() != batch) {
                throw new BadInputException("Input '" + v.name() + "' of " + g.fileName() + " fixes the batch size to "
                        + b.value() + "; evaluate with batch " + b.value() + " (--batch " + b.value() + ").");
            }
        }
        for (int i = 0; i < s.length; i++) {
            Dim d = v.shape().get(i);
            if (i != axis && d.isFixed() && d.value() != s[i]) {
                throw new BadInputException("Input '" + v.name() + "' of " + g.fileName() + " has shape " + v.shapeText()
                        + " but its data has shape " + Arrays.toString(s) + " (axis " + i + " differs; " + where + ").");
            }
        }
    }

    /** Checks labels against the output's declared class count (when fixed). */
    public static void checkLabels(ModelGraph g, ValueInfo output, Dataset data) {
        if (!data.hasLabels() || data.stream() != null) { // a stream's labels are decisions, checked per chunk
            return;
        }
        long classes = -1;
        if (output.shape() != null && output.shape().size() == 2 && output.shape().get(1).isFixed()) {
            classes = output.shape().get(1).value();
        }
        long[] range = data.labels().integerRange();
        if (range[0] >= 0 && (classes <= 0 || range[1] < classes)) {
            return;
        }
        long n = data.samples();
        for (long i = 0; i < n; i++) {
            long l = data.label(i);
            if (l < 0 || (classes > 0 && l >= classes)) {
                throw new BadInputException("Label " + l + " of sample " + i + " is outside the model's classes 0.."
                        + (classes > 0 ? classes - 1 : "") + " (output '" + output.name() + "' " + output.shapeText() + ").");
            }
        }
    }

    static String numpyName(dev.whittle.core.model.DataType t) {
        return switch (t) {
            case FLOAT -> "float32";
            case DOUBLE -> "float64";
            case FLOAT16 -> "float16";
            case BOOL -> "bool";
            default -> t.displayName();
        };
    }
}
