package dev.whittle.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A sequence of layers trained with softmax cross-entropy (mean over the batch) and Adam.
 * Single-threaded and using StrictMath for exp/pow, so a fixed seed gives bit-identical weights
 * on every machine.
 */
final class Net {
    final List<Layer> layers;
    private final List<Param> params = new ArrayList<>();
    private final float lr;
    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPS = 1e-8f;
    private long step;
    private float lrScale = 1f;

    Net(List<Layer> layers, float lr) {
        this.layers = layers;
        this.lr = lr;
        for (Layer l : layers) {
            params.addAll(l.params());
        }
    }

    float[] logits(float[] x, int n) {
        float[] a = x;
        for (Layer l : layers) {
            a = l.forward(a, n);
        }
        return a;
    }

    /** Multiplies the learning rate for the coming steps (epoch decay). */
    void scaleLearningRate(float scale) {
        lrScale = scale;
    }

    /** One Adam step on a batch; returns the mean loss. */
    double trainBatch(float[] x, int[] labels, int n) {
        float[] z = logits(x, n);
        int classes = z.length / n;
        float[] dz = new float[z.length];
        double loss = 0;
        for (int s = 0; s < n; s++) {
            int o = s * classes;
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                max = Math.max(max, z[o + c]);
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                sum += StrictMath.exp(z[o + c] - max);
            }
            for (int c = 0; c < classes; c++) {
                double p = StrictMath.exp(z[o + c] - max) / sum;
                dz[o + c] = (float) ((p - (c == labels[s] ? 1 : 0)) / n);
            }
            loss += StrictMath.log(sum) - (z[o + labels[s]] - max);
        }
        for (Param p : params) {
            java.util.Arrays.fill(p.g, 0f);
        }
        float[] d = dz;
        for (int i = layers.size() - 1; i >= 0; i--) {
            d = layers.get(i).backward(d, n, i > 0);
        }
        adam();
        return loss / n;
    }

    private void adam() {
        step++;
        float c1 = (float) (1 - StrictMath.pow(BETA1, step));
        float c2 = (float) (1 - StrictMath.pow(BETA2, step));
        float rate = lr * lrScale;
        for (Param p : params) {
            for (int i = 0; i < p.w.length; i++) {
                float g = p.g[i];
                p.m[i] = BETA1 * p.m[i] + (1 - BETA1) * g;
                p.v[i] = BETA2 * p.v[i] + (1 - BETA2) * g * g;
                p.w[i] -= rate * (p.m[i] / c1) / ((float) Math.sqrt(p.v[i] / c2) + EPS);
            }
        }
    }

    /** Fraction of {@code n} images starting at {@code from} whose argmax logit is the label. */
    double accuracy(FashionMnist data, int from, int n) {
        int correct = 0;
        int batch = 500;
        for (int b = from; b < from + n; b += batch) {
            int m = Math.min(batch, from + n - b);
            float[] z = logits(data.imageRows(b, m), m);
            for (int s = 0; s < m; s++) {
                if (argmax(z, s * 10, 10) == data.labels()[b + s]) {
                    correct++;
                }
            }
        }
        return correct / (double) n;
    }

    static int argmax(float[] z, int off, int len) {
        int best = 0;
        for (int i = 1; i < len; i++) {
            if (z[off + i] > z[off + best]) {
                best = i;
            }
        }
        return best;
    }

    /** Trains for {@code epochs} over all of {@code train}, shuffling with {@code rnd}; halves the rate each late epoch. */
    void fit(FashionMnist train, int epochs, int batch, Random rnd, FashionMnist test) {
        int n = train.count();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int e = 0; e < epochs; e++) {
            long t0 = System.nanoTime();
            scaleLearningRate(e < epochs - 2 ? 1f : e == epochs - 2 ? 0.5f : 0.25f);
            for (int i = n - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            double loss = 0;
            int batches = 0;
            float[] x = new float[batch * FashionMnist.PIXELS];
            int[] y = new int[batch];
            for (int b = 0; b + batch <= n; b += batch) {
                for (int s = 0; s < batch; s++) {
                    System.arraycopy(train.images(), order[b + s] * FashionMnist.PIXELS, x, s * FashionMnist.PIXELS,
                            FashionMnist.PIXELS);
                    y[s] = train.labels()[order[b + s]];
                }
                loss += trainBatch(x, y, batch);
                batches++;
            }
            System.out.printf("  epoch %d: loss %.4f, test accuracy %.4f, %.1f s%n", e + 1, loss / batches,
                    accuracy(test, 0, test.count()), (System.nanoTime() - t0) / 1e9);
        }
    }
}
