package dev.whittle.core.plan;

import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.GraphEditor;
import dev.whittle.core.onnx.GraphNode;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.preview.PreviewCache;
import dev.whittle.core.preview.RankPreview;
import dev.whittle.core.preview.Spectrum;
import dev.whittle.core.prune.ChannelImpact;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** What the totals need to know about a model, gathered once: positions, biases, channel impacts. */
final class ModelFacts {
    /** Per layer: where it is applied and what comes with it. */
    record LayerInfo(WeightLayer layer, long positions, boolean guessed, long biasParams, long biasBytes, int elementBytes) {
    }

    private final OnnxModel model;
    private final int sequenceLength;
    private final Map<String, LayerInfo> layers;
    private final Map<String, ChannelImpact> impacts = new HashMap<>();
    private final Map<Integer, long[]> upgrades = new java.util.concurrent.ConcurrentHashMap<>();

    private ModelFacts(OnnxModel model, int sequenceLength, Map<String, LayerInfo> layers) {
        this.model = model;
        this.sequenceLength = sequenceLength;
        this.layers = layers;
    }

    static ModelFacts of(OnnxModel model, int sequenceLength) {
        if (sequenceLength < 1) {
            throw new dev.whittle.core.BadInputException("sequence length must be at least 1, got " + sequenceLength + ".");
        }
        ModelGraph g = model.graph();
        GraphEditor ed = GraphEditor.of(model);
        Map<String, long[]> shapes = ShapeWalk.run(ed, g.inputs(), sequenceLength);
        boolean dynamic = g.inputs().stream().anyMatch(v -> v.shape() != null
                && v.shape().stream().skip(1).anyMatch(d -> !d.isFixed()));
        Map<String, LayerInfo> out = new LinkedHashMap<>();
        for (WeightLayer l : g.weightLayers()) {
            int index = ed.nodeIndex(l.node()).orElse(-1);
            GraphNode n = index < 0 || !l.graphPath().isEmpty() ? null : ed.node(index);
            long positions = -1;
            long biasParams = 0;
            long biasBytes = 0;
            if (n != null) {
                positions = positions(n, shapes);
                if ((n.op().equals("Conv") || n.op().equals("Gemm")) && n.inputs().size() > 2 && ed.isConstant(n.input(2))) {
                    var bias = ed.tensor(n.input(2));
                    biasParams = bias.count();
                    biasBytes = bias.bytes();
                }
            }
            boolean guessed = positions < 0;
            if (guessed) {
                positions = l.op().equals("MatMul") && dynamic ? sequenceLength : 1;
            }
            int eb = l.params() == 0 ? 4 : (int) Math.max(1, l.bytes() / l.params());
            out.put(l.node(), new LayerInfo(l, positions, guessed, biasParams, biasBytes, eb));
        }
        return new ModelFacts(model, sequenceLength, out);
    }

    /** How many times each weight element is multiplied for one sample, or -1 when unknown. */
    private static long positions(GraphNode n, Map<String, long[]> shapes) {
        switch (n.op()) {
            case "Conv": {
                long[] y = shapes.get(n.outputs().get(0));
                if (y == null) {
                    return -1;
                }
                long p = 1;
                for (int i = 2; i < y.length; i++) {
                    p *= y[i];
                }
                return p * Math.max(1, y[0]);
            }
            case "MatMul":
            case "Gemm": {
                long[] x = shapes.get(n.input(0));
                if (x == null || x.length < 1) {
                    return -1;
                }
                if (n.op().equals("Gemm")) {
                    return n.intAttr("transA", 0) == 1 ? x[1] : x[0];
                }
                long p = 1;
                for (int i = 0; i < x.length - 1; i++) {
                    p *= x[i];
                }
                return p;
            }
            default:
                return -1;
        }
    }

    int sequenceLength() {
        return sequenceLength;
    }

    LayerInfo info(String node) {
        return layers.get(node);
    }

    /** The channel impact of one layer, computed on first use (a graph walk) and kept. */
    synchronized ChannelImpact impact(String node) {
        return impacts.computeIfAbsent(node, k -> ChannelImpact.of(model, k));
    }

