package dev.whittle.core.quant;

import dev.whittle.core.model.DataType;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.GraphEditor;
import dev.whittle.core.onnx.GraphNode;
import dev.whittle.core.onnx.OnnxModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SmoothQuant (Xiao et al., 2023) for static W8A8 (MatMul, Gemm, and Conv by input channel): a few
 * input features of a layer carry values
 * far larger than the rest, so one per-tensor activation scale wastes most of the int8 range on
 * them. Dividing input feature j by s_j and multiplying weight row j by s_j leaves x·W unchanged
 * and moves the difficulty into the weights, which are quantized per channel:
 * s_j = max|x_j|^α / max|W_j|^(1-α), α the migration strength. The division is a Mul inserted
 * before the layers that read x (one Mul, one s, for all the smoothed layers reading one tensor:
 * Q, K and V); nothing else reads the scaled tensor, so the function of the float model is
 * unchanged. Applied to the float model before activations are calibrated.
 */
public final class Smoothing {
    private Smoothing() {
    }

    /**
     * @param maxAbs per layer node, the largest |x_j| of its input per feature on the calibration data
     * @param alpha  per layer node, the migration strength in [0, 1]
     */
    public static OnnxModel apply(OnnxModel model, Map<String, double[]> maxAbs, Map<String, Double> alpha,
                                  List<String> messages) {
        GraphEditor ed = GraphEditor.of(model);
        Map<String, List<WeightLayer>> byInput = new LinkedHashMap<>();
        Map<String, Integer> nodeIndex = new LinkedHashMap<>();
        Map<String, Integer> groups = new LinkedHashMap<>();
        for (WeightLayer l : model.graph().weightLayers()) {
            if (!maxAbs.containsKey(l.node())) {
                continue;
            }
            String why = l.graphPath().isEmpty() ? null : "it is inside " + l.graphPath();
            int at = ed.nodeIndex(l.graphNode()).orElse(-1);
            GraphNode n = at < 0 ? null : ed.node(at);
            boolean conv = l.op().equals("Conv") && (l.shape().length == 3 || l.shape().length == 4);
            if (why == null && (n == null || !(conv || (l.op().equals("MatMul") || l.op().equals("Gemm")) && l.shape().length == 2))) {
                why = l.op() + " layers are not smoothed (MatMul and Gemm with a 2-D weight, 1-D and 2-D Conv)";
            } else if (why == null && l.op().equals("Gemm") && n.intAttr("transA", 0) != 0) {
                why = "its Gemm transposes the input";
            } else if (why == null && l.dtype() != DataType.FLOAT) {
                why = "its weight is " + l.dtype() + ", not float32";
            } else if (why == null && !java.util.Arrays.stream(maxAbs.get(l.node())).allMatch(Double::isFinite)) {
                why = "its input on the calibration data holds NaN or infinite values";
            } else if (why == null && ed.uses(l.weight()).size() != 1) {
                why = "its weight is shared with other nodes";
            }
            if (why != null) {
                messages.add("Layer '" + l.node() + "' was not smoothed: " + why + ".");
                continue;
            }
            List<WeightLayer> readers = byInput.computeIfAbsent(n.inputs().get(0), k -> new ArrayList<>());
            if (!readers.isEmpty() && readers.get(0).op().equals("Conv") != conv) {
                // a Conv scales channels (axis 1), a MatMul features (the last axis): one Mul cannot do both
                messages.add("Layer '" + l.node() + "' was not smoothed: its input is also read by a "
                        + readers.get(0).op() + " layer, which scales another axis.");
                continue;
            }
            readers.add(l);
            nodeIndex.put(l.node(), at);
            groups.put(l.node(), conv ? (int) n.intAttr("group", 1) : 1);
        }
        int smoothed = 0;
        for (var e : byInput.entrySet()) {
            List<WeightLayer> group = e.getValue();
            int k = (int) inputDim(group.get(0), groups.get(group.get(0).node()));
            double a = alpha.get(group.get(0).node());
            double[] act = new double[k];
            double[] wmax = new double[k];
            for (WeightLayer l : group) {
                double[] m = maxAbs.get(l.node());
                // a Conv's statistics are per im2col column: channel c owns columns c·kk .. c·kk + kk - 1
                int per = m.length / k;
                for (int j = 0; j < m.length; j++) {
                    act[j / per] = Math.max(act[j / per], m[j]);
                }
                float[] w = l.tensor().toFloatArray();
                for (int i = 0; i < w.length; i++) {
                    int j = feature(l, i, groups.get(l.node()));
                    wmax[j] = Math.max(wmax[j], Math.abs(w[i]));
                }
            }
            double[] s = scales(act, wmax, a);
            float[] inverse = new float[k];
            for (int j = 0; j < k; j++) {
                inverse[j] = (float) (1 / s[j]);
            }
            for (WeightLayer l : group) {
                float[] w = l.tensor().toFloatArray();
                for (int i = 0; i < w.length; i++) {
                    w[i] = (float) (w[i] * s[feature(l, i, groups.get(l.node()))]);
                }
                ed.setTensor(l.weight(), l.shape(), w);
            }
            // [k] for the last axis of a MatMul's input; [C, 1(, 1)] for a Conv's channel axis
            long[] dims = new long[group.get(0).op().equals("Conv") ? group.get(0).shape().length - 1 : 1];
            java.util.Arrays.fill(dims, 1);
            dims[0] = k;
            String factor = ed.addTensor(e.getKey() + "_smooth_scale", dims, inverse);
            String scaled = ed.uniqueName(e.getKey() + "_smoothed");
            int first = group.stream().mapToInt(l -> nodeIndex.get(l.node())).min().orElseThrow();
            GraphNode firstNode = ed.node(first);
            for (WeightLayer l : group) {
                int at = nodeIndex.get(l.node());
                if (at != first) {
                    ed.setInput(at, 0, scaled);
                }
            }
            List<String> in = new ArrayList<>(firstNode.inputs());
            in.set(0, scaled);
            ed.replaceNode(first, List.of(
                    GraphNode.of(ed.uniqueName(e.getKey() + "_Smooth"), "Mul", List.of(e.getKey(), factor), List.of(scaled), Map.of()),
                    firstNode.withIo(firstNode.name(), in, firstNode.outputs())));
            smoothed += group.size();
        }
        if (smoothed > 0) {
            messages.add("SmoothQuant: " + smoothed + " layer" + (smoothed == 1 ? "" : "s") + " smoothed (" + byInput.size()
                    + " input tensor" + (byInput.size() == 1 ? "" : "s") + " divided by s_j = max|x_j|^a / max|W_j|^(1-a),"
                    + " their weights multiplied by it).");
        }
        return smoothed == 0 ? model : ed.build();
    }

