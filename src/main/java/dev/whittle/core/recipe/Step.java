package dev.whittle.core.recipe;

import dev.whittle.core.BadInputException;
import dev.whittle.core.lowrank.LowRankSpec;
import dev.whittle.core.prune.PruneSpec;

/** One recipe step: a selection and the settings it applies to the layers it selects. */
public record Step(Selection select, PruneSpec prune, LowRankSpec lowrank, QuantizeSettings quantize) {
    public Step {
        if (select == null) {
            throw new BadInputException("a step needs select (use select: {} for every weight layer).");
        }
        if (prune == null && lowrank == null && quantize == null) {
            throw new BadInputException("a step needs prune, lowrank or quantize.");
        }
    }
}
