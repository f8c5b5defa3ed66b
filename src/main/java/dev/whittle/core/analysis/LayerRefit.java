package dev.whittle.core.analysis;

import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;
import static org.bytedeco.openblas.global.openblas.CblasUpper;
import static org.bytedeco.openblas.global.openblas.LAPACK_ROW_MAJOR;

import dev.whittle.core.BadInputException;
import dev.whittle.core.InternalException;
import dev.whittle.core.eval.ActivationCollector;
import dev.whittle.core.model.DataType;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.GraphEditor;
import dev.whittle.core.onnx.GraphNode;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.tensor.ConvGeometry;
import dev.whittle.core.tensor.Patches;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleConsumer;
import org.bytedeco.openblas.global.openblas;

/**
 * Layer-level distillation: refits the weights (and bias) of each given layer so that its output
 * on the calibration data matches the original model's output of the same layer, by damped least
 * squares. Layers are taken one at a time in graph order, each fed by the model as already
 * refit, so a layer also corrects what the layers before it could not recover. A layer's input
 * comes from the compressed model and its target from the original model, both streamed over
 * the same batches side by side (two batches in memory at most); the statistics are, per group,
 * PᵀP and PᵀY, with P the layer's input rows (a convolution's im2col rows, {@link Patches}) plus
 * a column of ones when the layer has a bias, and Y the original outputs of the channels it kept.
 * The solution of (PᵀP + λI) W = PᵀY + λ W_now, λ = damp x the mean of PᵀP's diagonal, pulls
 * towards the weights as they are, so little data cannot push a layer far.
 */
public final class LayerRefit {
    /** The dampings tried when none is given, smallest first. */
    public static final double[] AUTO_CANDIDATES = {0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3};
    /** Rows gathered before one update of the statistics. */
    private static final int CHUNK_ROWS = 4096;

    private LayerRefit() {
    }

    /**
     * @param refit   the layers refit, in order
     * @param damping the damping each one was refit with
     * @param notes   why other layers were left as they were
     */
    public record Outcome(OnnxModel model, List<String> refit, Map<String, Double> damping, List<String> notes) {
    }

    /**
     * @param nodes       layers to refit (names in both models); taken in the current model's order
     * @param keptOutputs per layer whose output channels were removed, the original index of each kept one
     * @param damp        the damping, relative to the mean of PᵀP's diagonal; null: chosen per layer among
     *                    {@link #AUTO_CANDIDATES} by two-fold cross-validation over the calibration samples
     */
    public static Outcome apply(OnnxModel original, OnnxModel current, List<String> nodes, Map<String, int[]> keptOutputs,
                                CalibrationData data, Double damp, DoubleConsumer progress, BooleanSupplier cancelled) {
        return apply(original, current, nodes, keptOutputs, Map.of(), data, damp, progress, cancelled);
    }

    /**
     * As above, with {@code origin} naming, for a layer that has another name in the original model
     * (the second factor {@code <node>.v} of a factored layer), the original layer whose output it
     * is refit to; a layer not in it has the same name in both.
     */
    public static Outcome apply(OnnxModel original, OnnxModel current, List<String> nodes, Map<String, int[]> keptOutputs,
                                Map<String, String> origin, CalibrationData data, Double damp, DoubleConsumer progress,
                                BooleanSupplier cancelled) {
        if (damp != null && (!(damp > 0) || !Double.isFinite(damp))) {
            throw new BadInputException("reconstruct.damp must be a positive number, got " + damp + ".");
        }
        List<String> order = new ArrayList<>();
        for (WeightLayer l : current.graph().weightLayers()) {
            if (nodes.contains(l.node())) {
                order.add(l.node());
            }
        }
        List<String> done = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Map<String, Double> damping = new java.util.LinkedHashMap<>();
        OnnxModel model = current;
        for (int i = 0; i < order.size(); i++) {
            String node = order.get(i);
            Target t;
            try {
                t = origin.containsKey(node) ? Target.factored(original, model, node, origin.get(node)) : null;
            } catch (Skip s) {
                t = null; // not a pair this refit can solve jointly (a spatial Conv pair): the second factor alone
            }
            try {
                if (t == null) {
                    t = Target.of(original, model, node, origin.getOrDefault(node, node), keptOutputs.get(node));
                }
            } catch (Skip s) {
                notes.add("reconstruct left layer '" + node + "' as it was: " + s.getMessage());
                continue;
            }
            int step = i;
            DoubleConsumer p = progress == null ? null : f -> progress.accept((step + f) / order.size());
            Stats stats = collect(original, model, t, data, p, cancelled);
            if (stats.sample == 0) {
                notes.add("reconstruct left layer '" + node + "' as it was: the calibration data never reached it"
                        + " (a branch or loop body that did not run)");
                continue;
            }
            double d = stats.damping(damp);
            damping.put(node, d);
            float[][] solved = t.factored() == null ? stats.solve(d) : stats.solveRank(d, t.factored().rank());
            if (!finite(solved)) {
                notes.add("reconstruct left layer '" + node + "' as it was: its least-squares solution is not finite"
                        + " (NaN or infinite values in the calibration activations)");
                continue;
            }
            model = t.write(model, solved);
            done.add(node);
        }
        return new Outcome(model, done, damping, notes);
    }

