package dev.whittle.core.lowrank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Whitening around the input's mean plus the bias shift μᵀ(W − Ŵ), checked against an
 * independent computation: the layer's output error x·Ŵ + Δb − x·W over the samples equals
 * Eckart-Young's optimum for the centred outputs (X − 1μᵀ)·W (one-sided Jacobi SVD of
 * WhiteningTest), the mean output is kept exactly, and the error is below whitening around zero,
 * with or without the shift. Inputs are all positive (after a ReLU, or pixels), where the two differ.
 */
class CenteredWhiteningTest {
    private static final int N = 120;
    private static final int M = 10;
    private static final int OUT = 8;

    @Test
    void centredFactorsWithTheShiftAreOptimalAndKeepTheMeanOutput() {
        Random rnd = new Random(11);
        double[] x = new double[N * M];
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < M; j++) {
                x[i * M + j] = 2 + j + Math.abs(rnd.nextGaussian()) * (1 + j % 3); // large means, small spread
            }
        }
        float[] w = new float[M * OUT];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rnd.nextGaussian();
        }
        double[] sums = new double[M];
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < M; j++) {
                sums[j] += x[i * M + j];
            }
        }
        double[] mean = sums.clone();
        for (int j = 0; j < M; j++) {
            mean[j] /= N;
        }
        double[] xc = x.clone();
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < M; j++) {
                xc[i * M + j] -= mean[j];
            }
        }
        double[] xtx = WhiteningTest.gram(x, N, M);
        double[] cov = BiasShift.centered(xtx, sums, N);
        double[] exactCov = WhiteningTest.gram(xc, N, M);
        for (int i = 0; i < cov.length; i++) {
            assertEquals(exactCov[i], cov[i], 1e-9 * Math.abs(xtx[i]) + 1e-9, "XᵀX − n μμᵀ = (X − 1μᵀ)ᵀ(X − 1μᵀ)");
        }
        double[] bc = WhiteningTest.mul(xc, WhiteningTest.toDouble(w), N, M, OUT);
        double[] sigma = WhiteningTest.jacobiSvd(bc, N, OUT)[0];
        double[] y = WhiteningTest.mul(x, WhiteningTest.toDouble(w), N, M, OUT);
        for (int r : new int[] {1, 2, 4}) {
            float[][] f = LowRank.whitenedFactors(w, M, OUT, r, cov, 0);
            float[] approx = product(f, r);
            double[] shift = LowRank.meanShift(new Matrix(M, OUT, w), approx, mean, false);
            double[] yc = WhiteningTest.mul(x, WhiteningTest.toDouble(approx), N, M, OUT);
            double err = 0;
            double[] meanErr = new double[OUT];
            for (int i = 0; i < N; i++) {
                for (int o = 0; o < OUT; o++) {
                    double d = yc[i * OUT + o] + shift[o] - y[i * OUT + o];
                    err += d * d;
                    meanErr[o] += d / N;
                }
            }
            double opt = 0;
            for (int i = r; i < sigma.length; i++) {
                opt += sigma[i] * sigma[i];
            }
            assertEquals(Math.sqrt(opt), Math.sqrt(err), 1e-6 * Math.sqrt(opt), "rank " + r + ": Eckart-Young on the centred outputs");
            for (double e : meanErr) {
                assertEquals(0, e, 1e-9 * WhiteningTest.maxAbs(y), "rank " + r + ": the mean output is kept");
            }
            float[][] u = LowRank.whitenedFactors(w, M, OUT, r, xtx, 0);
            float[] ua = product(u, r);
            double[] yu = WhiteningTest.mul(x, WhiteningTest.toDouble(ua), N, M, OUT);
            double[] us = LowRank.meanShift(new Matrix(M, OUT, w), ua, mean, false);
            double errZero = 0;
            double errZeroShifted = 0;
            for (int i = 0; i < y.length; i++) {
                double d = yu[i] - y[i];
                errZero += d * d;
                double s = d + us[i % OUT];
                errZeroShifted += s * s;
            }
            assertTrue(err < errZeroShifted && errZeroShifted <= errZero * (1 + 1e-9), "rank " + r + ": centred " + err
                    + " < around zero with the shift " + errZeroShifted + " <= around zero " + errZero);
        }
    }

    private static float[] product(float[][] f, int r) {
        double[] p = WhiteningTest.mul(WhiteningTest.toDouble(f[0]), WhiteningTest.toDouble(f[1]), M, r, OUT);
        float[] out = new float[p.length];
        for (int i = 0; i < p.length; i++) {
            out[i] = (float) p[i];
        }
        return out;
    }
}
