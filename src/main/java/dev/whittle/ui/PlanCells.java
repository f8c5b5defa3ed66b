package dev.whittle.ui;

import dev.whittle.core.BadInputException;
import dev.whittle.core.lowrank.LowRankSpec;
import dev.whittle.core.plan.ResolvedPlan;
import dev.whittle.core.prune.PruneSpec;
import dev.whittle.core.quant.Granularity;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.quant.RangeSpec;
import dev.whittle.core.quant.WeightSpec;
import java.util.Locale;

/**
 * The plan columns' text and what typing into them means. Prune: "50%" or "0.5" (unstructured
 * sparsity), "t0.01" (threshold), "2:4", "ch 30%" (channels); Rank: a number, "E 90%" (energy kept) or "P 50%" (parameters
 * kept), then "w" (whitened) and "+refit"; Bits: 8 or 4;
 * Granularity: tensor, channel or block32; Range: minmax, mse, p99.9 or lo..hi. An empty cell
 * means "no such setting on this layer". Pure functions: tested without the toolkit.
 */
final class PlanCells {
    private PlanCells() {
    }

    static String prune(ResolvedPlan.Effective e) {
        String p = prune(e == null ? null : e.prune());
        return p.isEmpty() || !e.reconstructs() ? p : p + " " + REFIT;
    }

    /** The Prune and Rank cells' word for {@code reconstruct}. */
    static final String REFIT = "+refit";
    private static final java.util.Set<String> CRITERIA = java.util.Set.of("magnitude", "wanda", "sparsegpt", "l1", "l2", "activation");

    /** "50%", "t0.01", "2:4", "ch 30%", followed by the criterion when it is not the structure's default. */
    static String prune(PruneSpec p) {
        if (p == null) {
            return "";
        }
        String c = p.criterion();
        String crit = c.equals("l1") || c.equals("magnitude") ? "" : " " + c;
        if (p.isNofM()) {
            return p.structure() + crit;
        }
        String s = p.threshold() != null ? "t" + Format.number(p.threshold()) : pct(p.sparsity());
        return (p.isChannel() ? "ch " : p.isGlobal() ? "global " : "") + s + crit;
    }

    /** Whether a typed Prune cell asks for the refit ({@code +refit}). */
    static boolean refit(String text) {
        return text != null && java.util.Arrays.asList(text.trim().toLowerCase(Locale.ROOT).split("\\s+")).stream()
                .anyMatch(w -> w.equals(REFIT) || w.equals("refit"));
    }

    /** Short percentages for narrow cells: 60%, 12.5%. */
    static String pct(double f) {
        double p = f * 100;
        return Math.abs(p - Math.rint(p)) < 1e-9 ? String.format(Locale.ROOT, "%.0f%%", p)
                : String.format(Locale.ROOT, "%.1f%%", p);
    }

    /** The Rank cell: the rank, then "w" when whitened and "+refit" when the factors are refit. */
    static String rank(ResolvedPlan.Effective e) {
        String r = rank(e == null ? null : e.lowrank());
        if (r.isEmpty()) {
            return r;
        }
        return r + (e.lowrank().whiten() ? " " + WHITEN : "") + (e.lowrankReconstructs() ? " " + REFIT : "");
    }

    /** The Rank cell's word for {@code whiten}. */
    static final String WHITEN = "w";

    /** A typed Rank cell: "96", "E 90%" or "P 50%", then "w" (or "whiten") and "+refit" in any order. */
    static LowRankSpec parseRankCell(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder base = new StringBuilder();
        boolean whiten = false;
        for (String w : text.trim().split("\\s+")) {
            String l = w.toLowerCase(Locale.ROOT);
            if (l.equals(WHITEN) || l.equals("whiten") || l.equals("whitened")) {
                whiten = true;
            } else if (!l.equals(REFIT) && !l.equals("refit")) {
                base.append(base.length() == 0 ? "" : " ").append(w);
            }
        }
        LowRankSpec r = parseRank(base.toString());
        return r == null ? null : r.withWhiten(whiten);
    }

    static String rank(LowRankSpec l) {
        if (l == null) {
            return "";
        }
        return l.rank() != null ? String.valueOf(l.rank()) : l.energy() != null ? "E " + pct(l.energy())
                : "P " + pct(l.params());
    }

    static WeightSpec weights(ResolvedPlan.Effective e) {
        return e == null || e.quantize() == null ? null : e.quantize().weights();
    }

    static String bits(ResolvedPlan.Effective e) {
        return bits(weights(e));
    }

    static String bits(WeightSpec w) {
        return w == null ? "" : "int" + w.bits() + (w.symmetric() ? "" : " asym") + (w.gptq() ? " gptq" : "")
                + (w.biasCorrection() ? " +bias" : "");
    }

    static String granularity(ResolvedPlan.Effective e) {
        return granularity(weights(e));
    }

    static String granularity(WeightSpec w) {
        return w == null ? "" : w.granularity() == Granularity.BLOCK ? "block" + w.block() : w.granularity().key();
    }

    static String range(ResolvedPlan.Effective e) {
        return range(weights(e));
    }

    static String range(WeightSpec w) {
        if (w == null) {
            return "";
        }
        if (w.range() instanceof RangeSpec.Explicit x) {
            return Format.number(x.lo()) + ".." + Format.number(x.hi());
        }
        return String.valueOf(w.range());
    }

