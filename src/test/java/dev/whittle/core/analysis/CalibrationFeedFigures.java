package dev.whittle.core.analysis;

import dev.whittle.core.eval.Dataset;
import dev.whittle.core.eval.HostTensor;
import dev.whittle.core.eval.SampleAxes;
import dev.whittle.core.model.ValueInfo;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.quant.ActivationHistogram;
import dev.whittle.testing.StateModels;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Calibration ranges as fed by the evaluation path, printed beside their references.
 * (1) A generated model with its state on axis 1 and a scalar input: each tensor's calibrated
 * min/max beside a Java loop over the same samples. (2) A streaming model and its stream spec
 * (Silero VAD): the ranges of the chosen main-graph tensors when the spec is fed chunk by chunk
 * with the state carried, beside the same chunks fed with the state held at zeros.
 *
 * <p>{@code java dev.whittle.core.analysis.CalibrationFeedFigures [MODEL.onnx STREAM.yaml TENSOR...]}
 */
public final class CalibrationFeedFigures {
    private CalibrationFeedFigures() {
    }

    public static void main(String[] args) throws Exception {
        generated();
        if (args.length >= 3) {
            stream(Path.of(args[0]), Path.of(args[1]), List.of(args).subList(2, args.length));
        }
    }

    static void generated() throws Exception {
        int n = 200;
        float[] x = CalibrationFeedTest.random(11, n * 4);
        float[] state = CalibrationFeedTest.random(12, 2 * n * 3);
        long sr = 8000;
        CalibrationFeedTest.Ranges want = new CalibrationFeedTest.Ranges();
        for (int i = 0; i < n; i++) {
            float[][] s = new float[2][3];
            for (int l = 0; l < 2; l++) {
                for (int j = 0; j < 3; j++) {
                    s[l][j] = state[(l * n + i) * 3 + j];
                }
            }
            want.step(Arrays.copyOfRange(x, i * 4, i * 4 + 4), s, sr);
        }
        Path dir = Files.createTempDirectory("calib-figures");
        dev.whittle.core.tensor.Npy.writeNpz(dir.resolve("c.npz"), Map.of("x",
                dev.whittle.core.tensor.NpyArray.ofFloats(x, n, 4), "state",
                dev.whittle.core.tensor.NpyArray.ofFloats(state, 2, n, 3), "sr",
                dev.whittle.core.tensor.NpyArray.ofLongs(new long[] {sr})), false);
        OnnxModel m = StateModels.vad(StateModels.WO, false);
        CalibrationData d = CalibrationFiles.load(m.graph(), List.of("c.npz"), dir, 16, 0);
        Map<String, ActivationHistogram> got = ActivationCalibration.collect(m, CalibrationFeedTest.TENSORS, d, null, null,
                null);
        System.out.printf(Locale.ROOT, "generated model: x [%d,4], state [2,%d,3] (sample axis %d), sr scalar (%s); batch 16%n",
                n, n, d.dataset().axis("state"), d.dataset().axis("sr") == SampleAxes.CONSTANT ? "passed whole" : "?");
        System.out.printf(Locale.ROOT, "  %-6s %12s %12s %12s %12s %10s%n", "tensor", "min", "Java min", "max", "Java max",
                "max |diff|");
        for (String t : CalibrationFeedTest.TENSORS) {
            double[] w = want.r.get(t);
            ActivationHistogram h = got.get(t);
            System.out.printf(Locale.ROOT, "  %-6s %12.6f %12.6f %12.6f %12.6f %10.2e%n", t, h.min(), w[0], h.max(), w[1],
                    Math.max(Math.abs(h.min() - w[0]), Math.abs(h.max() - w[1])));
        }
    }

    static void stream(Path model, Path spec, List<String> tensors) {
        OnnxModel m = OnnxReader.read(model);
        CalibrationData carried = CalibrationFiles.load(m.graph(), List.of(spec.toString()), null, 32, 0);
        Dataset d = carried.dataset();
        // The same chunks as independent samples, each carried input held at zeros.
        Map<String, HostTensor> in = new LinkedHashMap<>(d.inputs());
        Map<String, Integer> axes = new LinkedHashMap<>(d.axes());
        for (String c : d.stream().carry().keySet()) {
            ValueInfo v = m.graph().inputs().stream().filter(i -> i.name().equals(c)).findFirst().orElseThrow();
            long[] shape = v.shape().stream().mapToLong(x -> x.isFixed() ? x.value() : 1).toArray();
            long count = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
            in.put(c, new HostTensor(dev.whittle.core.model.DataType.FLOAT, shape,
                    ByteBuffer.allocateDirect(Math.toIntExact(count * 4)).order(ByteOrder.LITTLE_ENDIAN)));
            axes.put(c, SampleAxes.CONSTANT);
        }
        CalibrationData zeros = new CalibrationData(new Dataset(in, null, "zeros", List.of(), axes, null), 1);
        long t0 = System.nanoTime();
        Map<String, ActivationHistogram> a = ActivationCalibration.collect(m, tensors, carried, null, null, null);
        long t1 = System.nanoTime();
        Map<String, ActivationHistogram> b = ActivationCalibration.collect(m, tensors, zeros, null, null, null);
        System.out.printf(Locale.ROOT, "%n%s on %s: %d chunks, streamed with %s carried (%.2f s)%n", model.getFileName(),
                spec.getFileName(), carried.samples(), d.stream().carry(), (t1 - t0) / 1e9);
        System.out.printf(Locale.ROOT, "  %-10s %24s %24s%n", "tensor", "carried [min, max]", "zero state [min, max]");
        for (String t : tensors) {
            System.out.printf(Locale.ROOT, "  %-10s %24s %24s%n", t, String.format(Locale.ROOT, "[%.4f, %.4f]", a.get(t).min(),
                    a.get(t).max()), String.format(Locale.ROOT, "[%.4f, %.4f]", b.get(t).min(), b.get(t).max()));
        }
    }
}
