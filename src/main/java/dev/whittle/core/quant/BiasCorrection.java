package dev.whittle.core.quant;

import dev.whittle.core.model.DataType;
import dev.whittle.core.model.TensorData;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.QdqEditor;
import dev.whittle.core.onnx.TensorBytes;
import java.util.List;
import java.util.Map;

/**
 * Bias correction (Nagel et al., "Data-Free Quantization", section 4.2, with the input mean
 * measured on calibration data): rounding changes a layer's expected output by
 * E[x·Ŵ] - E[x·W] = -(W - Ŵ)ᵀ·E[x] per output channel, a systematic shift that the layers after
 * it inherit. Adding (W - Ŵ)ᵀ·E[x] to the bias removes it; the output's spread around the mean
 * is unchanged. For a MatMul the bias is the constant of the Add that reads its output; for a
 * Gemm its C (added when absent).
 */
final class BiasCorrection {
    private BiasCorrection() {
    }

    /**
     * Per output channel, Σ_k (W - Ŵ)[k, n]·mean[k] for a 2-D weight whose output-channel axis is
     * {@code axis} (1: [K, N], MatMul and Gemm without transB; 0: [N, K], Gemm with transB).
     */
    static double[] shift(float[] w, float[] wq, long[] shape, int axis, double[] mean) {
        int rows = (int) shape[0];
        int cols = (int) shape[1];
        int n = axis == 1 ? cols : rows;
        int k = axis == 1 ? rows : cols;
        if (mean.length != k) {
            throw new IllegalArgumentException("mean of " + mean.length + " features for an input dimension of " + k);
        }
        double[] c = new double[n];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                double d = (double) w[r * cols + j] - wq[r * cols + j];
                if (axis == 1) {
                    c[j] += d * mean[r];
                } else {
                    c[r] += d * mean[j];
                }
            }
        }
        return c;
    }

    /**
     * Per filter of a Conv weight [M, C/group, k...], Σ_j (W - Ŵ)[o, j]·mean[g(o)·width + j] with
     * {@code mean} over the im2col columns of all groups ({@code InputMoments}: padding counts as
     * the zeros the convolution reads).
     */
    static double[] convShift(float[] w, float[] wq, long[] shape, double[] mean) {
        int m = (int) shape[0];
        int width = w.length / m;
        if (mean.length % width != 0 || m % (mean.length / width) != 0) {
            throw new IllegalArgumentException("mean of " + mean.length + " features for a Conv of " + m + " filters of "
                    + width + " inputs");
        }
        int per = m / (mean.length / width);
        double[] c = new double[m];
        for (int o = 0; o < m; o++) {
            int at = o / per * width;
            for (int j = 0; j < width; j++) {
                c[o] += ((double) w[o * width + j] - wq[o * width + j]) * mean[at + j];
            }
        }
        return c;
    }

    /**
     * Adds {@code shift} to layer {@code l}'s bias in {@code ed} (a new initializer; the old one
     * may be shared). Returns why it could not, or null when done.
     */
    static String apply(QdqEditor ed, Map<String, TensorData> constants, WeightLayer l, double[] shift) {
        String node = l.graphNode();
        if (l.op().equals("Gemm")) {
            float alpha = ed.floatAttr(node, "alpha", 1f);
            float beta = ed.floatAttr(node, "beta", 1f);
            if (beta == 0f) {
                return "its Gemm has beta 0, so a bias cannot be added";
            }
            String c = ed.input(node, 2);
            float[] bias = c.isEmpty() ? new float[shift.length] : values(constants.get(c), shift.length);
            if (bias == null) {
                return "its bias C is not a float constant of " + shift.length + " values (or one)";
            }
            String name = ed.constant(l.weight() + "_bias_corrected", corrected(bias, shift, alpha / beta));
            if (c.isEmpty()) {
                ed.addInput(node, name);
            } else {
                ed.setInput(node, 2, name);
            }
            return null;
        }
        if (l.op().equals("Conv")) {
            String b = ed.input(node, 2);
            float[] bias = b.isEmpty() ? new float[shift.length] : values(constants.get(b), shift.length);
            if (bias == null) {
                return "its bias B is not a float constant of " + shift.length + " values";
            }
            String name = ed.constant(l.weight() + "_bias_corrected", corrected(bias, shift, 1));
            if (b.isEmpty()) {
                ed.addInput(node, name);
            } else {
                ed.setInput(node, 2, name);
            }
            return null;
        }
        // MatMul: the Add that reads its output alone, with a constant of one value per channel.
        String out = ed.output(node, 0);
        List<String> readers = ed.readersOf(out);
        if (readers.size() != 1 || !ed.opOf(readers.get(0)).equals("Add")) {
            return "no bias Add follows it (Whittle adds none)";
        }
        String add = readers.get(0);
        int other = ed.input(add, 0).equals(out) ? 1 : 0;
        float[] bias = values(constants.get(ed.input(add, other)), shift.length);
        if (bias == null || constants.get(ed.input(add, other)).dims().length != 1) {
            return "the Add after it does not add a float constant of " + shift.length + " values";
        }
        ed.setInput(add, other, ed.constant(l.weight() + "_bias_corrected", corrected(bias, shift, 1)));
        return null;
    }

    /** A float32 bias of {@code n} values (a single value is broadcast), or null. */
    private static float[] values(TensorData t, int n) {
        if (t == null || t.type() != DataType.FLOAT || (t.count() != n && t.count() != 1)) {
            return null;
        }
        float[] v = t.toFloatArray();
        if (v.length == n) {
            return v;
        }
        float[] b = new float[n];
        java.util.Arrays.fill(b, v[0]);
        return b;
    }

    private static TensorBytes corrected(float[] bias, double[] shift, double factor) {
        float[] out = new float[bias.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (bias[i] + factor * shift[i]);
        }
        return TensorBytes.floats(new long[] {out.length}, out);
    }
}
