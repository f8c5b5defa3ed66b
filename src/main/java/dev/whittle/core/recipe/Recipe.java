package dev.whittle.core.recipe;

import com.fasterxml.jackson.databind.JsonNode;
import dev.whittle.core.BadInputException;
import java.nio.file.Path;
import java.util.List;

/**
 * A recipe, format version 1 or 2 (docs/recipes.md; version 2 differs only in that a
 * {@code select} without {@code ops} reaches every kind of weight layer, Gather tables
 * included, where version 1 reaches Conv, ConvTranspose, Gemm and MatMul): read with {@link #read(Path)}, which rejects
 * unknown keys (suggesting the nearest known one) and names the line and column of errors.
 * {@code provenance} is informational and kept as parsed.
 */
public record Recipe(Integer whittle, ModelRef model, Calibration calibration, List<Step> steps, JsonNode provenance) {
    public Recipe {
        if (whittle == null) {
            throw new BadInputException("whittle: the format version is required (whittle: 2, or 1 for recipes whose"
                    + " select without ops leaves Gather tables alone).");
        }
        if (whittle != 1 && whittle != 2) {
            throw new BadInputException("whittle: format version " + whittle + " is not supported (this Whittle reads 1"
                    + " and 2).");
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
