package dev.whittle.core.analysis;

import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;
import static org.bytedeco.openblas.global.openblas.CblasUpper;

import dev.whittle.core.BadInputException;
import dev.whittle.core.model.NodeInfo;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.eval.ActivationCollector;
import dev.whittle.core.onnx.GraphEditor;
import dev.whittle.core.onnx.GraphNode;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.tensor.ConvGeometry;
import dev.whittle.core.tensor.InputMoments;
import dev.whittle.core.tensor.Patches;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleConsumer;
import org.bytedeco.openblas.global.openblas;

/**
 * Collects what each selected weight layer sees on the calibration data ({@link InputMoments}):
 * per input feature the sum of squares, optionally the full second moment XᵀX, and per output
 * channel the mean |output|. The data is fed run by run through the float model as evaluation
 * feeds it ({@link ActivationCalibration#stream}), so memory
 * is one batch of activations plus the statistics of the layers in the current pass; when XᵀX
 * is asked for, layers are split into passes whose matrices fit {@code budgetBytes}.
 * MatMul and Gemm layers (input 0 = activations, input 1 = weight) are described by the rows of
 * their input's last axis; 1-D and 2-D Conv layers by the im2col rows of their input
 * ({@link Patches}): {@code dim} is then C·kh·kw, column {@code g·width + j} being column j of
 * group g (the weight's flattened inner index), and XᵀX, which is block-diagonal across groups,
 * is collected for group 1 only (absent otherwise). Other layers are absent from the result.
 */
public final class LayerInputs {
    /** Default memory for the XᵀX matrices of one pass. */
    public static final long DEFAULT_BUDGET = 256L << 20;
    /**
     * A model input of this name ([batch, tokens], 0 = padding) marks rows to leave out: padding
     * tokens are computed but never used, and would otherwise weigh on the statistics.
     */
    static final String MASK = "attention_mask";

    private LayerInputs() {
    }

    /** Whether {@link #collect} can describe this layer's input. */
    public static boolean supported(OnnxModel model, WeightLayer l) {
        return node(model, l) != null;
    }

    /**
     * @param secondMoment also accumulate XᵀX (needed by GPTQ); else only norms and output means
     * @param progress     fraction done over all passes, or null
     * @param cancelled    polled once per batch, or null
     */
    public static Map<String, InputMoments> collect(OnnxModel model, List<WeightLayer> layers, boolean secondMoment,
                                                    CalibrationData data, long budgetBytes, DoubleConsumer progress,
                                                    BooleanSupplier cancelled) {
        List<List<Acc>> passes = new ArrayList<>();
        List<Acc> pass = new ArrayList<>();
        long used = 0;
        Map<String, GraphEditor> editors = new java.util.HashMap<>(); // a layer inside a body is read in its body
        for (WeightLayer l : layers) {
            NodeInfo n = node(model, l);
            ConvGeometry conv = l.op().equals("Conv") && n != null
                    ? geometry(editors.computeIfAbsent(l.graphPath(), path -> GraphEditor.of(model, path)), l) : null;
            if (n == null || l.op().equals("Conv") && conv == null) {
                continue;
            }
            Acc a = new Acc(l, n, conv, secondMoment, l.op().equals("MatMul") ? biasAdded(model, l.graphPath(),
                    n.outputs().get(0), l.outputChannels()) : n.outputs().get(0));
            long cost = a.xtx != null ? 12L * a.dim * a.dim : a.groupBlocks != null ? 12L * a.groupBlocks.length : 0;
            if (!pass.isEmpty() && used + cost > budgetBytes) {
                passes.add(pass);
                pass = new ArrayList<>();
                used = 0;
            }
            pass.add(a);
            used += cost;
        }
        if (!pass.isEmpty()) {
            passes.add(pass);
        }
        Path dir = ActivationCalibration.externalDir(model);
        Map<String, InputMoments> out = new LinkedHashMap<>();
        for (int p = 0; p < passes.size(); p++) {
            List<Acc> accs = passes.get(p);
            Map<String, List<Acc>> byInput = new LinkedHashMap<>();
            Map<String, List<Acc>> byOutput = new LinkedHashMap<>();
            for (Acc a : accs) {
                byInput.computeIfAbsent(a.input, k -> new ArrayList<>()).add(a);
                byOutput.computeIfAbsent(a.output, k -> new ArrayList<>()).add(a);
            }
            LinkedHashSet<String> tensors = new LinkedHashSet<>(byInput.keySet());
            tensors.addAll(byOutput.keySet());
            int done = p;
            int total = passes.size();
            // The batch's attention_mask (0 = padding), handed over before the activations, so
            // that padding tokens can be left out of the statistics.
            boolean masked = model.graph().inputs().stream().anyMatch(v -> v.name().equals(MASK));
            if (masked) {
                tensors.add(MASK);
            }
            long[][] current = new long[1][];
            ActivationCalibration.stream(model, List.copyOf(tensors), data, dir, new ActivationCollector.Sink() {
                @Override
                public void accept(String name, FloatBuffer values) {
                    accept(name, values, null);
                }

                @Override
                public void accept(String name, FloatBuffer values, long[] shape) {
                    if (masked && name.equals(MASK)) {
                        current[0] = mask(values);
                        if (!byInput.containsKey(name) && !byOutput.containsKey(name)) {
                            return;
                        }
                    }
                    long[] mask = current[0];
                    for (Acc a : byInput.getOrDefault(name, List.of())) {
                        a.addInput(values.duplicate(), shape, mask);
                    }
                    for (Acc a : byOutput.getOrDefault(name, List.of())) {
                        a.addOutput(values.duplicate(), shape, mask);
                    }
                }
            }, progress == null ? null : f -> progress.accept((done + f) / total), cancelled);
            for (Acc a : accs) {
                // a layer in a branch the data never took has nothing to say (its input may be an outer
                // value that every run sees, but its output never came)
                if (a.rows > 0 && a.outRows > 0) {
                    out.put(a.layer.node(), a.result());
                }
            }
        }
        return out;
    }

