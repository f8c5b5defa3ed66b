package dev.whittle.core.prune;

import dev.whittle.core.BadInputException;

import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.GraphEditor;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.transform.Bodies;
import dev.whittle.core.transform.LayerReport;
import dev.whittle.core.transform.TransformReport;
import dev.whittle.core.transform.TransformResult;
import dev.whittle.core.transform.WeightChecks;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Structured pruning: removes whole output channels (Conv filters, Gemm/MatMul output
 * neurons), ranked by the L1 or L2 norm of their weights (summed over layers that must share
 * one channel set), together with everything that reads them, so the written model is
 * physically smaller and its outputs keep their shapes. Per channel group, exactly
 * floor(s x C) channels go, lowest norm first, ties by position.
 */
final class ChannelPruner {
    private static final String METHOD = "prune channel";

    private ChannelPruner() {
    }

    static TransformResult apply(OnnxModel model, List<WeightLayer> selected, PruneSpec spec) {
        return apply(model, selected, spec, Map.of());
    }

    /** {@code activity}: per node, mean |output| per output channel (for {@code criterion: activation}). */
    static TransformResult apply(OnnxModel model, List<WeightLayer> selected, PruneSpec spec, Map<String, double[]> activity) {
        return apply(model, selected, spec, activity, new HashMap<>());
    }

    /**
     * As above; {@code keptOutputs} receives, per layer whose output channels were cut, the
     * original indices of the channels it keeps, in order (a refit needs each kept channel's
     * original output).
     */
    static TransformResult apply(OnnxModel model, List<WeightLayer> selected, PruneSpec spec, Map<String, double[]> activity,
                                 Map<String, int[]> keptOutputs) {
        List<LayerReport> reports = new ArrayList<>();
        OnnxModel current = Bodies.prepare(model, selected);
        // one graph at a time (bodies first, the main graph last): a channel set never leaves its
        // graph; a layer whose channels cross a body's boundary is skipped with the reason
        for (var e : Bodies.byGraph(Bodies.relocate(current, selected)).entrySet()) {
            current = apply(current, e.getKey(), e.getValue(), spec, activity, reports, keptOutputs);
        }
        OnnxModel out = current == model ? GraphEditor.of(model).build() : current;
        return new TransformResult(out, new TransformReport(Pruner.order(reports, selected), model.graph().fileBytes(),
                out.graph().fileBytes()));
    }

