package dev.whittle.testing;

import dev.whittle.core.onnx.GraphNode;
import java.util.Arrays;

/** The reference implementations behind {@link RefEval}. */
final class Ops {
    private Ops() {
    }

    static Tensor eval(GraphNode n, Tensor[] in) {
        return switch (n.op()) {
            case "MatMul" -> matmul(in[0], in[1]);
            case "Gemm" -> gemm(n, in);
            case "Conv" -> conv(n, in);
            case "Relu" -> map(in[0], x -> Math.max(0, x));
            case "Sigmoid" -> map(in[0], x -> 1 / (1 + Math.exp(-x)));
            case "Identity" -> in[0];
            case "Add" -> broadcast(in[0], in[1], Double::sum);
            case "Sub" -> broadcast(in[0], in[1], (a, b) -> a - b);
            case "Mul" -> broadcast(in[0], in[1], (a, b) -> a * b);
            case "Concat" -> concat(in, (int) n.intAttr("axis", 1));
            case "Flatten" -> flatten(in[0], (int) n.intAttr("axis", 1));
            case "Reshape" -> reshape(in[0], in[1]);
            case "MaxPool" -> maxPool(n, in[0]);
            case "GlobalAveragePool" -> globalAvg(in[0]);
            case "BatchNormalization" -> batchNorm(n, in);
            default -> throw new UnsupportedOperationException("RefEval has no " + n.op());
        };
    }

    interface D1 {
        double f(double x);
    }

    interface D2 {
        double f(double a, double b);
    }

    static Tensor map(Tensor a, D1 f) {
        float[] o = new float[a.data().length];
        for (int i = 0; i < o.length; i++) {
            o[i] = (float) f.f(a.data()[i]);
        }
        return new Tensor(a.shape(), o);
    }

    static Tensor broadcast(Tensor a, Tensor b, D2 f) {
        int r = Math.max(a.rank(), b.rank());
        long[] shape = new long[r];
        for (int d = 0; d < r; d++) {
            long x = dimFromEnd(a, r - 1 - d);
            long y = dimFromEnd(b, r - 1 - d);
            shape[d] = Math.max(x, y);
        }
        int n = (int) Arrays.stream(shape).reduce(1, (p, q) -> p * q);
        float[] o = new float[n];
        int[] idx = new int[r];
        for (int i = 0; i < n; i++) {
            int rem = i;
            for (int d = r - 1; d >= 0; d--) {
                idx[d] = (int) (rem % shape[d]);
                rem /= shape[d];
            }
            o[i] = (float) f.f(a.data()[offset(a, idx)], b.data()[offset(b, idx)]);
        }
        return new Tensor(shape, o);
    }

    private static long dimFromEnd(Tensor t, int k) {
        return k < t.rank() ? t.shape()[t.rank() - 1 - k] : 1;
    }

    private static int offset(Tensor t, int[] idx) {
        int off = 0;
        int lead = idx.length - t.rank();
        for (int d = 0; d < t.rank(); d++) {
            int i = t.shape()[d] == 1 ? 0 : idx[lead + d];
            off = off * (int) t.shape()[d] + i;
        }
        return off;
    }

