package dev.whittle.cli;

import dev.whittle.core.tensor.Svd;
import dev.whittle.core.tensor.SvdResult;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_FDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F32;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code whittle bench-svd [--runs N]}: times, in one run, a rank-64 truncation of a 2048x2048
 * matrix and the full spectrum of a 768x3072 one, by the randomized SVD, LAPACK's full sgesdd
 * and EJML, printing medians and the randomized error against the optimal truncation.
 */
@Command(name = "bench-svd", description = "Benchmark the SVD paths: randomized vs LAPACK sgesdd vs EJML.")
final class BenchSvdCommand implements Callable<Integer> {
    @Option(names = "--runs", defaultValue = "5", description = "Timed runs per method (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--ejml-runs", defaultValue = "1", description = "Timed EJML runs, which are slow (default: ${DEFAULT-VALUE}).")
    int ejmlRuns;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (runs < 1 || ejmlRuns < 0) {
            throw new dev.whittle.core.BadInputException("--runs must be at least 1 and --ejml-runs at least 0.");
        }
        var out = spec.commandLine().getOut();
        out.println("SVD benchmark: medians of " + runs + " runs (EJML: " + ejmlRuns + "), "
                + Runtime.getRuntime().availableProcessors() + " cores, matrices with singular values 1/(i+1)^0.5 + noise");
        int n = 2048;
        int r = 64;
        float[] a = matrix(n, n, 1);
        Svd.values(new float[4], 2, 2); // loads the native library outside the timings
        SvdResult[] rnd = new SvdResult[1];
        SvdResult[] full = new SvdResult[1];
        double tRnd = median(runs, () -> rnd[0] = Svd.randomized(a, n, n, r));
        double tFull = median(runs, () -> full[0] = Svd.full(a, n, n).truncate(r));
        double tEjml = ejmlRuns == 0 ? Double.NaN : median(ejmlRuns, () -> ejml(a, n, n, true));
        double eRnd = Svd.relativeError(a, rnd[0].reconstruct());
        double eOpt = Svd.relativeError(a, full[0].reconstruct());
        out.printf(Locale.ROOT, "rank %d of %dx%d: randomized %.3f s, sgesdd %.3f s, EJML %.3f s; randomized is %.1fx"
                        + " faster than sgesdd; error %.5f vs optimal %.5f (ratio %.4f)%n",
                r, n, n, tRnd, tFull, tEjml, tFull / tRnd, eRnd, eOpt, eRnd / eOpt);
        int m = 768;
        int k = 3072;
        float[] b = matrix(m, k, 2);
        float[][] sv = new float[2][];
        double tVals = median(runs, () -> sv[0] = Svd.values(b, m, k));
        double tFullB = median(runs, () -> Svd.full(b, m, k));
        double tEjmlB = ejmlRuns == 0 ? Double.NaN : median(ejmlRuns, () -> sv[1] = ejml(b, m, k, false));
        String agree = sv[1] == null ? "" : String.format(Locale.ROOT, "; largest |sigma difference| to EJML %.2e",
                maxDiff(sv[0], sv[1]));
        out.printf(Locale.ROOT, "full spectrum of %dx%d: sgesdd values only %.3f s, sgesdd with vectors %.3f s,"
                + " EJML values only %.3f s%s%n", m, k, tVals, tFullB, tEjmlB, agree);
        out.flush();
        return 0;
    }

    /** Seeded matrix with a slowly decaying spectrum, like trained weights: U diag(s) V^T plus noise. */
    static float[] matrix(int m, int n, long seed) {
        Random rnd = new Random(seed);
        float[] a = new float[m * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) rnd.nextGaussian() * 0.01f;
        }
        int k = Math.min(m, n);
        SvdResult basis = Svd.randomized(gaussian(m, n, seed + 7), m, n, Math.min(k, 256));
        float[] s = new float[basis.k()];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) (1 / Math.sqrt(i + 1));
        }
        float[] low = new SvdResult(m, n, basis.u(), s, basis.vt()).reconstruct();
        for (int i = 0; i < a.length; i++) {
            a[i] += low[i];
        }
        return a;
    }

    private static float[] gaussian(int m, int n, long seed) {
        Random rnd = new Random(seed);
        float[] a = new float[m * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) rnd.nextGaussian();
        }
        return a;
    }

    private static float[] ejml(float[] a, int m, int n, boolean vectors) {
        SingularValueDecomposition_F32<FMatrixRMaj> svd = DecompositionFactory_FDRM.svd(m, n, vectors, vectors, true);
        if (!svd.decompose(new FMatrixRMaj(m, n, true, a))) {
            throw new dev.whittle.core.InternalException("EJML's SVD did not converge.", null);
        }
        float[] s = svd.getSingularValues().clone();
        Arrays.sort(s);
        float[] desc = new float[s.length];
        for (int i = 0; i < s.length; i++) {
            desc[i] = s[s.length - 1 - i];
        }
        return desc;
    }

    private static double maxDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    private static double median(int runs, Supplier<?> work) {
        double[] t = new double[runs];
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            work.get();
            t[i] = (System.nanoTime() - start) / 1e9;
        }
        Arrays.sort(t);
        return runs % 2 == 1 ? t[runs / 2] : (t[runs / 2 - 1] + t[runs / 2]) / 2;
    }
}
