package dev.whittle.core.lowrank;

/** A row-major m x n matrix that low-rank factorization approximates. */
record Matrix(int m, int n, float[] a) {
    /** The rank below which factors hold fewer parameters than the matrix: r < mn / (m + n). */
    boolean saves(int r) {
        return (long) r * (m + n) < (long) m * n;
    }

    static float[] transpose(float[] a, int rows, int cols) {
        return dev.whittle.core.tensor.Transpose.of(a, rows, cols);
    }
}
