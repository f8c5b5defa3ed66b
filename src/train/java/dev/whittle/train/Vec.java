package dev.whittle.train;

/** Small loops the JIT cannot vectorize on its own. */
final class Vec {
    private Vec() {
    }

    /**
     * Dot product of a[ao..ao+len) and b[bo..bo+len) with four partial sums: Java may not
     * reorder float additions, so one accumulator would wait on the adder's latency every step.
     */
    static float dot(float[] a, int ao, float[] b, int bo, int len) {
        float s0 = 0f;
        float s1 = 0f;
        float s2 = 0f;
        float s3 = 0f;
        int i = 0;
        for (; i + 3 < len; i += 4) {
            s0 += a[ao + i] * b[bo + i];
            s1 += a[ao + i + 1] * b[bo + i + 1];
            s2 += a[ao + i + 2] * b[bo + i + 2];
            s3 += a[ao + i + 3] * b[bo + i + 3];
        }
        for (; i < len; i++) {
            s0 += a[ao + i] * b[bo + i];
        }
        return (s0 + s1) + (s2 + s3);
    }
}
