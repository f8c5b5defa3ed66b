package dev.whittle.figures;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.prune.PruneSpec;
import dev.whittle.core.prune.Pruner;
import dev.whittle.core.quant.Granularity;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.quant.QuantizeStep;
import dev.whittle.core.quant.Quantizer;
import dev.whittle.core.quant.WeightSpec;
import dev.whittle.core.select.LayerSelector;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Figures for layers inside If bodies and LSTMs on Silero VAD (legacy: LSTMs and Convs in nested
 * If branches; v5: Convs in If branches, LSTM weights computed by ops): sizes before and after
 * int8 weight-only quantization (and 30% unstructured pruning), and fidelity in ONNX Runtime
 * (CPU) on a synthetic recording (a modulated 220 Hz tone from chunk 10 to 30 over noise, and
 * noise alone) fed chunk by chunk with the state carried, at 16 kHz and 8 kHz (one If branch
 * each). The models are not committed: {@code cd /tmp && npm pack @ricky0123/vad-web && tar xzf
 * ricky0123-vad-web-*.tgz}, then run with CLASSPATH set to
 * {@code target/test-classes:target/classes:$(cat target/classpath.txt)} (not -cp: ONNX Runtime's
 * start-up crashes on a long -cp) {@code java dev.whittle.figures.VadFigures /tmp/package/dist}.
 */
public final class VadFigures {
    private VadFigures() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "/tmp/package/dist");
        Path out = Files.createTempDirectory("vad-figures");
        for (String name : List.of("silero_vad_legacy", "silero_vad_v5")) {
            Path src = dir.resolve(name + ".onnx");
            OnnxModel m = OnnxReader.read(src);
            var q = Quantizer.apply(m, List.of(QuantizeStep.all(QuantizeSpec.weights(WeightSpec.of(8, Granularity.CHANNEL)))));
            Path qf = out.resolve(name + ".int8.onnx");
            q.model().save(qf);
            var p = Pruner.apply(m, LayerSelector.all(), PruneSpec.sparsity(0.3));
            Path pf = out.resolve(name + ".pruned30.onnx");
            p.model().save(pf);
            System.out.printf("%s: %d weight layers (%d inside If bodies, %d LSTM W/R)%n", name,
                    m.graph().weightLayers().size(),
                    m.graph().weightLayers().stream().filter(l -> !l.graphPath().isEmpty()).count(),
                    m.graph().weightLayers().stream().filter(l -> l.recurrent()).count());
            System.out.printf("  int8 weight-only: %d layers quantized, %d -> %d bytes (%.2fx)%n",
                    q.report().layers().size(), Files.size(src), Files.size(qf), (double) Files.size(src) / Files.size(qf));
            compare(src, qf, name.contains("v5"));
            System.out.printf("  unstructured 30%%: %d layers pruned%n",
                    p.report().layers().stream().filter(l -> l.skipped() == null).count());
            compare(src, pf, name.contains("v5"));
        }
    }

    static void compare(Path a, Path b, boolean v5) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s1 = env.createSession(a.toString(), new OrtSession.SessionOptions());
             OrtSession s2 = env.createSession(b.toString(), new OrtSession.SessionOptions())) {
            for (long sr : new long[] {16000, 8000}) {
                for (String signal : new String[] {"tone+noise", "noise"}) {
                    int chunk = sr == 16000 ? 512 : 256;
                    int steps = 40;
                    Random r = new Random(7);
                    double[] o1 = new double[steps];
                    double[] o2 = new double[steps];
                    float[][] st1 = init(v5);
                    float[][] st2 = init(v5);
                    for (int t = 0; t < steps; t++) {
                        float[] x = new float[chunk];
                        for (int i = 0; i < chunk; i++) {
                            double time = (t * chunk + i) / (double) sr;
                            double voice = signal.startsWith("tone") && t >= 10 && t < 30
                                    ? 0.5 * Math.sin(2 * Math.PI * 220 * time) * (1 + 0.5 * Math.sin(2 * Math.PI * 3 * time)) : 0;
                            x[i] = (float) (voice + 0.02 * r.nextGaussian());
                        }
                        float[][] n1 = run(env, s1, x, sr, st1, v5);
                        float[][] n2 = run(env, s2, x, sr, st2, v5);
                        o1[t] = n1[0][0];
                        o2[t] = n2[0][0];
                        st1 = Arrays.copyOfRange(n1, 1, n1.length);
                        st2 = Arrays.copyOfRange(n2, 1, n2.length);
                    }
                    double dot = 0;
                    double n1s = 0;
                    double n2s = 0;
                    double maxOut = 0;
                    for (int t = 0; t < steps; t++) {
                        dot += o1[t] * o2[t];
                        n1s += o1[t] * o1[t];
                        n2s += o2[t] * o2[t];
                        maxOut = Math.max(maxOut, Math.abs(o1[t] - o2[t]));
                    }
                    System.out.printf("    sr %5d %-10s %d chunks of %d: per-chunk output cosine %.6f, max |dp| %.4f"
                            + " (original p %.3f..%.3f)%n", sr, signal, steps, chunk, dot / Math.sqrt(n1s * n2s), maxOut,
                            Arrays.stream(o1).min().getAsDouble(), Arrays.stream(o1).max().getAsDouble());
                }
            }
        }
    }

    static float[][] init(boolean v5) {
        return v5 ? new float[][] {new float[2 * 128]} : new float[][] {new float[2 * 64], new float[2 * 64]};
    }

    static float[][] run(OrtEnvironment env, OrtSession s, float[] x, long sr, float[][] st, boolean v5) throws Exception {
        Map<String, OnnxTensor> in = new HashMap<>();
        in.put("input", OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, x.length}));
        in.put("sr", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {sr}), new long[0]));
        if (v5) {
            in.put("state", OnnxTensor.createTensor(env, FloatBuffer.wrap(st[0]), new long[] {2, 1, 128}));
        } else {
            in.put("h", OnnxTensor.createTensor(env, FloatBuffer.wrap(st[0]), new long[] {2, 1, 64}));
            in.put("c", OnnxTensor.createTensor(env, FloatBuffer.wrap(st[1]), new long[] {2, 1, 64}));
        }
        try (OrtSession.Result r = s.run(in)) {
            List<float[]> out = new ArrayList<>();
            for (var e : r) {
                FloatBuffer fb = ((OnnxTensor) e.getValue()).getFloatBuffer();
                float[] v = new float[fb.remaining()];
                fb.get(v);
                out.add(v);
            }
            return out.toArray(float[][]::new);
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }
}
