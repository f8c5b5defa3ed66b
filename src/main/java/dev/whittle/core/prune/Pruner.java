package dev.whittle.core.prune;

import dev.whittle.core.BadInputException;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.GraphEditor;
import dev.whittle.core.onnx.GraphPaths;
import dev.whittle.core.transform.Bodies;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.select.LayerSelector;
import dev.whittle.core.transform.LayerCheck;
import dev.whittle.core.transform.LayerReport;
import dev.whittle.core.transform.TransformReport;
import dev.whittle.core.transform.TransformResult;
import dev.whittle.core.transform.WeightChecks;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Magnitude pruning: unstructured (per layer by sparsity or threshold, or global), N:M
 * semi-structured, and structured channel pruning (delegated to {@link ChannelPruner}). Returns
 * a new model and a per-layer report; the input model is not changed. Bad specs and NaN
 * weights raise {@link BadInputException} before any model is built.
 */
public final class Pruner {
    private Pruner() {
    }

    public static TransformResult apply(OnnxModel model, LayerSelector selector, PruneSpec spec) {
        return apply(model, selector, spec, Map.of());
    }

    /**
     * As {@link #apply(OnnxModel, LayerSelector, PruneSpec)}, with per-layer statistics keyed by
     * node name, collected on calibration data: the input norms ‖x_j‖₂ for {@code criterion:
     * wanda}, the mean |output| per output channel for channel pruning's {@code criterion: activation}.
     */
    /** Channel pruning's result with, per layer whose outputs were cut, the original indices of the kept channels. */
    public record ChannelResult(TransformResult result, Map<String, int[]> keptOutputs) {
    }

    /** Channel pruning ({@code spec.isChannel()}), telling which output channels each layer kept. */
    public static ChannelResult applyChannels(OnnxModel model, LayerSelector selector, PruneSpec spec,
                                              Map<String, double[]> activity) {
        if (!spec.isChannel()) {
            throw new IllegalArgumentException("not a channel spec: " + spec.structure());
        }
        Map<String, int[]> kept = new java.util.HashMap<>();
        TransformResult r = ChannelPruner.apply(model, WeightChecks.select(model, selector, "prune"), spec, activity, kept);
        return new ChannelResult(r, kept);
    }

