package dev.whittle.testing;

import java.util.Arrays;
import java.util.Random;

/** A dense float tensor in C order, for reference computations in tests. */
public record Tensor(long[] shape, float[] data) {
    public Tensor {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " vs " + data.length + " values");
        }
    }

    public static Tensor random(long seed, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        Random r = new Random(seed);
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return new Tensor(shape, v);
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int axis) {
        return (int) shape[axis < 0 ? shape.length + axis : axis];
    }

    /** Largest |a - b| / (atol + rtol |b|) over all elements: at most 1 means within tolerance. */
    public static double closeness(Tensor a, Tensor b, double rtol, double atol) {
        if (!Arrays.equals(a.shape, b.shape)) {
            throw new AssertionError("shapes differ: " + Arrays.toString(a.shape) + " vs " + Arrays.toString(b.shape));
        }
        double worst = 0;
        for (int i = 0; i < a.data.length; i++) {
            worst = Math.max(worst, Math.abs(a.data[i] - b.data[i]) / (atol + rtol * Math.abs(b.data[i])));
        }
        return worst;
    }

    public static void assertClose(Tensor expected, Tensor actual, double rtol, double atol) {
        double c = closeness(actual, expected, rtol, atol);
        if (!(c <= 1)) {
            throw new AssertionError("outputs differ beyond rtol " + rtol + " / atol " + atol + " (worst ratio " + c + ")");
        }
    }
}
