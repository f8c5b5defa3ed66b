package dev.whittle.train;

/** A trainable tensor with its gradient and Adam moments, all flat in C order. */
final class Param {
    final float[] w;
    final float[] g;
    final float[] m;
    final float[] v;

    Param(int size) {
        w = new float[size];
        g = new float[size];
        m = new float[size];
        v = new float[size];
    }
}