    /** [..., K] x [K, N]. */
    static Tensor matmul(Tensor a, Tensor b) {
        int k = a.dim(-1);
        int n = b.dim(1);
        int rows = a.data().length / k;
        float[] o = new float[rows * n];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += (double) a.data()[i * k + p] * b.data()[p * n + j];
                }
                o[i * n + j] = (float) s;
            }
        }
        long[] shape = a.shape().clone();
        shape[shape.length - 1] = n;
        return new Tensor(shape, o);
    }

    static Tensor transpose2(Tensor t) {
        int r = t.dim(0);
        int c = t.dim(1);
        float[] o = new float[r * c];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                o[j * r + i] = t.data()[i * c + j];
            }
        }
        return new Tensor(new long[] {c, r}, o);
    }

    static Tensor gemm(GraphNode n, Tensor[] in) {
        Tensor a = n.intAttr("transA", 0) == 1 ? transpose2(in[0]) : in[0];
        Tensor b = n.intAttr("transB", 0) == 1 ? transpose2(in[1]) : in[1];
        float alpha = n.floatAttr("alpha", 1f);
        float beta = n.floatAttr("beta", 1f);
        Tensor y = map(matmul(a, b), x -> alpha * x);
        if (in.length > 2 && in[2] != null) {
            Tensor c = map(in[2], x -> beta * x);
            y = broadcast(y, c, Double::sum);
        }
        return y;
    }

    static Tensor conv(GraphNode n, Tensor[] in) {
        Tensor x = in[0];
        Tensor w = in[1];
        int batch = x.dim(0);
        int c = x.dim(1);
        int h = x.dim(2);
        int wd = x.dim(3);
        int m = w.dim(0);
        int cg = w.dim(1);
        int kh = w.dim(2);
        int kw = w.dim(3);
        int group = (int) n.intAttr("group", 1);
        long[] s = or(n.intsAttr("strides"), 1, 1);
        long[] dl = or(n.intsAttr("dilations"), 1, 1);
        long[] p = or(n.intsAttr("pads"), 0, 0, 0, 0);
        int oh = (int) ((h + p[0] + p[2] - dl[0] * (kh - 1) - 1) / s[0] + 1);
        int ow = (int) ((wd + p[1] + p[3] - dl[1] * (kw - 1) - 1) / s[1] + 1);
        float[] o = new float[batch * m * oh * ow];
        int mg = m / group;
        for (int b = 0; b < batch; b++) {
            for (int f = 0; f < m; f++) {
                int g = f / mg;
                double bias = in.length > 2 && in[2] != null ? in[2].data()[f] : 0;
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double sum = bias;
                        for (int ci = 0; ci < cg; ci++) {
                            int ch = g * cg + ci;
                            for (int u = 0; u < kh; u++) {
                                long yy = i * s[0] - p[0] + u * dl[0];
                                if (yy < 0 || yy >= h) {
                                    continue;
                                }
                                for (int v = 0; v < kw; v++) {
                                    long xx = j * s[1] - p[1] + v * dl[1];
                                    if (xx < 0 || xx >= wd) {
                                        continue;
                                    }
                                    sum += (double) x.data()[(int) (((b * c + ch) * h + yy) * wd + xx)]
                                            * w.data()[((f * cg + ci) * kh + u) * kw + v];
                                }
                            }
                        }
                        o[((b * m + f) * oh + i) * ow + j] = (float) sum;
                    }
                }
            }
        }
        return new Tensor(new long[] {batch, m, oh, ow}, o);
    }

    static Tensor maxPool(GraphNode n, Tensor x) {
        long[] k = n.intsAttr("kernel_shape");
        long[] s = or(n.intsAttr("strides"), 1, 1);
        long[] p = or(n.intsAttr("pads"), 0, 0, 0, 0);
        int b = x.dim(0);
        int c = x.dim(1);
        int h = x.dim(2);
        int w = x.dim(3);
        int oh = (int) ((h + p[0] + p[2] - k[0]) / s[0] + 1);
        int ow = (int) ((w + p[1] + p[3] - k[1]) / s[1] + 1);
        float[] o = new float[b * c * oh * ow];
        for (int bc = 0; bc < b * c; bc++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    float best = Float.NEGATIVE_INFINITY;
                    for (int u = 0; u < k[0]; u++) {
                        for (int v = 0; v < k[1]; v++) {
                            long yy = i * s[0] - p[0] + u;
                            long xx = j * s[1] - p[1] + v;
                            if (yy >= 0 && yy < h && xx >= 0 && xx < w) {
                                best = Math.max(best, x.data()[(int) ((bc * h + yy) * w + xx)]);
                            }
                        }
                    }
                    o[(bc * oh + i) * ow + j] = best;
                }
            }
        }
        return new Tensor(new long[] {b, c, oh, ow}, o);
    }

    static Tensor globalAvg(Tensor x) {
        int bc = x.dim(0) * x.dim(1);
        int hw = x.data().length / bc;
        float[] o = new float[bc];
        for (int i = 0; i < bc; i++) {
            double s = 0;
            for (int j = 0; j < hw; j++) {
                s += x.data()[i * hw + j];
            }
            o[i] = (float) (s / hw);
        }
        return new Tensor(new long[] {x.dim(0), x.dim(1), 1, 1}, o);
    }

    static Tensor batchNorm(GraphNode n, Tensor[] in) {
        float eps = n.floatAttr("epsilon", 1e-5f);
        Tensor x = in[0];
        int c = x.dim(1);
        int inner = x.data().length / (x.dim(0) * c);
        float[] o = new float[x.data().length];
        for (int i = 0; i < o.length; i++) {
            int ch = (i / inner) % c;
            double norm = (x.data()[i] - in[3].data()[ch]) / Math.sqrt(in[4].data()[ch] + eps);
            o[i] = (float) (norm * in[1].data()[ch] + in[2].data()[ch]);
        }
        return new Tensor(x.shape(), o);
    }

    static Tensor concat(Tensor[] in, int axis) {
        int r = in[0].rank();
        int ax = axis < 0 ? axis + r : axis;
        long[] shape = in[0].shape().clone();
        shape[ax] = 0;
        for (Tensor t : in) {
            shape[ax] += t.shape()[ax];
        }
        int outer = 1;
        for (int d = 0; d < ax; d++) {
            outer *= (int) shape[d];
        }
        float[] o = new float[(int) Arrays.stream(shape).reduce(1, (p, q) -> p * q)];
        int pos = 0;
        for (int b = 0; b < outer; b++) {
            for (Tensor t : in) {
                int chunk = t.data().length / outer;
                System.arraycopy(t.data(), b * chunk, o, pos, chunk);
                pos += chunk;
            }
        }
        return new Tensor(shape, o);
    }

    static Tensor flatten(Tensor x, int axis) {
        long outer = 1;
        for (int d = 0; d < axis; d++) {
            outer *= x.shape()[d];
        }
        return new Tensor(new long[] {outer, x.data().length / outer}, x.data());
    }

    static Tensor reshape(Tensor x, Tensor shapeT) {
        long[] shape = new long[shapeT.data().length];
        long known = 1;
        int infer = -1;
        for (int d = 0; d < shape.length; d++) {
            long v = (long) shapeT.data()[d];
            shape[d] = v == 0 ? x.shape()[d] : v;
            if (v == -1) {
                infer = d;
            } else {
                known *= shape[d];
            }
        }
        if (infer >= 0) {
            shape[infer] = x.data().length / known;
        }
        return new Tensor(shape, x.data());
    }

    private static long[] or(long[] v, long... fallback) {
        return v == null ? fallback : v;
    }
}
