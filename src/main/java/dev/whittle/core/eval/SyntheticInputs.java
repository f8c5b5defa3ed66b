package dev.whittle.core.eval;

import dev.whittle.core.BadInputException;
import dev.whittle.core.model.DataType;
import dev.whittle.core.model.Dim;
import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.model.ValueInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Inputs made from the model's declared shapes and types, for latency when there is no data.
 * Each input's sample axis ({@link SampleAxes#declaredAxis}: axis 0 for most models, axis 1 of
 * a state [layers, batch, hidden]) holds the sample count, an input without one (a scalar) is
 * made once; other unfixed dimensions take {@code dims.get(symbol)} or the default, and each default used is reported in the dataset's notes. Values are seeded: floats
 * are standard normal; integer inputs named like a mask are 1, like token types 0, others
 * uniform in [0, 100) (valid token ids for any text model's vocabulary); bools are true.
 */
public final class SyntheticInputs {
    /** Used for an unfixed non-batch dimension (a sequence length, say) that was not given. */
    public static final long DEFAULT_DIM = 128;

    private SyntheticInputs() {
    }

    public static Dataset make(ModelGraph g, long samples, Map<String, Long> dims, long defaultDim) {
        Random rnd = new Random(42);
        Map<String, HostTensor> in = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        Map<String, Integer> axes = new LinkedHashMap<>();
        String batch = SampleAxes.batchSymbol(g);
        for (ValueInfo v : InputCheck.feedInputs(g)) {
            if (!v.isTensor() || v.type() == null) {
                throw new BadInputException("Input '" + v.name() + "' is a " + v.kind() + "; synthetic data covers tensors only.");
            }
            if (v.shape() == null) {
                throw new BadInputException("Input '" + v.name() + "' declares no shape; give data for it instead of synthetic inputs.");
            }
            long[] shape = new long[v.shape().size()];
            int axis = SampleAxes.declaredAxis(v, batch);
            axes.put(v.name(), axis);
            if (axis == SampleAxes.CONSTANT && !v.shape().isEmpty()) {
                notes.add("input '" + v.name() + "' " + v.shapeText() + " has no batch dimension: one array for every run");
            }
            for (int i = 0; i < shape.length; i++) {
                Dim d = v.shape().get(i);
                if (i == axis) {
                    shape[i] = samples;
                } else if (d.isFixed()) {
                    shape[i] = d.value();
                } else if (d.symbol() != null && dims.containsKey(d.symbol())) {
                    shape[i] = dims.get(d.symbol());
                } else {
                    shape[i] = defaultDim;
                    String sym = d.symbol() == null || d.symbol().isEmpty() ? "?" : d.symbol();
                    notes.add("dimension " + i + " ('" + sym + "') of input '" + v.name() + "' set to " + defaultDim
                            + " (default; set it with --dim " + sym + "=N)");
                }
            }
            in.put(v.name(), fill(v.name(), v.type(), shape, rnd));
        }
        notes.add("synthetic inputs (seeded random values)");
        return new Dataset(in, null, "synthetic", notes, axes, null);
    }

    private static HostTensor fill(String name, DataType t, long[] shape, Random rnd) {
        long n = HostTensor.count(shape);
        if (t.bits() % 8 != 0 || t.bits() == 0) {
            throw new BadInputException("Input '" + name + "' has type " + t + ", which synthetic data does not make.");
        }
        ByteBuffer b = ByteBuffer.allocateDirect(Math.toIntExact(t.storageBytes(n))).order(ByteOrder.LITTLE_ENDIAN);
        String lower = name.toLowerCase();
        long fixed = lower.contains("mask") ? 1 : lower.contains("type") ? 0 : -1;
        for (long i = 0; i < n; i++) {
            long iv = fixed >= 0 ? fixed : rnd.nextInt(100);
            switch (t) {
                case FLOAT -> b.putFloat((float) rnd.nextGaussian());
                case DOUBLE -> b.putDouble(rnd.nextGaussian());
                case FLOAT16 -> b.putShort((short) dev.whittle.core.tensor.Numerics.floatToHalf((float) rnd.nextGaussian()));
                case INT64 -> b.putLong(iv);
                case INT32 -> b.putInt((int) iv);
                case INT16 -> b.putShort((short) iv);
                case INT8, UINT8 -> b.put((byte) iv);
                case BOOL -> b.put((byte) 1);
                default -> throw new BadInputException("Input '" + name + "' has type " + t + ", which synthetic data does not make.");
            }
        }
        return new HostTensor(t, shape, b.flip());
    }
}
