package dev.whittle.core.tensor;

/** The transpose of a row-major matrix: weights stored [out, in] read as [in, out], and back. */
public final class Transpose {
    private Transpose() {
    }

    /** {@code a} is rows x cols, row-major; the result is cols x rows. */
    public static float[] of(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = a[i * cols + j];
            }
        }
        return t;
    }
}