    public static TransformResult apply(OnnxModel model, LayerSelector selector, PruneSpec spec,
                                        Map<String, double[]> inputNorms) {
        List<WeightLayer> selected = WeightChecks.select(model, selector, "prune");
        OnnxModel original = model;
        if (spec.isChannel()) {
            return ChannelPruner.apply(model, selected, spec, inputNorms);
        }
        String method = "prune " + spec.structure() + (spec.isGlobal() ? " global" : "") + (spec.dataAware() ? " " + spec.criterion() : "");
        model = Bodies.prepare(model, selected);
        selected = Bodies.relocate(model, selected);
        List<LayerReport> reports = new ArrayList<>();
        java.util.Set<String> unreached = new java.util.HashSet<>();
        // A weight shared by several layers is pruned once, under its first layer.
        Map<String, WeightLayer> targets = new LinkedHashMap<>();
        Map<String, float[]> weights = new LinkedHashMap<>();
        for (WeightLayer l : selected) {
            String why = WeightChecks.unsupported(l);
            if (why == null && l.recurrent() && (spec.isNofM() || spec.dataAware())) {
                why = (spec.isNofM() ? "N:M pruning" : spec.criterion() + " pruning") + " is not supported for recurrent layers"
                        + " (unstructured magnitude pruning is)";
            }
            if (why == null && targets.containsKey(l.weight())) {
                why = "its weight is shared with layer '" + targets.get(l.weight()).node() + "', pruned there";
            }
            if (why != null) {
                reports.add(WeightChecks.skip(l, method, why));
                continue;
            }
            if (spec.isNofM()) {
                String bad = NofM.unsupported(l, spec.groupM());
                if (bad != null) {
                    throw new BadInputException("prune.structure " + spec.structure() + " cannot apply to layer '"
                            + l.node() + "': " + bad + ".");
                }
            }
            boolean wandaType = (l.op().equals("MatMul") || l.op().equals("Gemm")) && l.shape().length == 2
                    || l.op().equals("Conv") && (l.shape().length == 3 || l.shape().length == 4);
            if (spec.dataAware() && !inputNorms.containsKey(l.node()) && !l.graphPath().isEmpty() && wandaType) {
                unreached.add(l.node()); // its branch never ran on the calibration data: ranked by |w| in each row
            } else if (spec.dataAware() && !inputNorms.containsKey(l.node())) {
                throw new BadInputException("prune.criterion " + spec.criterion() + " needs input statistics of layer '" + l.node()
                        + "' from calibration data; this version collects them for MatMul, Gemm and 1-D or 2-D Conv layers "
                        + "only (exclude it, or prune it by magnitude in another step).");
            }
            targets.put(l.weight(), l);
        }
        Map<String, float[]> pruned = new LinkedHashMap<>();
        // per weight: zeros after pruning and the relative error, so the originals need not be kept
        Map<String, double[]> figures = new LinkedHashMap<>();
        boolean global = spec.isGlobal() && spec.sparsity() != null;
        if (global) {
            // one threshold over every selected weight: all of them at once
            targets.forEach((name, l) -> weights.put(name, load(l)));
            pruned.putAll(global(targets, weights, spec));
            weights.forEach((name, w) -> figures.put(name, figures(w, pruned.get(name))));
            weights.clear();
        }
        // each weight is replaced in the graph that holds it (a body, or an enclosing graph for an
        // outer-scope weight also read elsewhere); bodies first, the main graph last
        Map<String, List<WeightLayer>> byOwner = new LinkedHashMap<>();
        for (WeightLayer l : targets.values()) {
            String owner = l.graphPath().isEmpty() ? "" : GraphPaths.owner(model, l.graphPath(), l.weight());
            byOwner.computeIfAbsent(owner == null ? "" : owner, k -> new ArrayList<>()).add(l);
        }
        OnnxModel current = model;
        java.util.Set<String> sparse = new java.util.HashSet<>();
        for (String path : byOwner.keySet().stream().sorted((a, b) -> a.isEmpty() == b.isEmpty() ? 0 : a.isEmpty() ? 1 : -1)
                .toList()) {
            GraphEditor editor = GraphEditor.of(current, path);
            for (WeightLayer l : byOwner.get(path)) {
                float[] p = pruned.remove(l.weight());
                if (!global) {
                    // one layer at a time, handed to the editor at once: a large model's editor writes
                    // it to its spill file, so only the layer in flight is on the heap
                    float[] w = load(l);
                    p = spec.sparseGpt() ? sparseGpt(l, w, spec, inputNorms.get(l.node()))
                            : spec.dataAware() ? wanda(l, w, spec, inputNorms.get(l.node())) : perLayer(l, w, spec);
                    figures.put(l.weight(), figures(w, p));
                }
                editor.setTensor(l.weight(), l.shape(), p);
                // sparse_initializer exists in the main graph only; body weights stay dense
                if (spec.sparseStorage() && editor.isConstant(l.weight()) && path.isEmpty() && sparseIfInitializer(editor, l)) {
                    sparse.add(l.weight());
                }
            }
            current = editor.buildReleasing();
        }
        for (var e : targets.entrySet()) {
            WeightLayer l = e.getValue();
            double[] f = figures.get(e.getKey());
            long zeros = (long) f[0];
            reports.add(new LayerReport(l.node(), l.weight(), method, l.params(), l.params(), l.bytes(),
                    spec.sparseStorage() && (l.graphPath().isEmpty() || sparse.contains(l.weight())) ? sparseBytes(l.params() - zeros, l.dtype()) : l.bytes(), zeros,
                    (double) zeros / Math.max(1, l.params()), null, f[1], null, null,
                    unreached.contains(l.node()) ? "wanda without statistics: the calibration data never reached its"
                    + " branch; ranked by |w| within each output row" : null));
        }
        OnnxModel out = byOwner.isEmpty() ? GraphEditor.of(model).build() : current;
        return new TransformResult(out, new TransformReport(order(reports, selected), original.graph().fileBytes(),
                out.graph().fileBytes()));
    }

