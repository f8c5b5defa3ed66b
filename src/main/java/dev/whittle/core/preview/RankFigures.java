package dev.whittle.core.preview;

/**
 * What factoring one layer at a rank does, from its singular values.
 *
 * @param rank          the rank r
 * @param energyKept    sum of the r largest sigma^2 / sum of all sigma^2 (= ||W||_F^2)
 * @param relativeError ||W - W_r||_F / ||W||_F = sqrt(1 - energyKept)
 * @param paramsBefore  the weight's parameters
 * @param paramsAfter   the two factors' parameters (r (m + n) for a matrix)
 * @param savesNothing  whether the factors are at least as large as the weight (apply skips the layer)
 */
public record RankFigures(int rank, double energyKept, double relativeError, long paramsBefore, long paramsAfter,
                          boolean savesNothing) {
    /** paramsAfter / paramsBefore. */
    public double paramRatio() {
        return paramsBefore == 0 ? 1 : (double) paramsAfter / paramsBefore;
    }
}
