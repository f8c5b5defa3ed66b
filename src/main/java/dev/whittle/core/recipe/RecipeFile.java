package dev.whittle.core.recipe;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A recipe read from a file: the file (calibration data and other relative paths resolve
 * against its folder) and where each step starts, so messages about a step can name its line.
 *
 * @param stepPositions "line:column" (1-based) of each step, in step order
 */
public record RecipeFile(Path path, Recipe recipe, List<String> stepPositions) {
    public RecipeFile {
        stepPositions = List.copyOf(stepPositions);
    }

    /** Reads and validates {@code file} (see {@link Recipe}). */
    public static RecipeFile read(Path file) {
        SafeYaml.Located<Recipe> r = new SafeYaml().readLocated(file, Recipe.class);
        List<String> at = new ArrayList<>();
        for (int i = 0; i < r.value().steps().size(); i++) {
            String p = r.where().of("steps", i);
            at.add(p == null ? "?" : p);
        }
        return new RecipeFile(file, r.value(), at);
    }

    /** The folder relative paths in the recipe are resolved against. */
    public Path folder() {
        Path abs = path.toAbsolutePath();
        return abs.getParent() == null ? abs : abs.getParent();
    }

    /**
     * Problems with the files the recipe names, found without a model: calibration data that
     * does not exist (relative paths resolve against {@link #folder()}).
     */
    public List<String> fileProblems() {
        List<String> out = new ArrayList<>();
        Calibration c = recipe.calibration();
        if (c != null && c.data() != null) {
            Path data = folder().resolve(c.data());
            if (!java.nio.file.Files.isRegularFile(data)) {
                out.add("calibration.data: " + data + " does not exist (relative paths start at the recipe's folder).");
            }
        }
        return out;
    }

    /** "r.yaml:7:5" for step {@code number} (1-based). */
    public String where(int number) {
        return path.getFileName() + ":" + stepPositions.get(number - 1);
    }
}
