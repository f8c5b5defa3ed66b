package dev.whittle.core.tensor;

/**
 * A (possibly truncated) singular value decomposition A ~ U diag(s) Vt of a row-major m x n
 * matrix, with k = {@code s.length} components in descending order of s.
 *
 * @param u  row-major m x k, orthonormal columns
 * @param s  k singular values, descending, non-negative
 * @param vt row-major k x n, orthonormal rows
 */
public record SvdResult(int m, int n, float[] u, float[] s, float[] vt) {
    public int k() {
        return s.length;
    }

    /** The first {@code r} components (r <= k). */
    public SvdResult truncate(int r) {
        if (r == k()) {
            return this;
        }
        float[] u2 = new float[m * r];
        for (int i = 0; i < m; i++) {
            System.arraycopy(u, i * k(), u2, i * r, r);
        }
        float[] vt2 = new float[r * n];
        System.arraycopy(vt, 0, vt2, 0, r * n);
        return new SvdResult(m, n, u2, java.util.Arrays.copyOf(s, r), vt2);
    }

    /** U diag(s) Vt as a row-major m x n matrix. */
    public float[] reconstruct() {
        int k = k();
        float[] out = new float[m * n];
        float[] row = new float[k];
        for (int i = 0; i < m; i++) {
            for (int r = 0; r < k; r++) {
                row[r] = u[i * k + r] * s[r];
            }
            int o = i * n;
            for (int r = 0; r < k; r++) {
                float c = row[r];
                if (c == 0f) {
                    continue;
                }
                int v = r * n;
                for (int j = 0; j < n; j++) {
                    out[o + j] += c * vt[v + j];
                }
            }
        }
        return out;
    }
}