    Totals estimate(ResolvedPlan plan, PreviewCache cache) {
        Map<String, Double> inKeep = new HashMap<>();
        Map<String, Double> outKeep = new HashMap<>();
        Map<String, String> notes = new HashMap<>();
        for (ResolvedPlan.Effective e : plan.layers().values()) {
            if (e.prune() != null && e.prune().isChannel()) {
                String node = e.layer().node();
                ChannelImpact ci = impact(node);
                if (ci.blocked() != null) {
                    notes.put(node, "channels stay: " + ci.blocked());
                    continue;
                }
                long c = e.layer().outputChannels();
                double keep = c == 0 ? 1 : (c - Math.floor(e.prune().sparsity() * c)) / c;
                outKeep.put(node, keep);
                for (String s : ci.shrinking()) {
                    inKeep.merge(s, keep, (a, b) -> a * b);
                }
            }
        }
        Figures before = Figures.ZERO;
        Figures after = Figures.ZERO;
        Map<String, Totals.Layer> rows = new LinkedHashMap<>();
        Set<String> seen = new LinkedHashSet<>();
        for (ResolvedPlan.Effective e : plan.layers().values()) {
            LayerInfo info = layers.get(e.layer().node());
            if (info == null || !seen.add(e.layer().weight() + "\u0000" + e.layer().node())) {
                continue;
            }
            LayerEstimate.Result r = LayerEstimate.of(info, e, inKeep.getOrDefault(e.layer().node(), 1.0),
                    outKeep.getOrDefault(e.layer().node(), 1.0), spectrum(cache, e),
                    cache == null ? null : cache.peekFacts(e.layer().node()).orElse(null));
            String note = notes.containsKey(e.layer().node()) ? notes.get(e.layer().node()) : r.note();
            if (note == null && info.guessed()) {
                note = "MACs at " + info.positions() + " positions (shape not inferred)";
            }
            rows.put(e.layer().node(), new Totals.Layer(e.layer().node(), r.before(), r.after(), note));
            before = before.plus(r.before());
            after = after.plus(r.after());
        }
        ModelGraph g = plan.model();
        long quantData = dev.whittle.core.recipe.QuantData.elements(g);
        Figures whole = new Figures(g.params() - quantData, g.fileBytes(), before.macs(), quantData);
        Figures stamp = new Figures(0, stampBytes(plan), 0);
        return new Totals(whole, whole.plus(after.minus(before)).plus(stamp).plus(upgrade(plan)), rows);
    }

    /**
     * What the written model's record of how it was made adds to the file (ModelStamp: the
     * recipe's canonical copy and its sha256, Whittle as producer, the source's producer kept
     * under source.producer). A few bytes of protobuf framing are approximated.
     */
    /**
     * What the opset upgrade that quantization may need adds (attributes such as ReduceMean's axes
     * become constant inputs): int4 or blocked QDQ needs opset 21, half-precision scales 19.
     */
    private Figures upgrade(ResolvedPlan plan) {
        int target = 0;
        for (ResolvedPlan.Effective e : plan.layers().values()) {
            if (e.quantize() == null || e.quantize().weights() == null) {
                continue;
            }
            var w = e.quantize().weights();
            var f = e.quantize().formatOrDefault();
            boolean nbits = f == dev.whittle.core.quant.QuantFormat.MATMULNBITS && e.layer().op().equals("MatMul");
            if (!nbits && (w.bits() == 4 || (w.granularity() == dev.whittle.core.quant.Granularity.BLOCK
                    && f != dev.whittle.core.quant.QuantFormat.DYNAMIC))) {
                target = 21;
                break;
            }
            if (!nbits && e.layer().dtype() != dev.whittle.core.model.DataType.FLOAT) {
                target = 19;
            }
        }
        if (target == 0) {
            return Figures.ZERO;
        }
        long[] a = upgrades.computeIfAbsent(target, t -> dev.whittle.core.onnx.OpsetUpgrade.added(model, t));
        return new Figures(a[0], a[1], 0);
    }

    private static long stampBytes(ResolvedPlan plan) {
        if (plan.plan().isEmpty()) {
            return 0;
        }
        String json;
        try {
            json = dev.whittle.core.recipe.RecipeWriter.canonicalJson(PlanRecipes.toRecipe(plan.plan(), plan.model(), null));
        } catch (dev.whittle.core.WhittleException e) {
            return 0;
        }
        ModelGraph g = plan.model();
        long bytes = json.length() + 64 + dev.whittle.core.recipe.ModelStamp.RECIPE_KEY.length()
                + dev.whittle.core.recipe.ModelStamp.RECIPE_SHA_KEY.length() + 12;
        String producer = (g.producer() + " " + g.producerVersion()).trim();
        if (!g.producer().equals("whittle") && !producer.isEmpty()) {
            bytes += "source.producer".length() + producer.length() + 6;
        }
        String old = g.metadata().get(dev.whittle.core.recipe.ModelStamp.RECIPE_KEY);
        if (old != null) {
            bytes -= old.length() + 64 + 12 + dev.whittle.core.recipe.ModelStamp.RECIPE_KEY.length()
                    + dev.whittle.core.recipe.ModelStamp.RECIPE_SHA_KEY.length();
        }
        return bytes + "whittle".length() + dev.whittle.core.WhittleVersion.get().length()
                - g.producer().length() - g.producerVersion().length();
    }

    private static Spectrum spectrum(PreviewCache cache, ResolvedPlan.Effective e) {
        if (cache == null || e.lowrank() == null || e.lowrank().energy() == null) {
            return null;
        }
        return cache.peekSpectrum(e.layer().node(), e.lowrank().method()).orElse(null);
    }

    static int rankFor(Spectrum s, dev.whittle.core.lowrank.LowRankSpec spec) {
        return RankPreview.rankFor(s, spec);
    }
}