    /** A layer's weights as floats, refused when they hold NaN or infinite values. */
    private static float[] load(WeightLayer l) {
        float[] w = l.tensor().toFloatArray();
        WeightChecks.requireFinite(l, w);
        return w;
    }

    /** {zeros after, relative error} of one weight. */
    private static double[] figures(float[] before, float[] after) {
        return new double[] {WeightChecks.zeros(after), WeightChecks.relError(before, after)};
    }

    /**
     * What {@link #apply} would do with layer {@code l} under {@code spec}, without pruning: an
     * error for an already quantized weight or an N:M structure the input dimension does not
     * divide, a skip for layers it leaves alone (subgraphs, non-float weights).
     */
    public static LayerCheck check(WeightLayer l, PruneSpec spec) {
        if (l.quantized()) {
            return LayerCheck.error("its weight is already quantized");
        }
        String why = WeightChecks.unsupported(l);
        if (why == null && l.recurrent() && (spec.isChannel() || spec.isNofM() || spec.dataAware())) {
            why = (spec.isChannel() ? "channel pruning" : spec.isNofM() ? "N:M pruning" : "wanda pruning")
                    + " is not supported for recurrent layers (unstructured magnitude pruning is)";
        }
        if (why != null) {
            return LayerCheck.skip(why);
        }
        if (spec.isNofM()) {
            String bad = NofM.unsupported(l, spec.groupM());
            if (bad != null) {
                return LayerCheck.error(bad);
            }
        }
        return LayerCheck.ok();
    }

    /** Bytes of a sparse float32 tensor: 4-byte values plus 8-byte int64 linear indices. */
    static long sparseBytes(long nonZeros) {
        return nonZeros * 12;
    }

    /** Bytes of a sparse tensor whose values are of type {@code t} (float16: 2 bytes) plus int64 indices. */
    static long sparseBytes(long nonZeros, dev.whittle.core.model.DataType t) {
        return t.storageBytes(nonZeros) + 8 * nonZeros;
    }

    private static boolean sparseIfInitializer(GraphEditor editor, WeightLayer l) {
        if (l.storage() == dev.whittle.core.model.Storage.INITIALIZER || l.storage() == dev.whittle.core.model.Storage.EXTERNAL) {
            editor.writeSparse(l.weight());
            return true;
        }
        return false;
    }

    /**
     * SparseGPT on the layer's 2-D view ({@code xtx}: its input's XᵀX, a grouped Conv's per-group
     * blocks); {@code xtx} null (a body layer the calibration data never reached): by magnitude.
     */
    private static float[] sparseGpt(WeightLayer l, float[] w, PruneSpec spec, double[] xtx) {
        if (xtx == null) {
            return perLayer(l, w, spec);
        }
        boolean conv = l.op().equals("Conv") && l.shape().length > 2;
        long[] dims = conv ? new long[] {l.shape()[0], w.length / l.shape()[0]} : l.shape();
        int inAxis = conv ? 1 : NofM.inputAxis(l);
        double s = spec.isNofM() ? 0 : spec.sparsity();
        int n = spec.isNofM() ? spec.keepN() : 0;
        int m = spec.isNofM() ? spec.groupM() : 0;
        int width = (int) dims[inAxis];
        if (conv && xtx.length != (long) width * width) {
            return SparseGpt.pruneGroups(w, dims, xtx, (int) (xtx.length / ((long) width * width)), SparseGpt.DAMP, s, n, m);
        }
        return SparseGpt.prune(w, dims, inAxis, xtx, SparseGpt.DAMP, s, n, m);
    }