    private static OnnxModel apply(OnnxModel model, String path, List<WeightLayer> selected, PruneSpec spec,
                                   Map<String, double[]> activity, List<LayerReport> reports,
                                   Map<String, int[]> keptOutputs) {
        GraphEditor ed = GraphEditor.of(model, path);
        Map<String, WeightLayer> layers = new LinkedHashMap<>();
        model.graph().weightLayers().stream().filter(l -> l.graphPath().equals(path) && !l.recurrent())
                .forEach(l -> layers.put(l.node(), l));
        Set<String> eligible = new HashSet<>();
        for (WeightLayer l : selected) {
            String why = WeightChecks.unsupported(l);
            if (why == null) {
                why = WeightChecks.recurrent(l, "channel pruning");
            }
            if (why == null && !Set.of("Conv", "Gemm", "MatMul").contains(l.op())) {
                why = l.op() + " layers have no output channels to remove (supported: Conv, Gemm, MatMul)";
            }
            if (why != null) {
                reports.add(WeightChecks.skip(l, METHOD, why));
            } else {
                WeightChecks.requireFinite(l, l.tensor().toFloatArray());
                eligible.add(l.node());
            }
        }
        ChannelAnalysis a = new ChannelAnalysis(ed, layers, eligible).run();
        Map<Integer, int[]> kept = rank(a, spec, activity);
        Map<String, Map<Integer, int[]>> cuts = new LinkedHashMap<>();
        Map<String, String> renamed = new HashMap<>();
        for (ChannelAnalysis.Slice s : a.slices) {
            int[] keep = indices(a, s.layout(), kept);
            if (keep == null) {
                continue;
            }
            WeightLayer sliced = layers.get(ed.node(s.node()).name());
            if (sliced != null && s.constant().equals(sliced.weight()) && s.axis() == sliced.axis()) {
                keptOutputs.put(sliced.node(), keep);
            }
            String target = s.constant();
            if (ed.uses(target).size() > 1) {
                String key = s.node() + ":" + s.slot();
                target = renamed.computeIfAbsent(key, k -> ed.addTensor(s.constant() + "_pruned", ed.dims(s.constant()),
                        ed.floats(s.constant()), ed.floatType(s.constant())));
                ed.setInput(s.node(), s.slot(), target);
            }
            cuts.computeIfAbsent(target, k -> new HashMap<>()).put(s.axis(), keep);
        }
        Map<String, float[]> originals = new HashMap<>();
        for (var e : cuts.entrySet()) {
            long[] dims = ed.dims(e.getKey());
            float[] values = ed.floats(e.getKey());
            originals.put(e.getKey(), values);
            ed.setTensor(e.getKey(), Slicing.dims(dims, e.getValue()), Slicing.slice(values, dims, e.getValue()));
        }
        for (ChannelAnalysis.ShapeFix f : a.shapeFixes) {
            int[] keep = indices(a, f.layout(), kept);
            if (keep != null) {
                String name = ed.addInt64Tensor(ed.node(f.node()).input(1) + "_pruned", new long[] {f.first(), keep.length});
                ed.setInput(f.node(), 1, name);
            }
        }
        a.groupFixes.forEach((node, layout) -> {
            int[] keep = indices(a, layout, kept);
            if (keep != null) {
                ed.setAttr(node, "group", keep.length);
            }
        });
        ed.clearValueInfo();
        OnnxModel out = ed.build();
        reports.addAll(reports(a, selected, layers, eligible, cuts, originals, kept, out));
        return out;
    }

    /** Kept channel indices per unblocked root space. */
    private static Map<Integer, int[]> rank(ChannelAnalysis a, PruneSpec spec, Map<String, double[]> activity) {
        Map<Integer, double[]> scores = new LinkedHashMap<>();
        for (ChannelAnalysis.Space s : a.spaces) {
            int root = a.root(s.id);
            if (a.spaces.get(root).blocked != null) {
                continue;
            }
            double[] norms = spec.criterion().equals("activation") ? activity.get(s.layer.node())
                    : norms(s.layer, spec.criterion().equals("l2"));
            if (norms == null || norms.length != s.channels) {
                throw new BadInputException("prune.criterion activation needs the output activity of layer '" + s.layer.node()
                        + "' from calibration data; this version collects it for MatMul, Gemm and 1-D or 2-D Conv layers only.");
            }
            double[] acc = scores.computeIfAbsent(root, k -> new double[s.channels]);
            for (int c = 0; c < acc.length; c++) {
                acc[c] += norms[c];
            }
        }
        Map<Integer, int[]> kept = new HashMap<>();
        scores.forEach((root, score) -> {
            int c = score.length;
            int remove = (int) Math.floor(spec.sparsity() * c);
            Integer[] order = new Integer[c];
            for (int i = 0; i < c; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (x, y) -> score[x] != score[y] ? Double.compare(score[x], score[y]) : Integer.compare(x, y));
            int[] keep = new int[c - remove];
            for (int i = remove; i < c; i++) {
                keep[i - remove] = order[i];
            }
            Arrays.sort(keep);
            kept.put(root, keep);
        });
        return kept;
    }

    /** Per output channel: L1 norm, or squared L2 norm (so that sums over a group stay squared L2). */
    private static double[] norms(WeightLayer l, boolean l2) {
        float[] w = l.tensor().toFloatArray();
        long[] d = l.shape();
        int axis = l.axis();
        int c = (int) d[axis];
        int stride = 1;
        for (int k = axis + 1; k < d.length; k++) {
            stride *= (int) d[k];
        }
        double[] out = new double[c];
        for (int i = 0; i < w.length; i++) {
            int ch = (i / stride) % c;
            out[ch] += l2 ? (double) w[i] * w[i] : Math.abs(w[i]);
        }
        return out;
    }