    /** A transformer's attention_mask of the batch (one flag per token). */
    private static long[] mask(FloatBuffer values) {
        long[] m = new long[values.remaining()];
        for (int i = 0; i < m.length; i++) {
            m[i] = values.get(values.position() + i) != 0 ? 1 : 0;
        }
        return m;
    }

    /**
     * A Conv tensor's shape with the leading dims merged into the batch when it has more than the
     * layer's rank: a Loop or Scan body's tensor comes out stacked over the iterations.
     */
    static long[] stacked(long[] shape, int rank) {
        if (shape == null || shape.length <= rank) {
            return shape;
        }
        int extra = shape.length - rank + 1;
        long[] out = new long[rank];
        out[0] = 1;
        for (int i = 0; i < extra; i++) {
            out[0] *= shape[i];
        }
        System.arraycopy(shape, extra, out, 1, rank - 1);
        return out;
    }

    /** A Conv layer's geometry, or null when its attributes are not a 1-D or 2-D convolution's. */
    private static ConvGeometry geometry(GraphEditor ed, WeightLayer l) {
        GraphNode n = ed.node(ed.nodeIndex(l.node()).orElse(-1));
        try {
            return ConvGeometry.of(l.shape(), n.intAttr("group", 1), n.intsAttr("strides"), n.intsAttr("dilations"),
                    n.intsAttr("pads"), n.stringAttr("auto_pad", "NOTSET"));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * The node of a MatMul/Gemm layer whose weight is input 1 and is 2-D, or of a Conv layer whose
     * weight is input 1 and has rank 3 or 4; null otherwise.
     */
    /**
     * The output of the one Add that adds a bias (a constant of {@code channels} values) to the
     * main-graph tensor {@code tensor}, or {@code tensor} itself when it has no such reader: a
     * MatMul's output as the next layers see it (the output statistics, and the activation
     * criterion, look through the bias, as a Gemm's or Conv's own output includes theirs).
     */
    public static String biasAdded(OnnxModel model, String tensor, long channels) {
        return biasAdded(model, "", tensor, channels);
    }

    /** As above, for a tensor of the graph at {@code path} (a body: its outputs are not looked at). */
    public static String biasAdded(OnnxModel model, String path, String tensor, long channels) {
        List<NodeInfo> readers = new ArrayList<>();
        for (NodeInfo n : model.graph().nodes()) {
            if (n.graphPath().equals(path) && n.inputs().contains(tensor)) {
                readers.add(n);
            }
        }
        if (readers.size() != 1 || path.isEmpty() && model.graph().outputs().stream().anyMatch(v -> v.name().equals(tensor))) {
            return tensor;
        }
        NodeInfo add = readers.get(0);
        if (!add.opType().equals("Add") || add.inputs().size() != 2) {
            return tensor;
        }
        String other = add.inputs().get(0).equals(tensor) ? add.inputs().get(1) : add.inputs().get(0);
        var c = model.graph().constant(other);
        return c.isPresent() && c.get().count() == channels ? add.outputs().get(0) : tensor;
    }

    private static NodeInfo node(OnnxModel model, WeightLayer l) {
        boolean matrix = (l.op().equals("MatMul") || l.op().equals("Gemm")) && l.shape().length == 2;
        boolean conv = l.op().equals("Conv") && (l.shape().length == 3 || l.shape().length == 4);
        if (!(matrix || conv) || l.quantized()) {
            return null;
        }
        for (NodeInfo n : model.graph().nodes()) {
            if (n.name().equals(l.node()) && n.graphPath().equals(l.graphPath())) {
                return n.inputs().size() >= 2 && n.inputs().get(1).equals(l.weight()) ? n : null;
            }
        }
        return null;
    }

    /** Accumulators of one layer. */
    private static final class Acc {
        final WeightLayer layer;
        final ConvGeometry conv;
        final String input;
        final String output;
        final int dim;
        final int outDim;
        final double[] sumSquares;
        final double[] sums;
        final double[] maxAbs;
        final double[] xtx;
        /** A grouped Conv's XᵀX blocks, one per group (see {@link InputMoments#groupBlocks()}). */
        final double[] groupBlocks;
        final double[] outAbs;
        final double[] outPos;
        long rows;
        long outRows;
        float[] buf = new float[0];
        /** One sample's im2col rows of one group (Conv), kept across batches. */
        float[] patches = new float[0];
        float[] gram;

        Acc(WeightLayer l, NodeInfo n, ConvGeometry conv, boolean secondMoment, String output) {
            layer = l;
            this.conv = conv;
            input = n.inputs().get(0);
            this.output = output;
            int in = l.axis() == 0 ? 1 : 0;
            dim = conv != null ? conv.groups() * conv.width() : (int) l.shape()[in];
            outDim = (int) l.outputChannels();
            sumSquares = new double[dim];
            sums = new double[dim];
            maxAbs = new double[dim];
            xtx = secondMoment && (conv == null || conv.groups() == 1) ? new double[dim * dim] : null;
            groupBlocks = secondMoment && conv != null && conv.groups() > 1
                    ? new double[conv.groups() * conv.width() * conv.width()] : null;
            outAbs = new double[outDim];
            outPos = new double[outDim];
        }

        void addInput(FloatBuffer v, long[] shape, long[] mask) {
            if (v.remaining() == 0) {
                return; // a body whose branch did not run in this batch
            }
            if (conv != null) {
                addPatches(v, stacked(shape, layer.shape().length));
                return;
            }
            int n = v.remaining();
            if (n % dim != 0) {
                throw new BadInputException("layer '" + layer.node() + "': its input '" + input + "' has " + n
                        + " values per batch, not a multiple of the weight's input dimension " + dim + ".");
            }
            int r = n / dim;
            if (buf.length < n) {
                buf = new float[n];
            }
            v.get(buf, 0, n);
            if (mask != null && mask.length == r) {
                // Keep only the rows of real tokens, packed at the front of buf.
                int kept = 0;
                for (int i = 0; i < r; i++) {
                    if (mask[i] != 0) {
                        System.arraycopy(buf, i * dim, buf, kept * dim, dim);
                        kept++;
                    }
                }
                r = kept;
                n = r * dim;
            }
            addRows(buf, r, 0, dim);
            rows += r;
        }

        /**
         * Adds {@code r} rows of {@code width} columns from {@code x} to the statistics of columns
         * {@code first..first+width} (XᵀX, when collected, spans every column: one group).
         */
        private void addRows(float[] x, int r, int first, int width) {
            for (int i = 0, idx = 0; i < r; i++) {
                for (int j = 0; j < width; j++, idx++) {
                    double v = x[idx];
                    sumSquares[first + j] += v * v;
                    sums[first + j] += v;
                    maxAbs[first + j] = Math.max(maxAbs[first + j], Math.abs(v));
                }
            }
            if (xtx != null) {
                if (gram == null) {
                    gram = new float[dim * dim];
                }
                // One batch in float (a few thousand rows), summed over batches in double.
                openblas.cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, dim, r, 1f, x, dim, 0f, gram, dim);
                for (int i = 0; i < dim; i++) {
                    for (int j = i; j < dim; j++) {
                        xtx[i * dim + j] += gram[i * dim + j];
                    }
                }
            } else if (groupBlocks != null) {
                if (gram == null) {
                    gram = new float[width * width];
                }
                openblas.cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, width, r, 1f, x, width, 0f, gram, width);
                int off = first / width * width * width;
                for (int i = 0; i < width; i++) {
                    for (int j = i; j < width; j++) {
                        groupBlocks[off + i * width + j] += gram[i * width + j];
                    }
                }
            }
        }

        /** Conv: every sample's im2col rows of every group (a row per output position). */
        private void addPatches(FloatBuffer v, long[] shape) {
            int[] size;
            try {
                size = conv.inputSize(shape == null ? new long[0] : shape);
            } catch (IllegalArgumentException e) {
                throw new BadInputException("layer '" + layer.node() + "': its input '" + input + "': " + e.getMessage() + ".");
            }
            int h = size[0];
            int w = size[1];
            int[] out = conv.outSize(h, w);
            int positions = out[0] * out[1];
            int width = conv.width();
            int sample = conv.channels() * h * w;
            int samples = (int) shape[0];
            int n = v.remaining();
            if (n != (long) samples * sample) {
                throw new BadInputException("layer '" + layer.node() + "': its input '" + input + "' has " + n
                        + " values for shape " + java.util.Arrays.toString(shape) + ".");
            }
            if (buf.length < n) {
                buf = new float[n];
            }
            v.get(buf, 0, n);
            Patches p = conv.patches(h, w);
            if (patches.length < positions * width) {
                patches = new float[positions * width];
            }
            float[] one = patches;
            for (int s = 0; s < samples; s++) {
                for (int g = 0; g < conv.groups(); g++) {
                    p.rows(buf, s * sample, g, out[0], out[1], one);
                    addRows(one, positions, g * width, width);
                }
                rows += positions;
            }
        }

        void addOutput(FloatBuffer v, long[] shape, long[] mask) {
            if (v.remaining() == 0) {
                return;
            }
            if (conv != null) {
                addChannelsFirst(v, stacked(shape, layer.shape().length));
                return;
            }
            int n = v.remaining();
            if (n % outDim != 0) {
                return;
            }
            int r = n / outDim;
            boolean masked = mask != null && mask.length == r;
            for (int i = 0; i < r; i++) {
                if (masked && mask[i] == 0) {
                    continue;
                }
                for (int c = 0; c < outDim; c++) {
                    float y = v.get(v.position() + i * outDim + c);
                    outAbs[c] += Math.abs(y);
                    outPos[c] += Math.max(0f, y);
                }
                outRows++;
            }
        }

        /** Conv output [N, M, spatial...]: per channel, |y| over samples and positions. */
        private void addChannelsFirst(FloatBuffer v, long[] shape) {
            int n = v.remaining();
            if (shape == null || shape.length < 2 || shape[1] != outDim || shape[0] <= 0) {
                return;
            }
            int samples = (int) shape[0];
            int spatial = n / samples / outDim;
            for (int s = 0, idx = v.position(); s < samples; s++) {
                for (int c = 0; c < outDim; c++) {
                    double abs = 0;
                    double pos = 0;
                    for (int q = 0; q < spatial; q++, idx++) {
                        float y = v.get(idx);
                        abs += Math.abs(y);
                        pos += Math.max(0f, y);
                    }
                    outAbs[c] += abs;
                    outPos[c] += pos;
                }
            }
            outRows += (long) samples * spatial;
        }

        InputMoments result() {
            if (xtx != null) {
                for (int i = 0; i < dim; i++) {
                    for (int j = 0; j < i; j++) {
                        xtx[i * dim + j] = xtx[j * dim + i];
                    }
                }
            }
            if (groupBlocks != null) {
                int w = conv.width();
                for (int off = 0; off < groupBlocks.length; off += w * w) {
                    for (int i = 0; i < w; i++) {
                        for (int j = 0; j < i; j++) {
                            groupBlocks[off + i * w + j] = groupBlocks[off + j * w + i];
                        }
                    }
                }
            }
            double[] mean = outAbs.clone();
            double[] positive = outPos.clone();
            for (int c = 0; c < outDim; c++) {
                mean[c] /= Math.max(1, outRows);
                positive[c] /= Math.max(1, outRows);
            }
            buf = null;
            patches = null;
            gram = null;
            return new InputMoments(dim, rows, sumSquares, xtx, mean, positive, sums, maxAbs, groupBlocks);
        }
    }
}
