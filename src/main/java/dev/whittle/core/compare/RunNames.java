package dev.whittle.core.compare;

import dev.whittle.core.lowrank.LowRankSpec;
import dev.whittle.core.plan.ResolvedPlan;
import dev.whittle.core.prune.PruneSpec;
import dev.whittle.core.quant.Granularity;
import dev.whittle.core.quant.WeightSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Words for what a plan does: per layer ("prune 50%, rank 32, int8 channel") and for a whole
 * plan, an automatic run name that groups layers with the same settings ("int8 channel x6 +
 * fc1 rank 32"), shortest groups named by their layer.
 */
public final class RunNames {
    /** Names longer than this are cut, with the number of groups left out. */
    static final int MAX_PARTS = 3;

    private RunNames() {
    }

    /** The settings in effect on a layer, or "" when it is untouched. */
    public static String layer(ResolvedPlan.Effective e) {
        List<String> parts = new ArrayList<>();
        if (e.prune() != null) {
            parts.add(prune(e.prune()));
        }
        if (e.lowrank() != null) {
            parts.add(lowrank(e.lowrank()));
        }
        WeightSpec w = e.quantize() == null ? null : e.quantize().weights();
        if (w != null) {
            parts.add("int" + w.bits() + (w.symmetric() ? "" : " asym") + " "
                    + (w.granularity() == Granularity.BLOCK ? "block" + w.block() : w.granularity().key()));
        } else if (e.quantize() != null && e.quantize().activations() != null) {
            parts.add("activations int" + e.quantize().activations().bits());
        }
        return String.join(", ", parts);
    }

    /** An automatic name for the plan: "original" when it does nothing. */
    public static String plan(ResolvedPlan r) {
        Map<String, List<String>> groups = new LinkedHashMap<>();
        for (ResolvedPlan.Effective e : r.layers().values()) {
            String s = layer(e);
            if (!s.isEmpty()) {
                groups.computeIfAbsent(s, k -> new ArrayList<>()).add(e.layer().node());
            }
        }
        if (groups.isEmpty()) {
            return "original";
        }
        List<Map.Entry<String, List<String>>> sorted = new ArrayList<>(groups.entrySet());
        sorted.sort((a, b) -> b.getValue().size() - a.getValue().size());
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < Math.min(MAX_PARTS, sorted.size()); i++) {
            var g = sorted.get(i);
            int n = g.getValue().size();
            parts.add(n == 1 ? shortName(g.getValue().get(0)) + " " + g.getKey()
                    : g.getKey() + " x" + n + (n == r.layers().size() ? " (all)" : ""));
        }
        String name = String.join(" + ", parts);
        return sorted.size() > MAX_PARTS ? name + " + " + (sorted.size() - MAX_PARTS) + " more" : name;
    }

    /** The last part of a node path: "/encoder/layer.0/attention/self/query/MatMul" -> "query/MatMul". */
    static String shortName(String node) {
        String[] p = node.split("/");
        List<String> parts = new ArrayList<>();
        for (String s : p) {
            if (!s.isEmpty()) {
                parts.add(s);
            }
        }
        if (parts.size() <= 2) {
            return String.join("/", parts);
        }
        return parts.get(parts.size() - 2) + "/" + parts.get(parts.size() - 1);
    }

    static String prune(PruneSpec p) {
        if (p.isNofM()) {
            return "prune " + p.structure();
        }
        String amount = p.threshold() != null ? "|w|<" + p.threshold() : pct(p.sparsity());
        return "prune " + (p.isChannel() ? "channels " : p.isGlobal() ? "global " : "") + amount;
    }

    static String lowrank(LowRankSpec l) {
        return l.rank() != null ? "rank " + l.rank() : l.energy() != null ? "rank at " + pct(l.energy()) + " energy"
                : "rank at " + pct(l.params()) + " params";
    }

    static String pct(double f) {
        double p = f * 100;
        return Math.abs(p - Math.rint(p)) < 1e-9 ? String.format(Locale.ROOT, "%.0f%%", p) : String.format(Locale.ROOT, "%.1f%%", p);
    }
}
