package dev.whittle.core.recipe;

/** The model a recipe was tuned on; a different sha256 gives a warning, not an error. */
public record ModelRef(String file, String sha256) {
}
