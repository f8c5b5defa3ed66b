package dev.whittle.core.eval;

import dev.whittle.core.BadInputException;

/** Per-sample vectors from a batch output, pooled as {@link Pool} says. */
final class Pooling {
    private Pooling() {
    }

    /**
     * @param values row-major output of shape {@code shape}, axis 0 = samples
     * @param mask   the batch's attention mask [batch, tokens] (for {@link Pool#MEAN}), or null = all ones
     * @return one vector per sample; L2-normalized unless {@code pool} is NONE
     */
    static float[][] vectors(float[] values, long[] shape, HostTensor mask, Pool pool) {
        int n = Math.toIntExact(shape[0]);
        if (pool == Pool.NONE) {
            int per = n == 0 ? 0 : values.length / n;
            float[][] out = new float[n][];
            for (int i = 0; i < n; i++) {
                out[i] = java.util.Arrays.copyOfRange(values, i * per, (i + 1) * per);
            }
            return out;
        }
        if (shape.length != 3) {
            throw new BadInputException("Pooling (" + pool.name().toLowerCase() + ") needs an output of shape [batch, tokens,"
                    + " hidden], but the output has shape " + java.util.Arrays.toString(shape) + ".");
        }
        int t = Math.toIntExact(shape[1]);
        int h = Math.toIntExact(shape[2]);
        if (mask != null && (mask.rank() != 2 || mask.shape()[0] != n || mask.shape()[1] != t)) {
            throw new BadInputException("The attention mask " + mask.describe() + " does not match the output's [batch, tokens] = ["
                    + n + ", " + t + "].");
        }
        float[][] out = new float[n][h];
        for (int i = 0; i < n; i++) {
            double[] acc = new double[h];
            if (pool == Pool.CLS) {
                for (int k = 0; k < h; k++) {
                    acc[k] = values[(i * t) * h + k];
                }
            } else {
                double wsum = 0;
                for (int j = 0; j < t; j++) {
                    double w = mask == null ? 1 : mask.doubleAt((long) i * t + j);
                    if (w == 0) {
                        continue;
                    }
                    wsum += w;
                    int base = (i * t + j) * h;
                    for (int k = 0; k < h; k++) {
                        acc[k] += w * values[base + k];
                    }
                }
                for (int k = 0; k < h; k++) {
                    acc[k] = wsum == 0 ? 0 : acc[k] / wsum;
                }
            }
            double norm = 0;
            for (double a : acc) {
                norm += a * a;
            }
            norm = Math.sqrt(norm);
            for (int k = 0; k < h; k++) {
                out[i][k] = (float) (norm == 0 ? 0 : acc[k] / norm);
            }
        }
        return out;
    }
}
