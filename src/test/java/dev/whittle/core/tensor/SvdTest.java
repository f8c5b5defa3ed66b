package dev.whittle.core.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_FDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F32;
import org.junit.jupiter.api.Test;

class SvdTest {
    static float[] random(int m, int n, long seed) {
        Random r = new Random(seed);
        float[] a = new float[m * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    /** A matrix with singular values 1/(i+1): the shape of trained weight spectra. */
    static float[] decaying(int m, int n, long seed) {
        int k = Math.min(m, n);
        SvdResult basis = Svd.full(random(m, n, seed), m, n);
        float[] s = new float[k];
        for (int i = 0; i < k; i++) {
            s[i] = 1f / (i + 1);
        }
        return new SvdResult(m, n, basis.u(), s, basis.vt()).reconstruct();
    }

    @Test
    void fullSvdReconstructsTallAndWideMatricesWithinFloatPrecision() {
        for (int[] mn : new int[][] {{37, 19}, {19, 37}, {24, 24}}) {
            float[] a = random(mn[0], mn[1], 1);
            SvdResult r = Svd.full(a, mn[0], mn[1]);
            assertEquals(Math.min(mn[0], mn[1]), r.k());
            assertTrue(Svd.relativeError(a, r.reconstruct()) < 1e-5, "reconstruction of " + mn[0] + "x" + mn[1]);
        }
    }

    @Test
    void factorsHaveOrthonormalColumnsAndRows() {
        int m = 30;
        int n = 12;
        SvdResult r = Svd.full(random(m, n, 2), m, n);
        int k = r.k();
        for (int p = 0; p < k; p++) {
            for (int q = 0; q < k; q++) {
                double uu = 0;
                for (int i = 0; i < m; i++) {
                    uu += r.u()[i * k + p] * r.u()[i * k + q];
                }
                double vv = 0;
                for (int j = 0; j < n; j++) {
                    vv += r.vt()[p * n + j] * r.vt()[q * n + j];
                }
                assertEquals(p == q ? 1 : 0, uu, 1e-5);
                assertEquals(p == q ? 1 : 0, vv, 1e-5);
            }
        }
    }

    @Test
    void singularValuesAgreeWithEjml() {
        int m = 40;
        int n = 25;
        float[] a = random(m, n, 3);
        SingularValueDecomposition_F32<FMatrixRMaj> ejml = DecompositionFactory_FDRM.svd(m, n, false, false, true);
        assertTrue(ejml.decompose(new FMatrixRMaj(m, n, true, a)));
        float[] expected = ejml.getSingularValues().clone();
        java.util.Arrays.sort(expected);
        float[] reversed = new float[n];
        for (int i = 0; i < n; i++) {
            reversed[i] = expected[n - 1 - i];
        }
        assertArrayEquals(reversed, Svd.values(a, m, n), 1e-4f);
        assertArrayEquals(reversed, Svd.full(a, m, n).s(), 1e-4f);
    }

    @Test
    void randomizedSvdIsWithinOnePercentOfTheOptimalTruncationError() {
        int m = 300;
        int n = 200;
        int rank = 16;
        float[] a = decaying(m, n, 4);
        SvdResult exact = Svd.full(a, m, n).truncate(rank);
        SvdResult approx = Svd.randomized(a, m, n, rank);
        double optimal = Svd.relativeError(a, exact.reconstruct());
        double got = Svd.relativeError(a, approx.reconstruct());
        assertTrue(got <= 1.01 * optimal, "randomized error " + got + " vs optimal " + optimal);
        assertArrayEquals(exact.s(), approx.s(), 1e-3f);
    }

    @Test
    void randomizedSvdIsDeterministicForASeed() {
        float[] a = random(50, 40, 5);
        assertArrayEquals(Svd.randomized(a, 50, 40, 5).u(), Svd.randomized(a, 50, 40, 5).u());
    }

    @Test
    void energyIsTheShareOfSquaredSingularValues() {
        assertEquals(0.8, Svd.energy(new float[] {2, 1}, 1), 1e-12);
        assertEquals(1.0, Svd.energy(new float[] {2, 1}, 2), 1e-12);
    }
}
