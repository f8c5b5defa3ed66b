package dev.whittle.core.tensor;

/**
 * What one weight layer saw on calibration data, as plain values for the data-aware methods
 * (Wanda, GPTQ): its input flattened to {@code rows} rows of {@code dim} input features. For a
 * Conv the rows are its input's im2col rows (one per sample and output position) and the
 * features the weight's flattened inner index over all groups (C·kh·kw; see {@link ConvGeometry}).
 *
 * @param dim            input features (the weight's input dimension; C·kh·kw for a Conv)
 * @param rows           rows accumulated (tokens or samples)
 * @param sumSquares     per input feature, sum over rows of x_j² (so ‖X_j‖₂ = sqrt)
 * @param xtx            XᵀX, row-major dim×dim (symmetric), or null when only norms were asked for
 *                       (and for a grouped Conv, whose XᵀX is one block per group)
 * @param outputMeanAbs  per output channel, mean |y| of the layer's output over rows, or null
 * @param outputMeanRelu per output channel, mean max(0, y) (what a Relu after the layer passes on), or null
 * @param sums           per input feature, sum over rows of x_j (bias correction's input mean)
 * @param maxAbs         per input feature, the largest |x_j| over rows (SmoothQuant's activation scale)
 * @param groupBlocks    a grouped Conv's XᵀX, one block per group (its own columns, width×width,
 *                       row-major), the blocks one after another; null otherwise
 */
public record InputMoments(int dim, long rows, double[] sumSquares, double[] xtx, double[] outputMeanAbs,
                           double[] outputMeanRelu, double[] sums,
                           double[] maxAbs, double[] groupBlocks) {
    public InputMoments {
        if (sumSquares.length != dim || sums.length != dim || maxAbs.length != dim || (xtx != null && xtx.length != (long) dim * dim)) {
            throw new IllegalArgumentException("input moments of dimension " + dim + " have arrays of the wrong size");
        }
    }

    public InputMoments(int dim, long rows, double[] sumSquares, double[] xtx, double[] outputMeanAbs, double[] outputMeanRelu,
                        double[] sums, double[] maxAbs) {
        this(dim, rows, sumSquares, xtx, outputMeanAbs, outputMeanRelu, sums, maxAbs, null);
    }

    /** XᵀX, or for a grouped Conv its per-group blocks one after another (GPTQ takes either); null when not collected. */
    public double[] secondMoment() {
        return xtx != null ? xtx : groupBlocks;
    }

    /** The mean of each input feature over the rows (0 when there were none). */
    public double[] means() {
        double[] m = new double[dim];
        for (int j = 0; j < dim; j++) {
            m[j] = rows == 0 ? 0 : sums[j] / rows;
        }
        return m;
    }

    /** ‖X_j‖₂ per input feature. */
    public double[] norms() {
        double[] n = new double[dim];
        for (int j = 0; j < dim; j++) {
            n[j] = Math.sqrt(sumSquares[j]);
        }
        return n;
    }
}