    /** s_j = act_j^α / w_j^(1-α), 1 where either is 0, kept within [1e-5, 1e5]. */
    static double[] scales(double[] act, double[] wmax, double alpha) {
        double[] s = new double[act.length];
        for (int j = 0; j < s.length; j++) {
            s[j] = act[j] <= 0 || wmax[j] <= 0 ? 1
                    : Math.min(1e5, Math.max(1e-5, Math.pow(act[j], alpha) / Math.pow(wmax[j], 1 - alpha)));
        }
        return s;
    }

    /** The input features: a 2-D MatMul/Gemm weight's axis that is not the output channel, a Conv's input channels. */
    private static long inputDim(WeightLayer l, int group) {
        if (l.op().equals("Conv")) {
            return l.shape()[1] * group;
        }
        return l.shape()[l.axis() == 1 ? 0 : 1];
    }

    /** The input feature (a Conv: the input channel) weight element {@code i} multiplies. */
    private static int feature(WeightLayer l, int i, int group) {
        if (l.op().equals("Conv")) {
            long[] d = l.shape();
            int kk = 1;
            for (int a = 2; a < d.length; a++) {
                kk *= (int) d[a];
            }
            int perGroup = (int) d[1];
            int filter = i / (perGroup * kk);
            int g = filter / (int) (d[0] / group);
            return g * perGroup + (i / kk) % perGroup;
        }
        int cols = (int) l.shape()[1];
        return l.axis() == 1 ? i / cols : i % cols;
    }
}
