package dev.whittle.core.recipe;

import com.fasterxml.jackson.databind.JsonNode;
import dev.whittle.core.BadInputException;
import dev.whittle.core.lowrank.LowRankSpec;
import dev.whittle.core.prune.PruneSpec;

/**
 * One recipe step: a selection and the settings it applies. {@code quantize} is kept as parsed
 * YAML until the quantization issue defines its record.
 */
public record Step(Selection select, PruneSpec prune, LowRankSpec lowrank, JsonNode quantize) {
    public Step {
        if (select == null) {
            throw new BadInputException("a step needs select (use select: {} for every weight layer).");
        }
        if (prune == null && lowrank == null && quantize == null) {
            throw new BadInputException("a step needs prune, lowrank or quantize.");
        }
    }
}