    /** Parses a Prune cell; null for an empty one. */
    static PruneSpec parsePrune(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        String criterion = null;
        StringBuilder rest = new StringBuilder();
        for (String w : t.split("\\s+")) {
            if (CRITERIA.contains(w)) {
                criterion = w;
            } else if (!w.equals(REFIT) && !w.equals("refit")) {
                rest.append(rest.length() == 0 ? "" : " ").append(w);
            }
        }
        t = rest.toString();
        if (t.isEmpty()) {
            if (criterion != null) {
                throw new BadInputException("Prune needs an amount before the criterion, such as 50% " + criterion + ".");
            }
            return null;
        }
        PruneSpec p = parsePruneAmount(t);
        if (criterion == null) {
            return p;
        }
        return new PruneSpec(p.sparsity(), p.threshold(), p.structure(), p.scope(), criterion, p.minSparsity(),
                p.maxSparsity(), p.storage());
    }

    private static PruneSpec parsePruneAmount(String t) {
        if (t.matches("\\d+:\\d+")) {
            String[] nm = t.split(":");
            return PruneSpec.nOfM(Integer.parseInt(nm[0]), Integer.parseInt(nm[1]));
        }
        if (t.startsWith("t")) {
            return PruneSpec.threshold(number(t.substring(1), "prune threshold"));
        }
        if (t.startsWith("ch")) {
            return PruneSpec.channel(fraction(t.substring(2)), "l1");
        }
        return PruneSpec.sparsity(fraction(t));
    }

    static LowRankSpec parseRank(String text) {
        String t = text == null ? "" : text.trim();
        if (t.isEmpty()) {
            return null;
        }
        String u = t.toUpperCase(Locale.ROOT);
        if (u.startsWith("E") || u.startsWith("P")) {
            // "E 90%": the rank keeping 90% of the energy; "P 50%": half the parameters (as the cell shows them)
            double f = fraction(t.substring(1));
            return u.startsWith("E") ? LowRankSpec.energy(f) : LowRankSpec.params(f);
        }
        try {
            return LowRankSpec.rank(Integer.parseInt(t));
        } catch (NumberFormatException e) {
            throw new BadInputException("Rank must be a whole number such as 64, or E 90% (energy kept) or P 50%"
                    + " (parameters kept), got '" + t + "'.");
        }
    }

    /** A new bits setting over the layer's current weights spec (or the defaults: symmetric, per channel, min-max). */
    static QuantizeSpec withBits(WeightSpec current, String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT).replace("int", "");
        if (t.isEmpty()) {
            return null;
        }
        boolean asym = t.contains("asym");
        boolean gptq = t.contains("gptq");
        boolean bias = t.contains("bias");
        int bits = (int) number(t.replace("asym", "").replace("gptq", "").replace("+bias", "").replace("bias", "").trim(),
                "bits");
        WeightSpec base = current != null ? current : WeightSpec.of(bits, Granularity.CHANNEL);
        // The rounding and bias correction are what the cell says (it shows them when they are on).
        return QuantizeSpec.weights(new WeightSpec(bits, current == null ? !asym : asym ? false : base.symmetric(),
                base.granularity(), base.block(), base.range(), null, gptq, bias));
    }

    static QuantizeSpec withGranularity(WeightSpec current, String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        WeightSpec base = current != null ? current : WeightSpec.of(8, Granularity.CHANNEL);
        if (t.startsWith("block")) {
            String n = t.substring(5).trim();
            int block = n.isEmpty() ? 32 : (int) number(n, "block size");
            return QuantizeSpec.weights(new WeightSpec(base.bits(), base.symmetric(), Granularity.BLOCK, block, base.range(),
                    null, base.gptq(), base.biasCorrection()));
        }
        Granularity g = Granularity.parse("granularity", t);
        return QuantizeSpec.weights(new WeightSpec(base.bits(), base.symmetric(), g, 0, base.range(), null, base.gptq(),
                base.biasCorrection()));
    }

    static QuantizeSpec withRange(WeightSpec current, String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        WeightSpec base = current != null ? current : WeightSpec.of(8, Granularity.CHANNEL);
        RangeSpec r;
        if (t.isEmpty() || t.equals("minmax")) {
            r = RangeSpec.MINMAX;
        } else if (t.equals("mse")) {
            r = RangeSpec.MSE;
        } else if (t.startsWith("p") || t.startsWith("percentile")) {
            r = new RangeSpec.Percentile(number(t.replace("percentile", "").replace("p", "").replace(":", ""), "percentile"));
        } else if (t.contains("..")) {
            String[] ab = t.split("\\.\\.", 2);
            r = new RangeSpec.Explicit(number(ab[0], "range low end"), number(ab[1], "range high end"));
        } else {
            throw new BadInputException("Range must be minmax, mse, p99.9 or lo..hi such as -0.5..0.5, got '" + text + "'.");
        }
        return QuantizeSpec.weights(base.withRange(r));
    }

    private static double fraction(String s) {
        String t = s.trim();
        boolean pct = t.endsWith("%");
        double v = number(pct ? t.substring(0, t.length() - 1) : t, "sparsity");
        return pct || v >= 1 ? v / 100 : v;
    }

    private static double number(String s, String what) {
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new BadInputException("The " + what + " must be a number, got '" + s.trim() + "'.");
        }
    }
}