    /** Indices kept along an axis laid out as {@code l}, or null when nothing is removed there. */
    private static int[] indices(ChannelAnalysis a, Layout l, Map<Integer, int[]> kept) {
        int per = Math.max(1, l.perChannel());
        List<Integer> out = new ArrayList<>();
        boolean cut = false;
        int offset = 0;
        for (Layout.Seg s : l.segs()) {
            int[] keep = s.space() >= 0 ? kept.get(a.root(s.space())) : null;
            if (keep == null || keep.length == s.channels()) {
                for (int c = 0; c < s.channels() * per; c++) {
                    out.add(offset + c);
                }
            } else {
                cut = true;
                for (int c : keep) {
                    for (int f = 0; f < per; f++) {
                        out.add(offset + c * per + f);
                    }
                }
            }
            offset += s.channels() * per;
        }
        return cut ? out.stream().mapToInt(Integer::intValue).toArray() : null;
    }

    private static List<LayerReport> reports(ChannelAnalysis a, List<WeightLayer> selected, Map<String, WeightLayer> layers,
                                             Set<String> eligible, Map<String, Map<Integer, int[]>> cuts,
                                             Map<String, float[]> originals, Map<Integer, int[]> kept, OnnxModel out) {
        List<LayerReport> reports = new ArrayList<>();
        Map<String, ChannelAnalysis.Space> byNode = new HashMap<>();
        a.spaces.forEach(s -> byNode.put(s.layer.node(), s));
        Set<String> reported = new HashSet<>();
        for (WeightLayer l : selected) {
            if (!eligible.contains(l.node())) {
                continue;
            }
            reported.add(l.node());
            ChannelAnalysis.Space s = byNode.get(l.node());
            String blocked = s == null ? "it was not reached" : a.spaces.get(a.root(s.id)).blocked;
            if (blocked != null && !cuts.containsKey(l.weight())) {
                reports.add(WeightChecks.skip(l, METHOD, "output channels kept: " + blocked));
                continue;
            }
            int[] keep = blocked == null ? kept.get(a.root(s.id)) : null;
            String channels = (keep == null ? l.outputChannels() : keep.length) + "/" + l.outputChannels();
            if (blocked != null) {
                // Its own channels stay, but the channels removed upstream took its inputs with them: changed, not skipped.
                LayerReport r = report(l, cuts, originals, out, null, null);
                reports.add(new LayerReport(r.node(), r.weight(), r.method(), r.paramsBefore(), r.paramsAfter(), r.bytesBefore(),
                        r.bytesAfter(), r.zeros(), r.sparsity(), null, r.relError(), null, channels, null,
                        "inputs shrank with the channels removed upstream; output channels kept: " + blocked));
                continue;
            }
            reports.add(report(l, cuts, originals, out, channels, null));
        }
        for (WeightLayer l : layers.values()) {
            if (!reported.contains(l.node()) && cuts.containsKey(l.weight())) {
                reports.add(report(l, cuts, originals, out, null, null));
            }
        }
        return reports;
    }

    private static LayerReport report(WeightLayer l, Map<String, Map<Integer, int[]>> cuts, Map<String, float[]> originals,
                                      OnnxModel out, String channels, String note) {
        float[] before = originals.containsKey(l.weight()) ? originals.get(l.weight()) : l.tensor().toFloatArray();
        float[] after = out.graph().constant(l.weight()).map(t -> t.toFloatArray()).orElse(before);
        double all = 0;
        double keptEnergy = 0;
        for (float v : before) {
            all += (double) v * v;
        }
        for (float v : after) {
            keptEnergy += (double) v * v;
        }
        double rel = all == 0 ? 0 : Math.sqrt(Math.max(0, 1 - keptEnergy / all));
        long zeros = WeightChecks.zeros(after);
        String method = channels == null ? METHOD + " (inputs of removed channels)" : METHOD;
        return new LayerReport(l.node(), l.weight(), method, l.params(), after.length, l.bytes(),
                l.dtype().storageBytes(after.length), zeros, after.length == 0 ? 0 : (double) zeros / after.length, null, rel, null,
                channels, note);
    }
}
