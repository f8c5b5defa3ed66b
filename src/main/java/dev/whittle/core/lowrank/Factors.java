package dev.whittle.core.lowrank;

import dev.whittle.core.tensor.SvdResult;

/**
 * Rank-r factors of an m x n matrix A ~ left x right, with the singular values split evenly
 * (left = U_r sqrt(S_r), m x r; right = sqrt(S_r) Vt_r, r x n) so both factors have similar
 * ranges, which suits later quantization.
 */
record Factors(int m, int n, int r, float[] left, float[] right, float[] singularValues) {
    static Factors of(SvdResult svd) {
        int m = svd.m();
        int n = svd.n();
        int r = svd.k();
        float[] left = new float[m * r];
        float[] right = new float[r * n];
        for (int k = 0; k < r; k++) {
            float root = (float) Math.sqrt(svd.s()[k]);
            for (int i = 0; i < m; i++) {
                left[i * r + k] = svd.u()[i * r + k] * root;
            }
            for (int j = 0; j < n; j++) {
                right[k * n + j] = svd.vt()[k * n + j] * root;
            }
        }
        return new Factors(m, n, r, left, right, svd.s());
    }

    /** The factors of the n x m transpose: rightᵀ x leftᵀ. */
    Factors transposed() {
        return new Factors(n, m, r, Matrix.transpose(right, r, n), Matrix.transpose(left, m, r), singularValues);
    }

    /** left x right, row-major m x n. */
    float[] product() {
        float[] out = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int k = 0; k < r; k++) {
                float c = left[i * r + k];
                for (int j = 0; j < n; j++) {
                    out[i * n + j] += c * right[k * n + j];
                }
            }
        }
        return out;
    }

    long params() {
        return (long) r * (m + n);
    }
}
