package dev.whittle.core.lowrank;

/** A row-major m x n matrix that low-rank factorization approximates. */
record Matrix(int m, int n, float[] a) {
    /** The rank below which factors hold fewer parameters than the matrix: r < mn / (m + n). */
    boolean saves(int r) {
        return (long) r * (m + n) < (long) m * n;
    }

    static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = a[i * cols + j];
            }
        }
        return t;
    }
}
