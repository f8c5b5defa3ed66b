package dev.whittle.core.recipe;

/** Calibration data for data-aware methods: a .npy/.npz file relative to the recipe. */
public record Calibration(String data, Integer samples) {
    public Calibration {
        if (samples != null && samples < 1) {
            throw new dev.whittle.core.BadInputException("calibration.samples must be at least 1, got " + samples + ".");
        }
    }
}
