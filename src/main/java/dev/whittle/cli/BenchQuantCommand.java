package dev.whittle.cli;

import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.analysis.ActivationCalibration;
import dev.whittle.core.quant.ActivationHistogram;
import dev.whittle.core.quant.Calibration;
import dev.whittle.core.analysis.CalibrationData;
import dev.whittle.core.analysis.CalibrationFiles;
import dev.whittle.core.quant.Calibrators;
import dev.whittle.core.quant.Granularity;
import dev.whittle.core.quant.OpRules;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.quant.QuantizeStep;
import dev.whittle.core.quant.QuantizedWeight;
import dev.whittle.core.quant.Quantizer;
import dev.whittle.core.quant.WeightQuantizer;
import dev.whittle.core.quant.WeightSpec;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Benchmark of weight quantization (every weight layer, int8 per channel, with SQNR) against a
 * plain Java loop doing the same arithmetic, both timed in this run, alternating, medians; and,
 * with --calib, activation calibration's time and peak heap.
 */
@Command(name = "bench-quant", description = "Benchmark weight quantization against a plain loop; with --calib, calibration time and peak heap.")
final class BenchQuantCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx file.")
    Path model;

    @Option(names = "--runs", defaultValue = "9", description = "Timed runs of each (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--calib", paramLabel = "FILE", description = "Calibration data (as for quantize); enables the calibration benchmark.")
    List<String> calib = new ArrayList<>();

    @Option(names = "--calibration", defaultValue = "entropy", description = "Calibrator (default: ${DEFAULT-VALUE}).")
    String calibration;

    @Option(names = "--samples", defaultValue = "256", description = "Calibration samples; fewer in the file are cycled (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--calib-batch", defaultValue = "32", description = "Samples per batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--calib-only", description = "Skip the weight benchmark (to measure calibration under a small -Xmx).")
    boolean calibOnly;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    static volatile double sink;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        OnnxModel m = OnnxReader.read(model);
        List<WeightLayer> layers = m.graph().weightLayers().stream().filter(l -> OpRules.of(l.op()).isPresent()
                && l.graphPath().isEmpty() && l.dtype().isFloating() && l.shape().length >= 1).toList();
        if (calibOnly) {
            calibrationBench(m, layers, out);
            return 0;
        }
        long params = layers.stream().mapToLong(WeightLayer::params).sum();
        WeightSpec spec8 = WeightSpec.of(8, Granularity.CHANNEL);
        List<QuantizeStep> steps = List.of(QuantizeStep.all(QuantizeSpec.weights(spec8)));
        double[] plain = new double[runs];
        double[] whittle = new double[runs];
        double[] apply = new double[runs];
        for (int w = 0; w < 2; w++) {
            sink += plainLoop(layers) + whittle(layers, spec8) + Quantizer.apply(m, steps).report().layers().size();
        }
        double sqnrPlain = 0;
        double sqnrWhittle = 0;
        for (int i = 0; i < runs; i++) {
            long a = System.nanoTime();
            sqnrPlain = plainLoop(layers);
            long b = System.nanoTime();
            sqnrWhittle = whittle(layers, spec8);
            long c = System.nanoTime();
            sink += Quantizer.apply(m, steps).report().layers().size();
            long d = System.nanoTime();
            plain[i] = (b - a) / 1e6;
            whittle[i] = (c - b) / 1e6;
            apply[i] = (d - c) / 1e6;
        }
        double p = BenchStatsCommand.median(plain);
        double q = BenchStatsCommand.median(whittle);
        double ap = BenchStatsCommand.median(apply);
        out.printf(Locale.ROOT, "bench-quant: %s, %d weight layers, %,d weights, int8 per channel with SQNR, %d runs, %d cores%n",
                m.graph().fileName(), layers.size(), params, runs, Runtime.getRuntime().availableProcessors());
        out.printf(Locale.ROOT, "  plain Java loop (baseline):          median %8.1f ms  (mean SQNR %.2f dB)%n", p, sqnrPlain);
        out.printf(Locale.ROOT, "  whittle, all cores, cold:            median %8.1f ms  (mean SQNR %.2f dB)  ratio %.2fx of baseline%n",
                q, sqnrWhittle, q / p);
        out.printf(Locale.ROOT, "  whittle Quantizer.apply (+ ONNX):    median %8.1f ms%n", ap);
        out.println(q < 500 ? "  target (every weight in under 0.5 s): met" : "  target (every weight in under 0.5 s): NOT met");
        sliderMove(layers, out);
        out.flush();
        if (!calib.isEmpty()) {
            calibrationBench(m, layers, out);
        }
        return 0;
    }

    /**
     * What a workbench range-slider move costs: re-quantizing the largest layer (per tensor, an
     * explicit range) from its cached analysis, with clipped fraction and SQNR.
     */
    private void sliderMove(List<WeightLayer> layers, PrintWriter out) {
        WeightLayer big = layers.stream().max(java.util.Comparator.comparingLong(WeightLayer::params)).orElseThrow();
        dev.whittle.core.quant.WeightAnalysis a = dev.whittle.core.quant.WeightAnalysis.of(big);
        double[] t = new double[Math.max(runs, 5) * 4];
        for (int i = 0; i < t.length; i++) {
            double c = a.values().length == 0 ? 1 : 0.02 + 0.001 * i;
            WeightSpec s = new WeightSpec(8, true, Granularity.TENSOR, 0, new dev.whittle.core.quant.RangeSpec.Explicit(-c, c));
            long x = System.nanoTime();
            sink += WeightQuantizer.quantize(a, s).sqnrDb();
            t[i] = (System.nanoTime() - x) / 1e6;
        }
        out.printf(Locale.ROOT, "  slider move (re-quantize %s, %,d weights, from its cached analysis): median %.2f ms%n",
                big.node(), big.params(), BenchStatsCommand.median(t));
    }

    /** Reads every weight and quantizes it with Whittle's quantizer (fresh analyses); returns the mean SQNR. */
    static double whittle(List<WeightLayer> layers, WeightSpec spec) {
        double s = 0;
        for (QuantizedWeight q : WeightQuantizer.quantizeAll(layers, l -> spec, new java.util.HashMap<>())) {
            s += q.sqnrDb();
        }
        return s / layers.size();
    }

    /** The same arithmetic in the most direct loops: per-channel max, round, clamp, error. */
    static double plainLoop(List<WeightLayer> layers) {
        double total = 0;
        for (WeightLayer l : layers) {
            float[] w = l.tensor().toFloatArray();
            long[] dims = l.shape();
            int axis = l.axis();
            int channels = (int) dims[axis];
            int inner = 1;
            for (int d = axis + 1; d < dims.length; d++) {
                inner *= (int) dims[d];
            }
            float[] max = new float[channels];
            for (int i = 0; i < w.length; i++) {
                int c = (i / inner) % channels;
                max[c] = Math.max(max[c], Math.abs(w[i]));
            }
            float[] scale = new float[channels];
            for (int c = 0; c < channels; c++) {
                scale[c] = max[c] == 0 ? 1f : max[c] / 127f;
            }
            byte[] codes = new byte[w.length];
            double sig = 0;
            double err = 0;
            for (int i = 0; i < w.length; i++) {
                int c = (i / inner) % channels;
                long r = Math.max(-127, Math.min(127, (long) Math.rint(w[i] / scale[c])));
                codes[i] = (byte) r;
                double e = w[i] - r * scale[c];
                sig += (double) w[i] * w[i];
                err += e * e;
            }
            total += 10 * Math.log10(sig / err);
            sink += codes[codes.length / 2];
        }
        return total / layers.size();
    }

    private void calibrationBench(OnnxModel m, List<WeightLayer> layers, PrintWriter out) {
        CalibrationData file = CalibrationFiles.load(m.graph(), calib, null, batch, 0);
        CalibrationData data = cycled(file, samples);
        Set<String> tensors = new LinkedHashSet<>();
        for (WeightLayer l : layers) {
            String in = m.graph().nodes().stream().filter(n -> n.name().equals(l.node())).findFirst().orElseThrow().inputs().get(0);
            if (m.graph().constant(in).isEmpty()) {
                tensors.add(in);
            }
        }
        Calibration c = Calibration.parse("--calibration", calibration);
        HeapWatch watch = HeapWatch.start();
        long t0 = System.nanoTime();
        Map<String, ActivationHistogram> hist = ActivationCalibration.collect(m, List.copyOf(tensors), data, null, null, null);
        long t1 = System.nanoTime();
        Map<String, double[]> ranges = new LinkedHashMap<>();
        hist.forEach((k, h) -> ranges.put(k, Calibrators.range(h, c, 8, false)));
        long t2 = System.nanoTime();
        HeapWatch.Result heap = watch.stop();
        long values = hist.values().stream().mapToLong(ActivationHistogram::count).sum();
        out.printf(Locale.ROOT, "calibration: %s, %d activations, %d samples in batches of %d%s%n", c, tensors.size(),
                data.samples(), data.batchSize(),
                data.samples() > file.samples() ? " (the file's " + file.samples() + " samples, cycled)" : "");
        out.printf(Locale.ROOT, "  run + histograms: %.2f s; %s ranges: %.1f ms%n", (t1 - t0) / 1e9, c, (t2 - t1) / 1e6);
        out.printf(Locale.ROOT, "  values observed: %,d (%s if all were kept as float32)%n", values, Units.bytes(values * 4));
        out.printf(Locale.ROOT, "  heap: %s used before; peak %s sampled every 1 ms (%s sum of pool peaks, %s max before a GC); -Xmx %s%n",
                Units.bytes(heap.before()), Units.bytes(heap.sampledPeak()), Units.bytes(heap.poolPeaks()),
                Units.bytes(heap.gcPeak()), Units.bytes(Runtime.getRuntime().maxMemory()));
        out.flush();
    }

    /** The data repeated until it holds {@code n} samples (or cut to n); samples along axis 0 only. */
    static CalibrationData cycled(CalibrationData d, int n) {
        if (n <= d.samples()) {
            return d.limit(n);
        }
        dev.whittle.core.eval.Dataset data = d.dataset();
        Map<String, dev.whittle.core.eval.HostTensor> m = new LinkedHashMap<>();
        data.inputs().forEach((k, v) -> {
            int axis = data.axis(k);
            if (axis == dev.whittle.core.eval.SampleAxes.CONSTANT) {
                m.put(k, v);
                return;
            }
            if (axis != 0 || data.stream() != null) {
                throw new dev.whittle.core.BadInputException("--samples above the file's " + d.samples() + " cycles samples along axis 0 only;"
                        + " input '" + k + "' has them along axis " + axis + (data.stream() != null ? " of a stream" : "") + ".");
            }
            long[] s = v.shape();
            s[0] = n;
            java.nio.ByteBuffer src = v.bytes();
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocateDirect(Math.toIntExact(src.remaining() / v.shape()[0] * n))
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining()) {
                java.nio.ByteBuffer part = src.duplicate();
                part.limit(part.position() + Math.min(part.remaining(), b.remaining()));
                b.put(part);
            }
            m.put(k, new dev.whittle.core.eval.HostTensor(v.type(), s, b.flip()));
        });
        return new CalibrationData(new dev.whittle.core.eval.Dataset(m, null, data.description(), data.notes(), data.axes(),
                null), d.batchSize());
    }
}
