package dev.whittle.core.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import dev.whittle.core.model.DataType;
import dev.whittle.core.model.Storage;
import dev.whittle.core.model.TensorData;
import java.lang.ref.SoftReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Evaluates a float value that a chain of layout ops computes from constants: Identity, Slice,
 * Concat, Gather, Unsqueeze, Squeeze, Reshape, Transpose and Flatten, with their index inputs
 * constant too. Exporters write recurrent weights this way (Silero VAD v5 reorders PyTorch's
 * gate blocks with Slice and Concat in the graph), so the weight a node reads is not any one
 * constant of the file. The shape is computed at once; the values only when first read (kept
 * in a soft reference), so listing a model's layers costs no copy of its weights.
 */
final class ConstantFold {
    /** Longest chain followed, and the most elements a folded value may have. */
    private static final int MAX_NODES = 64;
    private static final long MAX_ELEMENTS = 1L << 28;

    private final Function<String, TensorData> constant;
    private final Function<String, NodeProto> producer;
    private int nodes;

    private ConstantFold(Function<String, TensorData> constant, Function<String, NodeProto> producer) {
        this.constant = constant;
        this.producer = producer;
    }

    /**
     * The value {@code name} as a float tensor of storage {@link Storage#COMPUTED}, when it is
     * produced by the ops above from float constants; empty otherwise (an input, another op, a
     * non-float source).
     */
    static Optional<TensorData> fold(String name, Function<String, TensorData> constant,
                                     Function<String, NodeProto> producer) {
        ConstantFold f = new ConstantFold(constant, producer);
        Arr shape;
        try {
            shape = f.eval(name, false);
        } catch (Unfoldable e) {
            return Optional.empty();
        }
        if (shape == null || !shape.computed || shape.count() > MAX_ELEMENTS) {
            return Optional.empty();
        }
        long[] dims = Arrays.stream(shape.dims).asLongStream().toArray();
        Lazy values = new Lazy(() -> new ConstantFold(constant, producer).eval(name, true).data);
        return Optional.of(new TensorData(name, DataType.FLOAT, dims, Storage.COMPUTED, null,
                (start, dst, off, len) -> System.arraycopy(values.get(), (int) start, dst, off, len)));
    }

    /** Values computed on first use, kept while memory allows. */
    private static final class Lazy {
        private final java.util.function.Supplier<float[]> compute;
        private SoftReference<float[]> ref = new SoftReference<>(null);

        Lazy(java.util.function.Supplier<float[]> compute) {
            this.compute = compute;
        }

        synchronized float[] get() {
            float[] v = ref.get();
            if (v == null) {
                v = compute.get();
                ref = new SoftReference<>(v);
            }
            return v;
        }
    }

    private static final class Unfoldable extends RuntimeException {
        Unfoldable() {
            super(null, null, false, false);
        }
    }

    /** dims and, when asked for, row-major values; computed: produced by at least one op. */
    private record Arr(int[] dims, float[] data, boolean computed) {
        long count() {
            long n = 1;
            for (int d : dims) {
                n *= d;
            }
            return n;
        }
    }

