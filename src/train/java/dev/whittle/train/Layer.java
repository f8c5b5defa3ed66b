package dev.whittle.train;

import java.util.List;

/**
 * One layer of a tiny training framework. Activations are flat float arrays holding {@code n}
 * samples of {@link #outSize()} floats each, in NCHW order for images.
 */
interface Layer {
    int outSize();

    /** Computes the output and keeps what backward needs. */
    float[] forward(float[] x, int n);

    /** Accumulates parameter gradients into {@link Param#g} and returns dL/dx (null if {@code needInput} is false). */
    float[] backward(float[] dy, int n, boolean needInput);

    default List<Param> params() {
        return List.of();
    }

    /** max(0, x). */
    final class Relu implements Layer {
        private final int size;
        private float[] y;

        Relu(int size) {
            this.size = size;
        }

        public int outSize() {
            return size;
        }

        public float[] forward(float[] x, int n) {
            y = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                y[i] = Math.max(0f, x[i]);
            }
            return y;
        }

        public float[] backward(float[] dy, int n, boolean needInput) {
            float[] dx = new float[dy.length];
            for (int i = 0; i < dy.length; i++) {
                dx[i] = y[i] > 0 ? dy[i] : 0f;
            }
            return dx;
        }
    }

    /** 2x2 max pooling, stride 2, on [n, c, h, w] (h and w even). */
    final class MaxPool2 implements Layer {
        private final int c;
        private final int h;
        private final int w;
        private int[] argmax;
        private int inLength;

        MaxPool2(int c, int h, int w) {
            this.c = c;
            this.h = h;
            this.w = w;
        }

        public int outSize() {
            return c * (h / 2) * (w / 2);
        }

        public float[] forward(float[] x, int n) {
            int ho = h / 2;
            int wo = w / 2;
            float[] y = new float[n * outSize()];
            argmax = new int[y.length];
            inLength = x.length;
            int o = 0;
            for (int plane = 0; plane < n * c; plane++) {
                int base = plane * h * w;
                for (int i = 0; i < ho; i++) {
                    for (int j = 0; j < wo; j++) {
                        int k = base + 2 * i * w + 2 * j;
                        int best = k;
                        best = x[k + 1] > x[best] ? k + 1 : best;
                        best = x[k + w] > x[best] ? k + w : best;
                        best = x[k + w + 1] > x[best] ? k + w + 1 : best;
                        y[o] = x[best];
                        argmax[o++] = best;
                    }
                }
            }
            return y;
        }

        public float[] backward(float[] dy, int n, boolean needInput) {
            float[] dx = new float[inLength];
            for (int i = 0; i < dy.length; i++) {
                dx[argmax[i]] += dy[i];
            }
            return dx;
        }
    }
}
