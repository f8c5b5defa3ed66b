package dev.whittle.core.preview;

import dev.whittle.core.lowrank.LowRankSpec;

/** Instant-tier low-rank figures: lookups in a computed {@link Spectrum}. */
public final class RankPreview {
    private RankPreview() {
    }

    /**
     * Figures for factoring at {@code rank} (clamped to [1, {@link Spectrum#maxRank()}]).
     */
    public static RankFigures at(Spectrum s, int rank) {
        int r = Math.max(1, Math.min(rank, s.maxRank()));
        double kept = 0;
        for (int i = 0; i < r; i++) {
            kept += (double) s.values()[i] * s.values()[i];
        }
        double energy = s.totalEnergy() == 0 ? 1 : Math.min(1, kept / s.totalEnergy());
        long after = r * s.factorParamsPerRank();
        return new RankFigures(r, energy, Math.sqrt(Math.max(0, 1 - energy)), s.paramsBefore(), after,
                after >= s.paramsBefore());
    }

    /** The rank {@code spec} picks on this layer (rank, energy or params), as the transform picks it. */
    public static int rankFor(Spectrum s, LowRankSpec spec) {
        if (spec.energy() != null) {
            double all = s.totalEnergy();
            double kept = 0;
            for (int r = 0; r < s.values().length; r++) {
                kept += (double) s.values()[r] * s.values()[r];
                if (all == 0 || kept >= spec.energy() * all * (1 - 1e-12)) {
                    return r + 1;
                }
            }
            return s.partial() ? s.values().length : Math.min(s.m(), s.n());
        }
        return spec.rankFor(s.m(), s.n(), s.values());
    }

    /** The smallest rank keeping at least {@code energy} of sum sigma^2 (for an energy slider). */
    public static int rankForEnergy(Spectrum s, double energy) {
        return rankFor(s, LowRankSpec.energy(Math.max(Double.MIN_VALUE, Math.min(1, energy))));
    }
}