    /** {@code norms} null: a layer the calibration data never reached, every input weighed alike (|w| within rows). */
    private static float[] wanda(WeightLayer l, float[] w, PruneSpec spec, double[] norms) {
        float[] out = w.clone();
        if (norms == null) {
            boolean conv = l.op().equals("Conv") && l.shape().length > 2;
            norms = new double[conv ? w.length / (int) l.shape()[0] : (int) l.shape()[NofM.inputAxis(l)]];
            java.util.Arrays.fill(norms, 1.0);
        }
        int axis = NofM.inputAxis(l);
        boolean conv = l.op().equals("Conv") && l.shape().length > 2;
        // A Conv is compared within each output filter over its C/group x kh x kw inputs (its im2col row).
        long[] rows = conv ? new long[] {l.shape()[0], w.length / l.shape()[0]} : l.shape();
        float[] scores = conv ? Wanda.convScores(w, l.shape(), norms) : Wanda.scores(w, l.shape(), axis, norms);
        if (spec.isNofM()) {
            NofM.apply(out, scores, l.shape(), axis, spec.keepN(), spec.groupM());
        } else {
            Wanda.zeroSmallestPerRow(out, scores, rows, conv ? 1 : axis, (long) Math.floor(spec.sparsity() * out.length));
        }
        return out;
    }

    private static float[] perLayer(WeightLayer l, float[] w, PruneSpec spec) {
        float[] out = w.clone();
        if (spec.isNofM()) {
            NofM.apply(out, l.shape(), NofM.inputAxis(l), spec.keepN(), spec.groupM());
        } else if (spec.threshold() != null) {
            Magnitude.zeroAtMost(out, spec.threshold());
        } else {
            Magnitude.zeroSmallest(out, (int) Math.floor(spec.sparsity() * out.length));
        }
        return out;
    }

    private static Map<String, float[]> global(Map<String, WeightLayer> targets, Map<String, float[]> weights, PruneSpec spec) {
        int n = targets.size();
        float[][] sorted = new float[n][];
        long[] lo = new long[n];
        long[] hi = new long[n];
        long all = 0;
        long sumLo = 0;
        long sumHi = 0;
        int i = 0;
        for (String name : targets.keySet()) {
            float[] w = weights.get(name);
            sorted[i] = Magnitude.sortedAbs(w);
            lo[i] = spec.minSparsity() == null ? 0 : (long) Math.floor(spec.minSparsity() * w.length);
            hi[i] = spec.maxSparsity() == null ? w.length : (long) Math.floor(spec.maxSparsity() * w.length);
            all += w.length;
            sumLo += lo[i];
            sumHi += hi[i];
            i++;
        }
        long total = (long) Math.floor(spec.sparsity() * all);
        if (total < sumLo || total > sumHi) {
            throw new BadInputException("prune: a global sparsity of " + spec.sparsity() + " (" + total + " of " + all
                    + " weights) cannot be reached with per-layer " + (total < sumLo ? "minSparsity " + spec.minSparsity()
                    : "maxSparsity " + spec.maxSparsity()) + ".");
        }
        long[] k = Magnitude.globalCounts(sorted, lo, hi, total);
        Map<String, float[]> out = new LinkedHashMap<>();
        i = 0;
        for (String name : targets.keySet()) {
            float[] w = weights.get(name).clone();
            Magnitude.zeroSmallest(w, (int) k[i++]);
            out.put(name, w);
        }
        return out;
    }

    /** Reports in the selection's (model) order. */
    static List<LayerReport> order(List<LayerReport> reports, List<WeightLayer> selected) {
        List<LayerReport> out = new ArrayList<>();
        for (WeightLayer l : selected) {
            reports.stream().filter(r -> r.node().equals(l.node())).forEach(out::add);
        }
        reports.stream().filter(r -> !out.contains(r)).forEach(out::add);
        return out;
    }

    /**
     * Zeroes {@code w} (the weight of {@code l}, row-major in its shape) to N:M along the
     * layer's input axis in place, exactly as a prune step does: for previews that compose the
     * methods on one layer without writing a model.
     */
    /** Why N:M with groups of {@code m} cannot apply to {@code l}, or null. */
    public static String nOfMUnsupported(WeightLayer l, int m) {
        return NofM.unsupported(l, m);
    }

    /** The axis along which N:M groups run (the layer's input axis). */
    public static int nOfMAxis(WeightLayer l) {
        return NofM.inputAxis(l);
    }

    public static void nOfM(WeightLayer l, float[] w, int keep, int m) {
        NofM.apply(w, l.shape(), NofM.inputAxis(l), keep, m);
    }
}