    private static boolean finite(float[][] v) {
        for (float[] g : v) {
            for (float x : g) {
                if (!Float.isFinite(x)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Why a layer cannot be refit (it is left as it was, with this reason). */
    private static final class Skip extends Exception {
        Skip(String why) {
            super(why, null, false, false);
        }
    }

    /** What one layer computes and how its weights are laid out. */
    private record Target(String node, String op, String weight, String bias, String input, String output, long[] wDims,
                          int outputs, int width, int groups, boolean outputMajor, int[] kept, float[] w, float[] b,
                          ConvGeometry conv, Factored factored, String path) {

        static Target of(OnnxModel original, OnnxModel model, String node, String originNode, int[] keptOut) throws Skip {
            WeightLayer l = model.graph().layer(node).orElseThrow(() -> new Skip("it is not a weight layer"));
            WeightLayer o = original.graph().layer(originNode).orElse(null);
            if (o == null) {
                throw new Skip("the original model has no layer of this name");
            }
            if (l.quantized() || l.dtype() != DataType.FLOAT) {
                throw new Skip("only float32 layers are refit");
            }
            // a layer inside a body is refit there; calibration passes its input and output out of the body
            String path = l.graphPath();
            GraphEditor ed = GraphEditor.of(model, path);
            GraphEditor oed = GraphEditor.of(original, o.graphPath());
            GraphNode n = ed.node(ed.nodeIndex(node).orElseThrow(() -> new Skip("no node of this name")));
            GraphNode on = oed.node(oed.nodeIndex(originNode).orElseThrow(() -> new Skip("the original has no node '" + originNode + "'")));
            if (n.inputs().size() < 2 || !n.input(1).equals(l.weight()) || !ed.isConstant(l.weight())) {
                throw new Skip("its weight is not a constant second input");
            }
            if (ed.uses(l.weight()).size() > 1) {
                throw new Skip("its weight is shared with other nodes");
            }
            String bias = n.inputs().size() > 2 && !n.input(2).isEmpty() ? n.input(2) : null;
            if (bias != null && (!ed.isConstant(bias) || ed.uses(bias).size() > 1)) {
                throw new Skip("its bias is not a constant of its own");
            }
            long[] d = l.shape();
            int m = (int) l.outputChannels();
            int[] kept = keptOut;
            if (kept == null) {
                if (o.outputChannels() != m) {
                    throw new Skip("its output channels changed and which ones were kept is unknown");
                }
                kept = java.util.stream.IntStream.range(0, m).toArray();
            }
            if (kept.length != m) {
                throw new Skip("it has " + m + " output channels but " + kept.length + " were kept");
            }
            float[] w = ed.floats(l.weight());
            float[] b = bias == null ? null : ed.floats(bias);
            if (b != null && b.length != m) {
                throw new Skip("its bias has " + b.length + " values, not one per output channel (" + m + ")");
            }
            String out = on.outputs().get(0);
            switch (n.op()) {
                case "MatMul" -> {
                    if (d.length != 2) {
                        throw new Skip("a MatMul weight of rank " + d.length);
                    }
                    // A transformer's linear layer: MatMul then one Add of a constant per output, refit together.
                    BiasAdd add = BiasAdd.of(ed, n, m);
                    BiasAdd oAdd = add == null ? null : BiasAdd.of(oed, on, (int) o.outputChannels());
                    if (add != null && oAdd != null) {
                        return new Target(node, "MatMul", l.weight(), add.constant(), n.input(0), oAdd.output(), d, m, (int) d[0],
                                1, false, kept, w, ed.floats(add.constant()), null, null, path);
                    }
                    return new Target(node, "MatMul", l.weight(), null, n.input(0), out, d, m, (int) d[0], 1, false, kept, w,
                            null, null, null, path);
                }
                case "Gemm" -> {
                    if (n.intAttr("transA", 0) != 0 || n.floatAttr("alpha", 1f) != 1f || n.floatAttr("beta", 1f) != 1f) {
                        throw new Skip("Gemm with transA, alpha or beta other than the defaults");
                    }
                    boolean outMajor = n.intAttr("transB", 0) != 0;
                    return new Target(node, "Gemm", l.weight(), bias, n.input(0), out, d, m, (int) d[outMajor ? 1 : 0], 1,
                            outMajor, kept, w, b, null, null, path);
                }
                case "Conv" -> {
                    ConvGeometry conv;
                    try {
                        conv = ConvGeometry.of(d, n.intAttr("group", 1), n.intsAttr("strides"), n.intsAttr("dilations"),
                                n.intsAttr("pads"), n.stringAttr("auto_pad", "NOTSET"));
                    } catch (IllegalArgumentException e) {
                        throw new Skip(e.getMessage());
                    }
                    return new Target(node, "Conv", l.weight(), bias, n.input(0), out, d, m, conv.width(), conv.groups(), true,
                            kept, w, b, conv, null, path);
                }
                default -> throw new Skip(n.op() + " layers are not refit (MatMul, Gemm and Conv are)");
            }
        }

        /**
         * A factored layer ({@code first} then {@code second}, as low rank writes it) refit as one:
         * the original layer's geometry, its output as the target, the first factor's input as P,
         * and the product of the factors (in [inputs, outputs] layout) as the weights now.
         */
        static Target factored(OnnxModel original, OnnxModel model, String second, String originNode) throws Skip {
            Target o = of(original, original, originNode, originNode, null);
            if (o.groups != 1) {
                throw new Skip("a grouped Conv");
            }
            GraphEditor ed = GraphEditor.of(model, o.path);
            GraphNode v = ed.node(ed.nodeIndex(second).orElseThrow(() -> new Skip("no node of this name")));
            String mid = v.input(0);
            int producer = ed.producer(mid);
            if (producer < 0 || ed.uses(mid).size() != 1) {
                throw new Skip("its first factor is not a node of its own");
            }
            GraphNode u = ed.node(producer);
            for (GraphNode f : List.of(u, v)) {
                if (f.inputs().size() < 2 || !ed.isConstant(f.input(1)) || ed.uses(f.input(1)).size() != 1
                        || ed.floatType(f.input(1)) != DataType.FLOAT) {
                    throw new Skip("a factor's weight is not a float32 constant of its own");
                }
            }
            long[] ud = ed.dims(u.input(1));
            long[] vd = ed.dims(v.input(1));
            boolean conv = o.op.equals("Conv");
            boolean vTransposed = v.op().equals("Gemm") && v.intAttr("transB", 0) != 0;
            int rank = (int) (conv ? ud[0] : ud[1]);
            boolean shapes = conv ? u.op().equals("Conv") && v.op().equals("Conv") && ud.length == o.wDims.length
                    && java.util.Arrays.equals(java.util.Arrays.copyOfRange(ud, 1, ud.length),
                            java.util.Arrays.copyOfRange(o.wDims, 1, o.wDims.length))
                    && vd[0] == o.outputs && vd[1] == rank && java.util.Arrays.stream(vd, 2, vd.length).allMatch(x -> x == 1)
                    : u.op().equals("MatMul") && ud.length == 2 && ud[0] == o.width && vd.length == 2
                    && (vTransposed ? vd[0] == o.outputs && vd[1] == rank : vd[0] == rank && vd[1] == o.outputs);
            if (!shapes || !u.input(0).equals(inputOf(original, originNode, o.path))) {
                throw new Skip("its factors are not a pair the joint refit knows");
            }
            float[] uw = ed.floats(u.input(1));
            float[] vw = ed.floats(v.input(1));
            int width = o.width;
            int m = o.outputs;
            double[] w = new double[width * m];
            for (int k = 0; k < width; k++) {
                for (int j = 0; j < rank; j++) {
                    double a = conv ? uw[j * width + k] : uw[k * rank + j];
                    for (int c = 0; c < m; c++) {
                        w[k * m + c] += a * (conv || vTransposed ? vw[c * rank + j] : vw[j * m + c]);
                    }
                }
            }
            float[] product = new float[w.length];
            for (int i = 0; i < w.length; i++) {
                product[i] = (float) w[i];
            }
            float[] bias = o.bias == null ? null : ed.floats(o.bias);
            if (bias != null && bias.length != m) {
                throw new Skip("its bias no longer has one value per output");
            }
            return new Target(second, o.op, null, o.bias, u.input(0), o.output, o.wDims, m, width, 1, false, o.kept, product,
                    bias, o.conv, new Factored(u.input(1), ud, conv, v.input(1), vd, conv || vTransposed, rank), o.path);
        }

        private static String inputOf(OnnxModel original, String node, String path) throws Skip {
            GraphEditor oed = GraphEditor.of(original, path);
            return oed.node(oed.nodeIndex(node).orElseThrow(() -> new Skip("the original has no node '" + node + "'"))).input(0);
        }

        boolean hasBias() {
            return b != null;
        }

        /** Columns of P: the weight elements of one group, plus one for the bias. */
        int cols() {
            return width + (hasBias() ? 1 : 0);
        }

        /** Current weight element (output o, input feature k of its group). */
        float weightAt(int o, int k) {
            return outputMajor ? w[o * width + k] : w[k * outputs + o];
        }

        OnnxModel write(OnnxModel model, float[][] solved) {
            if (factored != null) {
                return factored.write(model, path, solved, bias);
            }
            float[] nw = new float[w.length];
            float[] nb = hasBias() ? new float[outputs] : null;
            int per = outputs / groups;
            for (int o = 0; o < outputs; o++) {
                float[] x = solved[o / per];
                int c = o % per;
                for (int k = 0; k < width; k++) {
                    nw[outputMajor ? o * width + k : k * outputs + o] = x[k * per + c];
                }
                if (nb != null) {
                    nb[o] = x[width * per + c];
                }
            }
            GraphEditor ed = GraphEditor.of(model, path);
            ed.setTensor(weight, wDims, nw);
            if (nb != null) {
                ed.setTensor(bias, ed.dims(bias), nb);
            }
            return ed.build();
        }
    }

    /**
     * The two weights of a factored layer: the first [inputs, rank] ({@code uOutMajor}: [rank,
     * inputs, ...], a Conv's) and the second [rank, outputs] ({@code vOutMajor}: [outputs, rank, ...]).
     */
    private record Factored(String uWeight, long[] uDims, boolean uOutMajor, String vWeight, long[] vDims, boolean vOutMajor,
                            int rank) {
        /** {@code solved}: the left factor (inputs x rank), the right (rank x outputs), and the bias or nothing. */
        OnnxModel write(OnnxModel model, String path, float[][] solved, String bias) {
            float[] left = solved[0];
            float[] right = solved[1];
            int width = left.length / rank;
            int m = right.length / rank;
            GraphEditor ed = GraphEditor.of(model, path);
            ed.setTensor(uWeight, uDims, uOutMajor ? dev.whittle.core.tensor.Transpose.of(left, width, rank) : left);
            ed.setTensor(vWeight, vDims, vOutMajor ? dev.whittle.core.tensor.Transpose.of(right, rank, m) : right);
            if (bias != null && solved.length > 2) {
                ed.setTensor(bias, ed.dims(bias), solved[2]);
            }
            return ed.build();
        }
    }

    /**
     * The constant of the one Add that reads a MatMul's output, when it holds one value per output
     * channel on the last axis (the bias of a transformer's linear layer) and nothing else uses it.
     */
    private record BiasAdd(String constant, String output) {
        static BiasAdd of(GraphEditor ed, GraphNode matmul, int outputs) {
            dev.whittle.core.onnx.BiasAdd add = dev.whittle.core.onnx.BiasAdd.of(ed, matmul);
            if (add == null || !ed.isConstant(add.other()) || ed.uses(add.other()).size() != 1) {
                return null;
            }
            long[] dims = ed.dims(add.other());
            if (dims.length == 0 || dims[dims.length - 1] != outputs) {
                return null;
            }
            for (int i = 0; i < dims.length - 1; i++) {
                if (dims[i] != 1) {
                    return null;
                }
            }
            return new BiasAdd(add.other(), add.output());
        }
    }

    /** One batch of the original model's output of the layer. */
    private record Batch(float[] values, long[] shape) {
    }

    private static final Batch END = new Batch(new float[0], new long[0]);

    /** Streams both models over the calibration data in step and accumulates PᵀP and PᵀY per group. */
    private static Stats collect(OnnxModel original, OnnxModel model, Target t, CalibrationData data, DoubleConsumer progress,
                                 BooleanSupplier cancelled) {
        Stats stats = new Stats(t);
        BlockingQueue<Batch> targets = new ArrayBlockingQueue<>(2);
        RuntimeException[] failed = new RuntimeException[1];
        boolean[] stop = new boolean[1];
        BooleanSupplier halt = () -> stop[0] || (cancelled != null && cancelled.getAsBoolean());
        Thread teacher = new Thread(() -> {
            try {
                ActivationCalibration.stream(original, List.of(t.output), data, ActivationCalibration.externalDir(original), new Sink() {
                    @Override
                    public void accept(String tensor, FloatBuffer values, long[] shape) {
                        float[] v = new float[values.remaining()];
                        values.duplicate().get(v);
                        put(targets, new Batch(v, shape), halt);
                    }
                }, null, halt);
                put(targets, END, halt);
            } catch (RuntimeException e) {
                failed[0] = e;
                targets.offer(END);
            }
        }, "whittle-refit-teacher");
        teacher.setDaemon(true);
        teacher.start();
        try {
            ActivationCalibration.stream(model, List.of(t.input), data, ActivationCalibration.externalDir(model), new Sink() {
                @Override
                public void accept(String tensor, FloatBuffer values, long[] shape) {
                    Batch y = take(targets, halt);
                    if (y == END) {
                        throw failed[0] != null ? failed[0]
                                : new InternalException("the original model gave fewer calibration batches than the compressed one", null);
                    }
                    stats.add(values, shape, y);
                }
            }, progress, cancelled);
        } finally {
            stop[0] = true;
            targets.clear();
            try {
                teacher.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (failed[0] != null) {
            throw failed[0];
        }
        return stats;
    }


    private static void put(BlockingQueue<Batch> q, Batch b, BooleanSupplier halt) {
        try {
            while (!q.offer(b, 50, TimeUnit.MILLISECONDS)) {
                if (halt.getAsBoolean()) {
                    throw new CancellationException("reconstruction stopped");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted");
        }
    }

    private static Batch take(BlockingQueue<Batch> q, BooleanSupplier halt) {
        try {
            while (true) {
                Batch b = q.poll(50, TimeUnit.MILLISECONDS);
                if (b != null) {
                    return b;
                }
                if (halt.getAsBoolean()) {
                    throw new CancellationException("reconstruction cancelled");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted");
        }
    }

    /** A sink that needs shapes (the two-argument form is never called by the collector). */
    private abstract static class Sink implements ActivationCollector.Sink {
        @Override
        public void accept(String tensor, FloatBuffer values) {
            throw new InternalException("the activation stream gave no shape for '" + tensor + "'", null);
        }
    }

    /**
     * PᵀP and PᵀY of each group, summed in double, separately for the even and the odd
     * calibration samples (two folds, so that a damping can be chosen on data it was not fit to).
     */
    private static final class Stats {
        final Target t;
        final int cols;
        final int per;
        /** [fold][group] */
        final double[][][] ptp;
        final double[][][] pty;
        final float[] rows;
        final float[] ys;
        final float[] gram;
        final float[] cross;
        int filled;
        long sample;

        Stats(Target t) {
            this.t = t;
            cols = t.cols();
            per = t.outputs / t.groups;
            ptp = new double[2][t.groups][cols * cols];
            pty = new double[2][t.groups][cols * per];
            rows = new float[CHUNK_ROWS * cols];
            ys = new float[CHUNK_ROWS * per];
            gram = new float[cols * cols];
            cross = new float[cols * per];
        }

        void add(FloatBuffer xb, long[] xs, Batch y) {
            if (y.values.length == 0) {
                // the layer's branch did not run in this batch (its input may still be an outer value that did)
                return;
            }
            float[] x = new float[xb.remaining()];
            xb.duplicate().get(x);
            int rank = t.conv == null ? 0 : t.wDims.length;
            if (t.op.equals("Conv") && xs.length > rank) {
                // a Loop/Scan body's tensor comes out stacked over the iterations: one batch of them all
                xs = merged(xs, xs.length - rank + 1);
                y = new Batch(y.values, merged(y.shape, y.shape.length - rank + 1));
            }
            if (t.op.equals("Conv")) {
                addConv(x, xs, y);
            } else {
                addRows(x, xs, y);
            }
        }

        /** The shape with its first {@code n} dims merged into one. */
        private static long[] merged(long[] shape, int n) {
            long[] out = new long[shape.length - n + 1];
            out[0] = 1;
            for (int i = 0; i < n; i++) {
                out[0] *= shape[i];
            }
            System.arraycopy(shape, n, out, 1, shape.length - n);
            return out;
        }

        /** MatMul / Gemm: rows of the input's last axis against rows of the output; a sample's rows stay in one fold. */
        private void addRows(float[] x, long[] xs, Batch y) {
            int k = t.width;
            if (xs.length == 0 || xs[xs.length - 1] != k) {
                throw new BadInputException("layer '" + t.node + "': its input has shape " + java.util.Arrays.toString(xs)
                        + ", whose last axis is not the weight's " + k + " inputs.");
            }
            int n = x.length / k;
            int mo = (int) y.shape[y.shape.length - 1];
            if (y.values.length / mo != n) {
                throw new BadInputException("layer '" + t.node + "': the original output has " + y.values.length / mo
                        + " rows but the input " + n + "; the two models do not line up.");
            }
            int samples = xs.length > 1 ? (int) Math.max(1, xs[0]) : 1;
            int perSample = Math.max(1, n / samples);
            for (int s = 0; s < samples; s++) {
                int fold = (int) (sample++ & 1);
                for (int r = s * perSample; r < Math.min(n, (s + 1) * perSample); r++) {
                    int at = filled * cols;
                    System.arraycopy(x, r * k, rows, at, k);
                    if (t.hasBias()) {
                        rows[at + k] = 1f;
                    }
                    for (int c = 0; c < per; c++) {
                        ys[filled * per + c] = y.values[r * mo + t.kept[c]];
                    }
                    if (++filled == CHUNK_ROWS) {
                        flush(fold, 0);
                    }
                }
                flush(fold, 0);
            }
        }

        /** Conv: each sample's im2col rows of each group against the original output at the same positions. */
        private void addConv(float[] x, long[] xs, Batch y) {
            boolean twoD = t.conv.twoD();
            int[] size;
            try {
                size = t.conv.inputSize(xs);
            } catch (IllegalArgumentException e) {
                throw new BadInputException("layer '" + t.node + "': " + e.getMessage() + ".");
            }
            int h = size[0];
            int w = size[1];
            int channels = t.conv.channels();
            int oh = twoD ? (int) y.shape[2] : 1;
            int ow = (int) y.shape[y.shape.length - 1];
            int mo = (int) y.shape[1];
            int samples = (int) xs[0];
            Patches p = t.conv.patches(h, w);
            int positions = oh * ow;
            float[] one = new float[positions * t.width];
            for (int s = 0; s < samples; s++) {
                int fold = (int) (sample++ & 1);
                for (int g = 0; g < t.groups; g++) {
                    p.rows(x, s * channels * h * w, g, oh, ow, one);
                    for (int q = 0; q < positions; q++) {
                        int at = filled * cols;
                        System.arraycopy(one, q * t.width, rows, at, t.width);
                        if (t.hasBias()) {
                            rows[at + t.width] = 1f;
                        }
                        for (int c = 0; c < per; c++) {
                            ys[filled * per + c] = y.values[(s * mo + t.kept[g * per + c]) * positions + q];
                        }
                        if (++filled == CHUNK_ROWS) {
                            flush(fold, g);
                        }
                    }
                    flush(fold, g);
                }
            }
        }

        /** Adds the gathered rows to the sums of one fold and group: PᵀP by ssyrk (upper triangle), PᵀY by sgemm. */
        private void flush(int fold, int g) {
            if (filled == 0) {
                return;
            }
            openblas.cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, cols, filled, 1f, rows, cols, 0f, gram, cols);
            openblas.cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, cols, per, filled, 1f, rows, cols, ys, per, 0f,
                    cross, per);
            double[] a = ptp[fold][g];
            for (int i = 0; i < cols; i++) {
                for (int j = i; j < cols; j++) {
                    a[i * cols + j] += gram[i * cols + j];
                }
            }
            double[] b = pty[fold][g];
            for (int i = 0; i < b.length; i++) {
                b[i] += cross[i];
            }
            filled = 0;
        }

        /**
         * The damping to use: {@code damp} as given, or (null) the candidate whose solution on one
         * fold fits the other fold best, both ways, summed over groups.
         */
        double damping(Double damp) {
            if (damp != null) {
                return damp;
            }
            double best = AUTO_CANDIDATES[0];
            double bestError = Double.POSITIVE_INFINITY;
            for (double d : AUTO_CANDIDATES) {
                double e = 0;
                for (int g = 0; g < t.groups; g++) {
                    for (int fit = 0; fit < 2; fit++) {
                        double[] x = solve(ptp[fit][g], pty[fit][g], g, d);
                        e += x == null ? Double.POSITIVE_INFINITY : heldOut(x, ptp[1 - fit][g], pty[1 - fit][g]);
                    }
                }
                if (e < bestError) {
                    bestError = e;
                    best = d;
                }
            }
            return best;
        }

        /**
         * Σ_c x_cᵀ A x_c − 2 x_cᵀ b_c: the held-out squared error up to a constant; A·X by dsymm
         * (A's upper triangle), as the plain loops took most of a wide layer's refit.
         */
        private double heldOut(double[] x, double[] aUpper, double[] b) {
            double[] ax = new double[cols * per];
            openblas.cblas_dsymm(CblasRowMajor, openblas.CblasLeft, CblasUpper, cols, per, 1, aUpper, cols, x, per, 0, ax, per);
            double e = 0;
            for (int i = 0; i < ax.length; i++) {
                e += x[i] * (ax[i] - 2 * b[i]);
            }
            return e;
        }

        /** Per group, the (cols x per) solution of the damped normal equations on both folds. */
        float[][] solve(double damp) {
            float[][] out = new float[t.groups][];
            for (int g = 0; g < t.groups; g++) {
                double[] a = ptp[0][g].clone();
                double[] b = pty[0][g].clone();
                for (int i = 0; i < a.length; i++) {
                    a[i] += ptp[1][g][i];
                }
                for (int i = 0; i < b.length; i++) {
                    b[i] += pty[1][g][i];
                }
                double[] x = solve(a, b, g, damp);
                if (x == null) {
                    throw new BadInputException("reconstruct: the damped normal equations of layer '" + t.node
                            + "' are not positive definite; raise reconstruct.damp.");
                }
                float[] f = new float[x.length];
                for (int i = 0; i < x.length; i++) {
                    f[i] = (float) x[i];
                }
                out[g] = f;
            }
            return out;
        }

        /**
         * The best rank-{@code rank} weights (and a free bias) on both folds: with the rows centred,
         * C = PᵀP − n·p̄p̄ᵀ and C_y = PᵀY − n·p̄ȳᵀ, the damped least-squares W = (C + λI)⁻¹(C_y + λ W_now)
         * is truncated in the metric H = C + λI, whose error ‖R(W − W')‖ (RᵀR = H) is the fit's
         * error up to a constant: W' = R⁻¹(RW)_r, the reduced-rank regression, by the same whitened
         * SVD as {@code lowrank.whiten}; the bias is then ȳ − p̄ᵀW'. Returns {left (inputs x rank),
         * right (rank x outputs), bias (when the layer has one)}.
         */
        float[][] solveRank(double damp, int rank) {
            int k = t.width;
            double[] a = ptp[0][0].clone();
            double[] y = pty[0][0].clone();
            for (int i = 0; i < a.length; i++) {
                a[i] += ptp[1][0][i];
            }
            for (int i = 0; i < y.length; i++) {
                y[i] += pty[1][0][i];
            }
            double n = t.hasBias() ? a[k * cols + k] : 0;
            double[] h = new double[k * k];
            double[] rhs = new double[k * per];
            double mean = 0;
            for (int i = 0; i < k; i++) {
                mean += a[i * cols + i];
            }
            double lambda = damp * Math.max(mean / k, Double.MIN_NORMAL);
            for (int i = 0; i < k; i++) {
                double si = n > 0 ? a[i * cols + k] : 0;
                for (int j = 0; j < k; j++) {
                    double aij = j >= i ? a[i * cols + j] : a[j * cols + i];
                    double sj = n > 0 ? a[j * cols + k] : 0;
                    h[i * k + j] = aij - (n > 0 ? si * sj / n : 0);
                }
                h[i * k + i] += lambda;
                for (int c = 0; c < per; c++) {
                    double sy = n > 0 ? y[k * per + c] : 0;
                    rhs[i * per + c] = y[i * per + c] - (n > 0 ? si * sy / n : 0) + lambda * t.weightAt(c, i);
                }
            }
            double[] fact = h.clone();
            int info = openblas.LAPACKE_dposv(LAPACK_ROW_MAJOR, (byte) 'U', k, per, fact, k, rhs, per);
            if (info != 0) {
                throw new BadInputException("reconstruct: the damped normal equations of layer '" + t.node
                        + "' are not positive definite; raise reconstruct.damp.");
            }
            float[] full = new float[k * per];
            for (int i = 0; i < full.length; i++) {
                full[i] = (float) rhs[i];
            }
            float[][] lr = dev.whittle.core.lowrank.LowRank.whitenedFactors(full, k, per, rank, h, 0);
            if (!t.hasBias()) {
                return lr;
            }
            float[] bias = new float[per];
            for (int c = 0; c < per; c++) {
                double v = y[k * per + c];
                for (int i = 0; i < k; i++) {
                    double wi = 0;
                    for (int j = 0; j < rank; j++) {
                        wi += (double) lr[0][i * rank + j] * lr[1][j * per + c];
                    }
                    v -= a[i * cols + k] * wi;
                }
                bias[c] = (float) (n > 0 ? v / n : t.b[c]);
            }
            return new float[][] {lr[0], lr[1], bias};
        }

        /**
         * (A + λI) X = B + λ X_now with A's upper triangle given, λ = damp x the mean of A's
         * diagonal over the weight columns; null when LAPACK finds it not positive definite.
         */
        private double[] solve(double[] aUpper, double[] pty, int g, double damp) {
            double[] a = aUpper.clone();
            double[] b = pty.clone();
            double mean = 0;
            for (int i = 0; i < t.width; i++) {
                mean += a[i * cols + i];
            }
            double lambda = damp * Math.max(mean / t.width, Double.MIN_NORMAL);
            for (int i = 0; i < cols; i++) {
                for (int j = 0; j < i; j++) {
                    a[i * cols + j] = a[j * cols + i];
                }
                a[i * cols + i] += lambda;
                for (int c = 0; c < per; c++) {
                    int o = g * per + c;
                    double now = i < t.width ? t.weightAt(o, i) : t.b[o];
                    b[i * per + c] += lambda * now;
                }
            }
            int info = openblas.LAPACKE_dposv(LAPACK_ROW_MAJOR, (byte) 'U', cols, per, a, cols, b, per);
            return info == 0 ? b : null;
        }
    }
}
