package dev.whittle.train;

import java.util.List;
import java.util.Random;

/** y = x W + b with W stored [in, out] (C order) and b [out]; He-normal initialization. */
final class Dense implements Layer {
    final int in;
    final int out;
    final Param weight;
    final Param bias;
    private float[] x;

    Dense(int in, int out, Random rnd) {
        this.in = in;
        this.out = out;
        weight = new Param(in * out);
        bias = new Param(out);
        double std = Math.sqrt(2.0 / in);
        for (int i = 0; i < weight.w.length; i++) {
            weight.w[i] = (float) (rnd.nextGaussian() * std);
        }
    }

    public int outSize() {
        return out;
    }

    public List<Param> params() {
        return List.of(weight, bias);
    }

    public float[] forward(float[] x, int n) {
        this.x = x;
        float[] w = weight.w;
        float[] y = new float[n * out];
        for (int s = 0; s < n; s++) {
            int yo = s * out;
            System.arraycopy(bias.w, 0, y, yo, out);
            for (int i = 0; i < in; i++) {
                float xi = x[s * in + i];
                if (xi == 0f) {
                    continue; // ReLU outputs and image background are mostly zeros
                }
                int wo = i * out;
                for (int j = 0; j < out; j++) {
                    y[yo + j] += xi * w[wo + j];
                }
            }
        }
        return y;
    }

    public float[] backward(float[] dy, int n, boolean needInput) {
        float[] w = weight.w;
        float[] gw = weight.g;
        float[] gb = bias.g;
        float[] dx = needInput ? new float[n * in] : null;
        for (int s = 0; s < n; s++) {
            int yo = s * out;
            for (int j = 0; j < out; j++) {
                gb[j] += dy[yo + j];
            }
            for (int i = 0; i < in; i++) {
                float xi = x[s * in + i];
                int wo = i * out;
                if (xi != 0f) {
                    for (int j = 0; j < out; j++) {
                        gw[wo + j] += xi * dy[yo + j];
                    }
                }
                if (needInput) {
                    dx[s * in + i] = Vec.dot(w, wo, dy, yo, out);
                }
            }
        }
        return dx;
    }
}
