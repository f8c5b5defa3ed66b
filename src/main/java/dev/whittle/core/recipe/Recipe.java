package dev.whittle.core.recipe;

import com.fasterxml.jackson.databind.JsonNode;
import dev.whittle.core.BadInputException;
import java.nio.file.Path;
import java.util.List;

/**
 * A recipe, format version 1 (docs/recipes.md): read with {@link #read(Path)}, which rejects
 * unknown keys (suggesting the nearest known one) and names the line and column of errors.
 * {@code provenance} is informational and kept as parsed.
 */
public record Recipe(Integer whittle, ModelRef model, Calibration calibration, List<Step> steps, JsonNode provenance) {
    public Recipe {
        if (whittle == null) {
            throw new BadInputException("whittle: the format version is required (whittle: 1).");
        }
        if (whittle != 1) {
            throw new BadInputException("whittle: format version " + whittle + " is not supported (this Whittle reads 1).");
        }
        if (steps == null || steps.isEmpty()) {
            throw new BadInputException("steps: a recipe needs at least one step.");
        }
        steps = List.copyOf(steps);
    }

    public static Recipe read(Path file) {
        return new SafeYaml().read(file, Recipe.class);
    }

    public static Recipe parse(String source, String text) {
        return new SafeYaml().read(source, text, Recipe.class);
    }

    /** This recipe recording {@code m} as the model it was tuned on. */
    public Recipe withModel(ModelRef m) {
        return new Recipe(whittle, m, calibration, steps, provenance);
    }
}
