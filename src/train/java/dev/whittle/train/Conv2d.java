package dev.whittle.train;

import java.util.List;
import java.util.Random;

/**
 * Stride-1 convolution with square kernel k and zero padding p, on [n, cin, h, w], as ONNX Conv
 * computes it (cross-correlation). Weight [cout, cin, k, k], bias [cout]. Uses im2col so the inner
 * loops run over contiguous output positions.
 */
final class Conv2d implements Layer {
    final int cin;
    final int cout;
    final int k;
    final int pad;
    final int h;
    final int w;
    final int ho;
    final int wo;
    final Param weight;
    final Param bias;
    private float[][] cols;

    Conv2d(int cin, int cout, int k, int pad, int h, int w, Random rnd) {
        this.cin = cin;
        this.cout = cout;
        this.k = k;
        this.pad = pad;
        this.h = h;
        this.w = w;
        this.ho = h + 2 * pad - k + 1;
        this.wo = w + 2 * pad - k + 1;
        weight = new Param(cout * cin * k * k);
        bias = new Param(cout);
        double std = Math.sqrt(2.0 / (cin * k * k));
        for (int i = 0; i < weight.w.length; i++) {
            weight.w[i] = (float) (rnd.nextGaussian() * std);
        }
    }

    public int outSize() {
        return cout * ho * wo;
    }

    public List<Param> params() {
        return List.of(weight, bias);
    }

    public float[] forward(float[] x, int n) {
        int rows = cin * k * k;
        int positions = ho * wo;
        cols = new float[n][];
        float[] y = new float[n * outSize()];
        float[] wt = weight.w;
        for (int s = 0; s < n; s++) {
            float[] col = im2col(x, s * cin * h * w);
            cols[s] = col;
            int yo = s * outSize();
            for (int f = 0; f < cout; f++) {
                int fo = yo + f * positions;
                java.util.Arrays.fill(y, fo, fo + positions, bias.w[f]);
                for (int r = 0; r < rows; r++) {
                    float wv = wt[f * rows + r];
                    int ro = r * positions;
                    for (int p = 0; p < positions; p++) {
                        y[fo + p] += wv * col[ro + p];
                    }
                }
            }
        }
        return y;
    }

    private float[] im2col(float[] x, int base) {
        float[] col = new float[cin * k * k * ho * wo];
        int r = 0;
        for (int c = 0; c < cin; c++) {
            for (int ki = 0; ki < k; ki++) {
                for (int kj = 0; kj < k; kj++, r++) {
                    int ro = r * ho * wo;
                    for (int oy = 0; oy < ho; oy++) {
                        int iy = oy + ki - pad;
                        if (iy < 0 || iy >= h) {
                            continue;
                        }
                        for (int ox = 0; ox < wo; ox++) {
                            int ix = ox + kj - pad;
                            if (ix >= 0 && ix < w) {
                                col[ro + oy * wo + ox] = x[base + (c * h + iy) * w + ix];
                            }
                        }
                    }
                }
            }
        }
        return col;
    }

    public float[] backward(float[] dy, int n, boolean needInput) {
        int rows = cin * k * k;
        int positions = ho * wo;
        float[] wt = weight.w;
        float[] gw = weight.g;
        float[] dx = needInput ? new float[n * cin * h * w] : null;
        float[] dcol = needInput ? new float[rows * positions] : null;
        for (int s = 0; s < n; s++) {
            float[] col = cols[s];
            int yo = s * outSize();
            if (needInput) {
                java.util.Arrays.fill(dcol, 0f);
            }
            for (int f = 0; f < cout; f++) {
                int fo = yo + f * positions;
                float gb = 0f;
                for (int p = 0; p < positions; p++) {
                    gb += dy[fo + p];
                }
                bias.g[f] += gb;
                for (int r = 0; r < rows; r++) {
                    int ro = r * positions;
                    gw[f * rows + r] += Vec.dot(dy, fo, col, ro, positions);
                    if (needInput) {
                        float wv = wt[f * rows + r];
                        for (int p = 0; p < positions; p++) {
                            dcol[ro + p] += wv * dy[fo + p];
                        }
                    }
                }
            }
            if (needInput) {
                col2im(dcol, dx, s * cin * h * w);
            }
        }
        return dx;
    }

    private void col2im(float[] dcol, float[] dx, int base) {
        int r = 0;
        for (int c = 0; c < cin; c++) {
            for (int ki = 0; ki < k; ki++) {
                for (int kj = 0; kj < k; kj++, r++) {
                    int ro = r * ho * wo;
                    for (int oy = 0; oy < ho; oy++) {
                        int iy = oy + ki - pad;
                        if (iy < 0 || iy >= h) {
                            continue;
                        }
                        for (int ox = 0; ox < wo; ox++) {
                            int ix = ox + kj - pad;
                            if (ix >= 0 && ix < w) {
                                dx[base + (c * h + iy) * w + ix] += dcol[ro + oy * wo + ox];
                            }
                        }
                    }
                }
            }
        }
    }
}
