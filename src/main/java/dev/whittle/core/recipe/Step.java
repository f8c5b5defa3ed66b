package dev.whittle.core.recipe;

import dev.whittle.core.BadInputException;
import dev.whittle.core.lowrank.LowRankSpec;
import dev.whittle.core.prune.PruneSpec;
import java.util.Map;

/**
 * One recipe step: a selection and the settings it applies to the layers it selects.
 *
 * @param reconstruct absent or false: off; true: after this step's pruning or low rank, refit
 *                    each layer's kept weights (a factored layer's second factor) by damped least
 *                    squares to its original outputs on the calibration data (damping 0.1 of the
 *                    mean diagonal of XᵀX); a mapping {@code {damp: 0.05}} sets the damping;
 *                    {@code {damp: auto}} (channel pruning and low rank, and their default there)
 *                    chooses it per layer by cross-validation
 */
public record Step(Selection select, PruneSpec prune, LowRankSpec lowrank, QuantizeSettings quantize, Object reconstruct) {
    /** Default damping of {@code reconstruct: true}. */
    public static final double DAMP = 0.1;

    public Step {
        if (select == null) {
            throw new BadInputException("a step needs select (use select: {} for every weight layer).");
        }
        if (prune == null && lowrank == null && quantize == null) {
            throw new BadInputException("a step needs prune, lowrank or quantize.");
        }
        damp(reconstruct);
    }

    public Step(Selection select, PruneSpec prune, LowRankSpec lowrank, QuantizeSettings quantize) {
        this(select, prune, lowrank, quantize, null);
    }

    /** The damping of {@code reconstruct}, or null when the step does not reconstruct (or chooses it: {@link #reconstructAuto}). */
    public Double reconstructDamp() {
        return damp(reconstruct);
    }

    /**
     * Whether the damping is chosen per layer: {@code {damp: auto}}, or {@code true} after
     * channel pruning or low rank (whose refits can cross-validate it).
     */
    public boolean reconstructAuto() {
        return reconstruct instanceof Map<?, ?> m && "auto".equals(m.get("damp"))
                || Boolean.TRUE.equals(reconstruct) && (prune != null ? prune.isChannel() : lowrank != null);
    }

    /** Whether the step reconstructs at all. */
    public boolean reconstructs() {
        return reconstruct != null && !Boolean.FALSE.equals(reconstruct);
    }

    /** Checks a {@code reconstruct} value as a step would; throws with the rule when it is not one. */
    public static void checkReconstruct(Object r) {
        damp(r);
    }

    private static Double damp(Object r) {
        if (r == null || Boolean.FALSE.equals(r)) {
            return null;
        }
        if (r instanceof Map<?, ?> m && m.size() == 1 && "auto".equals(m.get("damp"))) {
            return DAMP;
        }
        if (Boolean.TRUE.equals(r)) {
            return DAMP;
        }
        if (r instanceof Map<?, ?> m && m.size() == 1 && m.get("damp") instanceof Number n && n.doubleValue() > 0
                && Double.isFinite(n.doubleValue())) {
            return n.doubleValue();
        }
        throw new BadInputException("reconstruct must be true, false, {damp: D} with D > 0 or {damp: auto}, got " + r + ".");
    }
}
