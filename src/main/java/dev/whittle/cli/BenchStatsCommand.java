package dev.whittle.cli;

import dev.whittle.core.model.DataType;
import dev.whittle.core.model.Storage;
import dev.whittle.core.model.TensorData;
import dev.whittle.core.tensor.WeightStatistics;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Benchmark: statistics throughput against a plain Java sum over the same floats, both measured
 * in this run, alternating, reporting medians and their ratio.
 */
@Command(name = "bench-stats", description = "Benchmark weight statistics against a plain Java sum.")
final class BenchStatsCommand implements Callable<Integer> {
    @Option(names = "--elements", defaultValue = "50000000", description = "Floats in the tensor (default: ${DEFAULT-VALUE}).")
    int elements;

    @Option(names = "--runs", defaultValue = "9", description = "Timed runs of each (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--bins", defaultValue = "128", description = "Histogram bins (default: ${DEFAULT-VALUE}).")
    int bins;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    static volatile double sink;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        ByteBuffer bytes = ByteBuffer.allocateDirect(elements * 4).order(ByteOrder.LITTLE_ENDIAN);
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < elements; i++) {
            bytes.putFloat(i * 4, (float) (r.nextGaussian() * 0.05));
        }
        TensorData t = tensor(bytes);
        float[] heap = new float[elements];
        t.readFloats(0, heap, 0, elements);
        double[] sum = new double[runs];
        double[] stats = new double[runs];
        double[] stats1 = new double[runs];
        for (int w = 0; w < 2; w++) {
            sink += plainSum(heap) + WeightStatistics.compute(t, bins).mean();
        }
        for (int i = 0; i < runs; i++) {
            long a = System.nanoTime();
            sink += plainSum(heap);
            long b = System.nanoTime();
            sink += WeightStatistics.compute(t, bins).std();
            long c = System.nanoTime();
            sink += WeightStatistics.compute(t, bins, 1).std();
            long d = System.nanoTime();
            sum[i] = (b - a) / 1e6;
            stats[i] = (c - b) / 1e6;
            stats1[i] = (d - c) / 1e6;
        }
        double ms = median(sum);
        double st = median(stats);
        double st1 = median(stats1);
        double gb = elements * 4 / 1e9;
        out.printf(Locale.ROOT, "bench-stats: %,d float32 (%.0f MB), %d bins, %d runs, %d cores%n", elements, gb * 1000,
                bins, runs, Runtime.getRuntime().availableProcessors());
        out.printf(Locale.ROOT, "  plain Java sum (baseline, 1 thread): median %8.1f ms  %6.2f GB/s%n", ms, gb / (ms / 1e3));
        out.printf(Locale.ROOT, "  whittle stats, all cores:            median %8.1f ms  %6.2f GB/s  ratio %.2fx of baseline time%n",
                st, gb / (st / 1e3), st / ms);
        out.printf(Locale.ROOT, "  whittle stats, 1 thread:             median %8.1f ms  %6.2f GB/s  ratio %.2fx%n",
                st1, gb / (st1 / 1e3), st1 / ms);
        out.println(st / ms <= 2.0 ? "  target (within 2x of the plain sum): met" : "  target (within 2x of the plain sum): NOT met");
        out.flush();
        return 0;
    }

    private static TensorData tensor(ByteBuffer bytes) {
        // Build the tensor the same way the reader does for raw float32 data.
        var fb = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        return new TensorData("bench", DataType.FLOAT, new long[] {fb.capacity()}, Storage.INITIALIZER, bytes,
                (s, dst, off, len) -> fb.get((int) s, dst, off, len));
    }

    static double plainSum(float[] a) {
        double s = 0;
        for (float v : a) {
            s += v;
        }
        return s;
    }

    static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }
}