    private Arr eval(String name, boolean withData) {
        TensorData t = constant.apply(name);
        if (t != null) {
            if (t.type() != DataType.FLOAT || !t.isNumeric() || t.count() > MAX_ELEMENTS) {
                throw new Unfoldable();
            }
            int[] dims = new int[t.rank()];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = Math.toIntExact(t.dim(i));
            }
            return new Arr(dims, withData ? t.toFloatArray() : null, false);
        }
        NodeProto n = producer.apply(name);
        if (n == null || !ModelViewBuilder.isDefaultDomain(n) || ++nodes > MAX_NODES || n.getInputCount() == 0) {
            throw new Unfoldable();
        }
        Arr x = eval(n.getInput(0), withData);
        int r = x.dims.length;
        Arr out = switch (n.getOpType()) {
            case "Identity" -> x;
            case "Slice" -> slice(n, x);
            case "Concat" -> concat(n, x, withData);
            case "Gather" -> gather(n, x);
            case "Unsqueeze" -> {
                long[] a = rawAxes(n);
                yield unsqueeze(x, normAxes(a, r + (a == null ? 0 : a.length)));
            }
            case "Squeeze" -> squeeze(x, normAxes(rawAxes(n), r));
            case "Reshape" -> reshape(x, ints(n.getInput(1)), WeightOps.intAttr(n, "allowzero", 0) == 1);
            case "Flatten" -> flatten(x, (int) norm(WeightOps.intAttr(n, "axis", 1), r + 1));
            case "Transpose" -> transpose(x, perm(n, r));
            default -> throw new Unfoldable();
        };
        return new Arr(out.dims, out.data, true);
    }

    /** An int64 constant input's values, or null when the input is absent. */
    private long[] ints(String name) {
        if (name == null || name.isEmpty()) {
            return null;
        }
        TensorData t = constant.apply(name);
        if (t == null || t.type().isFloating() || !t.isNumeric() || t.count() > 1024) {
            throw new Unfoldable();
        }
        float[] f = t.toFloatArray();
        long[] v = new long[f.length];
        for (int i = 0; i < f.length; i++) {
            // INT64 extremes (Slice's "to the end") read as +-9.2e18 and saturate
            v[i] = f[i] >= 9e18f ? Long.MAX_VALUE : f[i] <= -9e18f ? Long.MIN_VALUE : (long) f[i];
        }
        return v;
    }

    private static long[] attrInts(NodeProto n, String name) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getIntsList().stream().mapToLong(Long::longValue).toArray();
            }
        }
        return null;
    }

    /** Axes from the attribute (opsets before 13) or the second input; null when neither is given. */
    private long[] rawAxes(NodeProto n) {
        long[] a = attrInts(n, "axes");
        return a != null ? a : ints(n.getInputCount() > 1 ? n.getInput(1) : null);
    }

    private static int[] normAxes(long[] a, int rank) {
        if (a == null) {
            return new int[0];
        }
        int[] out = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (int) norm(a[i], rank);
        }
        return out;
    }

    private static long norm(long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= Math.max(rank, 1)) {
            throw new Unfoldable();
        }
        return a;
    }

    private Arr slice(NodeProto n, Arr x) {
        int r = x.dims.length;
        long[] starts = attrInts(n, "starts");
        long[] ends = attrInts(n, "ends");
        long[] axes = attrInts(n, "axes");
        long[] steps = null;
        if (starts == null) {
            starts = ints(n.getInput(1));
            ends = ints(n.getInput(2));
            axes = n.getInputCount() > 3 ? ints(n.getInput(3)) : null;
            steps = n.getInputCount() > 4 ? ints(n.getInput(4)) : null;
        }
        if (starts == null || ends == null || starts.length != ends.length) {
            throw new Unfoldable();
        }
        int[] begin = new int[r];
        int[] step = new int[r];
        int[] dims = x.dims.clone();
        Arrays.fill(step, 1);
        for (int i = 0; i < starts.length; i++) {
            int axis = (int) norm(axes == null ? i : axes[i], r);
            long s = steps == null ? 1 : steps[i];
            if (s == 0) {
                throw new Unfoldable();
            }
            long d = x.dims[axis];
            long st = starts[i] < 0 ? starts[i] + d : starts[i];
            long en = ends[i] < 0 && ends[i] != Long.MIN_VALUE ? ends[i] + d : ends[i];
            if (s > 0) {
                st = Math.max(0, Math.min(st, d));
                en = Math.max(0, Math.min(en, d));
                dims[axis] = (int) Math.max(0, (en - st + s - 1) / s);
            } else {
                st = Math.max(-1, Math.min(st, d - 1));
                en = Math.max(-1, Math.min(en, d - 1));
                dims[axis] = (int) Math.max(0, (st - en + (-s) - 1) / (-s));
            }
            begin[axis] = (int) st;
            step[axis] = (int) s;
        }
        if (x.data == null) {
            return new Arr(dims, null, true);
        }
        int[] stride = strides(x.dims);
        int[] src = new int[r];
        for (int a = 0; a < r; a++) {
            src[a] = stride[a] * step[a];
        }
        int base = 0;
        for (int a = 0; a < r; a++) {
            base += begin[a] * stride[a];
        }
        return new Arr(dims, gatherStrided(x.data, dims, base, src), true);
    }

    private Arr concat(NodeProto n, Arr first, boolean withData) {
        int r = first.dims.length;
        int axis = (int) norm(WeightOps.intAttr(n, "axis", 0), r);
        List<Arr> parts = new ArrayList<>();
        parts.add(first);
        for (int i = 1; i < n.getInputCount(); i++) {
            Arr p = eval(n.getInput(i), withData);
            if (p.dims.length != r) {
                throw new Unfoldable();
            }
            parts.add(p);
        }
        int[] dims = first.dims.clone();
        dims[axis] = 0;
        for (Arr p : parts) {
            for (int a = 0; a < r; a++) {
                if (a != axis && p.dims[a] != first.dims[a]) {
                    throw new Unfoldable();
                }
            }
            dims[axis] += p.dims[axis];
        }
        if (!withData) {
            return new Arr(dims, null, true);
        }
        int outer = 1;
        for (int a = 0; a < axis; a++) {
            outer *= dims[a];
        }
        float[] out = new float[Math.toIntExact(new Arr(dims, null, true).count())];
        int pos = 0;
        for (int o = 0; o < outer; o++) {
            for (Arr p : parts) {
                int block = (int) (p.count() / Math.max(outer, 1));
                System.arraycopy(p.data, o * block, out, pos, block);
                pos += block;
            }
        }
        return new Arr(dims, out, true);
    }

    private Arr gather(NodeProto n, Arr x) {
        int r = x.dims.length;
        int axis = (int) norm(WeightOps.intAttr(n, "axis", 0), r);
        TensorData idx = constant.apply(n.getInputCount() > 1 ? n.getInput(1) : "");
        long[] ids = ints(n.getInputCount() > 1 ? n.getInput(1) : null);
        if (idx == null || ids == null) {
            throw new Unfoldable();
        }
        int[] dims = new int[r - 1 + idx.rank()];
        int k = 0;
        for (int a = 0; a < axis; a++) {
            dims[k++] = x.dims[a];
        }
        for (long d : idx.dims()) {
            dims[k++] = (int) d;
        }
        for (int a = axis + 1; a < r; a++) {
            dims[k++] = x.dims[a];
        }
        if (x.data == null) {
            return new Arr(dims, null, true);
        }
        int outer = 1;
        for (int a = 0; a < axis; a++) {
            outer *= x.dims[a];
        }
        int inner = 1;
        for (int a = axis + 1; a < r; a++) {
            inner *= x.dims[a];
        }
        float[] out = new float[outer * ids.length * inner];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < ids.length; i++) {
                long id = ids[i] < 0 ? ids[i] + x.dims[axis] : ids[i];
                if (id < 0 || id >= x.dims[axis]) {
                    throw new Unfoldable();
                }
                System.arraycopy(x.data, (int) ((o * (long) x.dims[axis] + id) * inner), out, (o * ids.length + i) * inner, inner);
            }
        }
        return new Arr(dims, out, true);
    }

    private static Arr unsqueeze(Arr x, int[] axes) {
        if (axes.length == 0) {
            throw new Unfoldable();
        }
        int[] dims = new int[x.dims.length + axes.length];
        int k = 0;
        for (int a = 0; a < dims.length; a++) {
            dims[a] = contains(axes, a) ? 1 : x.dims[k++];
        }
        return new Arr(dims, x.data, true);
    }

    private Arr squeeze(Arr x, int[] axes) {
        List<Integer> dims = new ArrayList<>();
        for (int a = 0; a < x.dims.length; a++) {
            boolean drop = axes.length == 0 ? x.dims[a] == 1 : contains(axes, a);
            if (drop && x.dims[a] != 1) {
                throw new Unfoldable();
            }
            if (!drop) {
                dims.add(x.dims[a]);
            }
        }
        return new Arr(dims.stream().mapToInt(Integer::intValue).toArray(), x.data, true);
    }

    private static Arr reshape(Arr x, long[] shape, boolean allowZero) {
        if (shape == null) {
            throw new Unfoldable();
        }
        int[] dims = new int[shape.length];
        int infer = -1;
        long known = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == -1) {
                if (infer >= 0) {
                    throw new Unfoldable();
                }
                infer = i;
                continue;
            }
            if (shape[i] == 0 && !allowZero) {
                if (i >= x.dims.length) {
                    throw new Unfoldable();
                }
                dims[i] = x.dims[i];
            } else if (shape[i] < 0) {
                throw new Unfoldable();
            } else {
                dims[i] = (int) shape[i];
            }
            known *= dims[i];
        }
        if (infer >= 0) {
            if (known == 0 || x.count() % known != 0) {
                throw new Unfoldable();
            }
            dims[infer] = (int) (x.count() / known);
            known *= dims[infer];
        }
        if (known != x.count()) {
            throw new Unfoldable();
        }
        return new Arr(dims, x.data, true);
    }

    private static Arr flatten(Arr x, int axis) {
        long outer = 1;
        for (int a = 0; a < axis; a++) {
            outer *= x.dims[a];
        }
        return new Arr(new int[] {(int) outer, (int) (x.count() / Math.max(outer, 1))}, x.data, true);
    }

    private static int[] perm(NodeProto n, int rank) {
        long[] p = attrInts(n, "perm");
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            out[i] = p == null ? rank - 1 - i : (int) norm(p[i], rank);
        }
        return out;
    }

    private static Arr transpose(Arr x, int[] perm) {
        int r = x.dims.length;
        if (perm.length != r) {
            throw new Unfoldable();
        }
        int[] dims = new int[r];
        int[] stride = strides(x.dims);
        int[] src = new int[r];
        for (int a = 0; a < r; a++) {
            dims[a] = x.dims[perm[a]];
            src[a] = stride[perm[a]];
        }
        return new Arr(dims, x.data == null ? null : gatherStrided(x.data, dims, 0, src), true);
    }

    /** out[i0..ir] = data[base + sum(i_a * src_a)], row-major over dims. */
    private static float[] gatherStrided(float[] data, int[] dims, int base, int[] src) {
        int r = dims.length;
        long count = 1;
        for (int d : dims) {
            count *= d;
        }
        float[] out = new float[Math.toIntExact(count)];
        if (count == 0) {
            return out;
        }
        int[] idx = new int[r];
        int pos = base;
        for (int i = 0; i < out.length; i++) {
            out[i] = data[pos];
            for (int a = r - 1; a >= 0; a--) {
                idx[a]++;
                pos += src[a];
                if (idx[a] < dims[a]) {
                    break;
                }
                pos -= src[a] * idx[a];
                idx[a] = 0;
            }
        }
        return out;
    }

    private static int[] strides(int[] dims) {
        int[] s = new int[dims.length];
        int acc = 1;
        for (int a = dims.length - 1; a >= 0; a--) {
            s[a] = acc;
            acc *= dims[a];
        }
        return s;
    }

    private static boolean contains(int[] a, int v) {
        for (int x : a) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }
}
