package dev.whittle.core.plan;

import dev.whittle.core.BadInputException;
import dev.whittle.core.lowrank.LowRankSpec;
import dev.whittle.core.prune.PruneSpec;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.recipe.RecipePlan.Setting;
import java.util.EnumSet;
import java.util.Set;

/**
 * What the user tuned by hand on one layer, over what the plan's rules give it. Each setting is
 * in one of three states: inherited from the rules (null and not in {@code off}), set here (not
 * null), or switched off here (in {@code off}: the layer gets no such setting whatever the rules
 * say). Immutable; the "with" methods return a changed copy.
 *
 * <p>{@code quantize} may leave parts null (for example only {@code weights}): the rules' other
 * parts (activations, format) then still apply, as a later recipe step's would.
 *
 * @param prune    this layer's pruning, or null
 * @param lowrank  this layer's low-rank factoring, or null
 * @param quantize this layer's quantization (merged over the rules'), or null
 * @param off      settings switched off on this layer; never also set here
 * @param reconstruct the recipe's {@code reconstruct} for this layer's pruning and low rank set
 *                 here (true, or {damp: D}, or {damp: auto}); null: none. Only with {@code prune}
 *                 or {@code lowrank} set here, since a step's reconstruct refits what that step
 *                 prunes or factors (one value for both, as in a recipe step)
 */
public record LayerSettings(PruneSpec prune, LowRankSpec lowrank, QuantizeSpec quantize, Set<Setting> off,
                            Object reconstruct) {
    /** Everything inherited from the rules. */
    public static final LayerSettings INHERIT = new LayerSettings(null, null, null, Set.of());

    public LayerSettings(PruneSpec prune, LowRankSpec lowrank, QuantizeSpec quantize, Set<Setting> off) {
        this(prune, lowrank, quantize, off, null);
    }

    public LayerSettings {
        if (Boolean.FALSE.equals(reconstruct)) {
            reconstruct = null;
        }
        if (reconstruct != null) {
            if (prune == null && lowrank == null) {
                throw new BadInputException("a layer's reconstruct refits what its pruning or low rank leaves: set prune or"
                        + " lowrank on the layer too.");
            }
            dev.whittle.core.recipe.Step.checkReconstruct(reconstruct);
        }
        off = off == null || off.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(off));
        for (Setting s : off) {
            if (get(s, prune, lowrank, quantize) != null) {
                throw new BadInputException("a layer's " + s.key() + " cannot be both set and switched off.");
            }
        }
        if (prune != null && prune.isGlobal()) {
            throw new BadInputException("prune.scope global is a setting of a group of layers, not of one layer;"
                    + " put it in a rule.");
        }
    }

    /** Whether nothing is tuned here (the layer follows the rules). */
    public boolean inherits() {
        return prune == null && lowrank == null && quantize == null && off.isEmpty();
    }

    /** Whether {@code s} is set or switched off here. */
    public boolean overrides(Setting s) {
        return off.contains(s) || get(s, prune, lowrank, quantize) != null;
    }

    public boolean isOff(Setting s) {
        return off.contains(s);
    }

    /** Sets or clears pruning; reconstruct stays while pruning or low rank is set here. */
    public LayerSettings withPrune(PruneSpec p) {
        return new LayerSettings(p, lowrank, quantize, without(Setting.PRUNE, p != null), kept(p, lowrank));
    }

    /** Sets pruning with its reconstruct (null: none). */
    public LayerSettings withPrune(PruneSpec p, Object r) {
        return new LayerSettings(p, lowrank, quantize, without(Setting.PRUNE, p != null), r);
    }

    public LayerSettings withLowrank(LowRankSpec l) {
        return new LayerSettings(prune, l, quantize, without(Setting.LOWRANK, l != null), kept(prune, l));
    }

    /** Sets low rank with the layer's reconstruct (null: none), which its pruning set here shares. */
    public LayerSettings withLowrank(LowRankSpec l, Object r) {
        return new LayerSettings(prune, l, quantize, without(Setting.LOWRANK, l != null), prune == null && l == null ? null : r);
    }

    /** The reconstruct that stays when pruning and low rank become {@code p} and {@code l}. */
    private Object kept(PruneSpec p, LowRankSpec l) {
        return p == null && l == null ? null : reconstruct;
    }

    public LayerSettings withQuantize(QuantizeSpec q) {
        return new LayerSettings(prune, lowrank, q, without(Setting.QUANTIZE, q != null), reconstruct);
    }

    /** Switches {@code s} off on this layer (clearing what was set here). */
    public LayerSettings withOff(Setting s) {
        EnumSet<Setting> o = off.isEmpty() ? EnumSet.noneOf(Setting.class) : EnumSet.copyOf(off);
        o.add(s);
        return new LayerSettings(s == Setting.PRUNE ? null : prune, s == Setting.LOWRANK ? null : lowrank,
                s == Setting.QUANTIZE ? null : quantize, o,
                kept(s == Setting.PRUNE ? null : prune, s == Setting.LOWRANK ? null : lowrank));
    }

    /** Back to what the rules give for {@code s}. */
    public LayerSettings inherit(Setting s) {
        EnumSet<Setting> o = off.isEmpty() ? EnumSet.noneOf(Setting.class) : EnumSet.copyOf(off);
        o.remove(s);
        return new LayerSettings(s == Setting.PRUNE ? null : prune, s == Setting.LOWRANK ? null : lowrank,
                s == Setting.QUANTIZE ? null : quantize, o,
                kept(s == Setting.PRUNE ? null : prune, s == Setting.LOWRANK ? null : lowrank));
    }

    private Set<Setting> without(Setting s, boolean setHere) {
        if (!setHere || !off.contains(s)) {
            return off;
        }
        EnumSet<Setting> o = EnumSet.copyOf(off);
        o.remove(s);
        return o;
    }

    private static Object get(Setting s, PruneSpec p, LowRankSpec l, QuantizeSpec q) {
        return switch (s) {
            case PRUNE -> p;
            case LOWRANK -> l;
            case QUANTIZE -> q;
        };
    }
}
