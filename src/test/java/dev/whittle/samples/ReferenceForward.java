package dev.whittle.samples;

/**
 * Straightforward single-image forward ops, written for clarity rather than speed, so tests can
 * check ONNX Runtime against an independent computation. Accumulates in double.
 */
final class ReferenceForward {
    private ReferenceForward() {
    }

    /** A weight tensor's values (C order) and dims. */
    record Weight(float[] v, long[] dims) {
    }

    /** x[in] @ w[in, out] + b[out]. */
    static float[] matMulAdd(float[] x, Weight w, Weight b) {
        int in = (int) w.dims()[0];
        int out = (int) w.dims()[1];
        float[] y = new float[out];
        for (int j = 0; j < out; j++) {
            double acc = b.v()[j];
            for (int i = 0; i < in; i++) {
                acc += (double) x[i] * w.v()[i * out + j];
            }
            y[j] = (float) acc;
        }
        return y;
    }

    /** x[in] @ w[out, in]^T + b[out] (Gemm with transB=1). */
    static float[] gemmTransB(float[] x, Weight w, Weight b) {
        int out = (int) w.dims()[0];
        int in = (int) w.dims()[1];
        float[] y = new float[out];
        for (int j = 0; j < out; j++) {
            double acc = b.v()[j];
            for (int i = 0; i < in; i++) {
                acc += (double) x[i] * w.v()[j * in + i];
            }
            y[j] = (float) acc;
        }
        return y;
    }

    static void relu(float[] x) {
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.max(0f, x[i]);
        }
    }

    /** Direct stride-1 cross-correlation of x[cin, size, size] with w[cout, cin, k, k], zero padding {@code pad}. */
    static float[] conv(float[] x, int cin, int size, Weight w, Weight b, int cout, int k, int pad) {
        int out = size + 2 * pad - k + 1;
        float[] y = new float[cout * out * out];
        for (int f = 0; f < cout; f++) {
            for (int oy = 0; oy < out; oy++) {
                for (int ox = 0; ox < out; ox++) {
                    double acc = b.v()[f];
                    for (int c = 0; c < cin; c++) {
                        for (int i = 0; i < k; i++) {
                            for (int j = 0; j < k; j++) {
                                int iy = oy + i - pad;
                                int ix = ox + j - pad;
                                if (iy >= 0 && iy < size && ix >= 0 && ix < size) {
                                    acc += (double) x[(c * size + iy) * size + ix] * w.v()[((f * cin + c) * k + i) * k + j];
                                }
                            }
                        }
                    }
                    y[(f * out + oy) * out + ox] = (float) acc;
                }
            }
        }
        return y;
    }

    /** 2x2 max pooling with stride 2 over x[c, size, size]. */
    static float[] maxPool2(float[] x, int c, int size) {
        int out = size / 2;
        float[] y = new float[c * out * out];
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < out; i++) {
                for (int j = 0; j < out; j++) {
                    float m = Float.NEGATIVE_INFINITY;
                    for (int di = 0; di < 2; di++) {
                        for (int dj = 0; dj < 2; dj++) {
                            m = Math.max(m, x[(ch * size + 2 * i + di) * size + 2 * j + dj]);
                        }
                    }
                    y[(ch * out + i) * out + j] = m;
                }
            }
        }
        return y;
    }
}
