package dev.whittle.core.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Cholesky factor every data-aware method relies on, checked against H itself on sizes that
 * go through OpenBLAS's blocked code (its triangular-solve kernels). OpenBLAS 0.3.19, which ND4J
 * brings, fails this on AVX-512 CPUs ("not positive definite" for k of 64 and more); the pinned
 * version must pass it on every x86-64 CPU.
 */
class DampedCholeskyTest {
    @Test
    void rTransposeRIsTheDampedMatrixOnBlockedSizes() {
        Random r = new Random(7);
        for (int k : new int[] {10, 64, 150, 400}) {
            int n = 2 * k;
            double[] x = new double[n * k];
            for (int i = 0; i < x.length; i++) {
                x[i] = r.nextDouble() < 0.4 ? 0 : r.nextGaussian(); // sparse, non-negative-ish like ReLU inputs
            }
            double[] xtx = new double[k * k];
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    double s = 0;
                    for (int t = 0; t < n; t++) {
                        s += x[t * k + i] * x[t * k + j];
                    }
                    xtx[i * k + j] = s;
                }
            }
            double[] h = DampedCholesky.damped(xtx, k, 0.01);
            double[] u = DampedCholesky.upper(xtx, k, 0.01, "test");
            double worst = 0;
            for (int i = 0; i < k; i++) {
                for (int j = i; j < k; j++) {
                    double s = 0;
                    for (int t = 0; t <= i; t++) {
                        s += u[t * k + i] * u[t * k + j];
                    }
                    worst = Math.max(worst, Math.abs(s - h[i * k + j]) / (1 + Math.abs(h[i * k + j])));
                }
            }
            assertEquals(0, worst, 1e-10, "k " + k);
        }
    }
}
