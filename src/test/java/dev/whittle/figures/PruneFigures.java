package dev.whittle.figures;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.whittle.core.lowrank.LowRank;
import dev.whittle.core.lowrank.LowRankSpec;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.prune.PruneSpec;
import dev.whittle.core.prune.Pruner;
import dev.whittle.core.select.LayerSelector;
import dev.whittle.core.tensor.Npy;
import dev.whittle.core.transform.LayerReport;
import dev.whittle.core.transform.TransformResult;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Figures for docs/pruning-lowrank.md: accuracy in ONNX Runtime (CPU, default optimizations) of
 * the Fashion-MNIST samples on the committed test set after each pruning and low-rank setting,
 * and the written file sizes. Not a test; run it with
 * {@code java -cp target/test-classes:target/classes:$(cat target/classpath.txt)
 * dev.whittle.figures.PruneFigures sample-models}.
 */
public final class PruneFigures {
    private PruneFigures() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "sample-models");
        float[] x = Npy.read(dir.resolve("fashion-test-x.npy")).toFloatArray();
        long[] y = Npy.read(dir.resolve("fashion-test-y.npy")).toLongArray();
        Path tmp = Files.createTempDirectory("whittle-figures");
        for (String name : List.of("fashion-mlp.onnx", "fashion-cnn.onnx")) {
            OnnxModel m = OnnxReader.read(dir.resolve(name));
            System.out.printf(Locale.ROOT, "%n## %s (%d test images)%n%n| setting | accuracy | file bytes | vs original | notes |%n"
                    + "|---|---|---|---|---|%n", name, y.length);
            System.out.printf(Locale.ROOT, "| original | %.2f%% | %d | 100.0%% | |%n", 100 * accuracy(m, x, y),
                    Files.size(dir.resolve(name)));
            List<Object[]> settings = new ArrayList<>();
            for (double s : new double[] {0.3, 0.5, 0.7}) {
                settings.add(new Object[] {"unstructured " + pct(s) + " per layer", (Function<OnnxModel, TransformResult>)
                        mm -> Pruner.apply(mm, LayerSelector.all(), PruneSpec.sparsity(s))});
            }
            for (double s : new double[] {0.3, 0.5, 0.7}) {
                settings.add(new Object[] {"unstructured " + pct(s) + " global", (Function<OnnxModel, TransformResult>)
                        mm -> Pruner.apply(mm, LayerSelector.all(), PruneSpec.global(s, null, null))});
            }
            settings.add(new Object[] {"unstructured 70% per layer, sparse storage", (Function<OnnxModel, TransformResult>)
                    mm -> Pruner.apply(mm, LayerSelector.all(), PruneSpec.sparsity(0.7).withStorage("sparse"))});
            settings.add(new Object[] {"2:4 (layers whose input dimension is a multiple of 4)", (Function<OnnxModel, TransformResult>)
                    mm -> Pruner.apply(mm, inputMultipleOf(mm, 4), PruneSpec.nOfM(2, 4))});
            for (double s : new double[] {0.25, 0.5}) {
                settings.add(new Object[] {"channel " + pct(s) + " (l1)", (Function<OnnxModel, TransformResult>)
                        mm -> Pruner.apply(mm, LayerSelector.all(), PruneSpec.channel(s, "l1"))});
            }
            for (int r : new int[] {32, 8}) {
                settings.add(new Object[] {"low-rank r=" + r, (Function<OnnxModel, TransformResult>)
                        mm -> LowRank.apply(mm, atLeast(mm, r), LowRankSpec.rank(r))});
            }
            for (Object[] s : settings) {
                @SuppressWarnings("unchecked")
                Function<OnnxModel, TransformResult> f = (Function<OnnxModel, TransformResult>) s[1];
                TransformResult r;
                try {
                    r = f.apply(m);
                } catch (RuntimeException e) {
                    System.out.printf(Locale.ROOT, "| %s | n/a | | | %s |%n", s[0], e.getMessage());
                    continue;
                }
                Path out = tmp.resolve(name.replace(".onnx", "") + "-" + settings.indexOf(s) + ".onnx");
                r.model().save(out);
                long bytes = Files.size(out);
                System.out.printf(Locale.ROOT, "| %s | %.2f%% | %d | %.1f%% | %s |%n", s[0],
                        100 * accuracy(OnnxReader.read(out), x, y), bytes, 100.0 * bytes / Files.size(dir.resolve(name)),
                        notes(r));
            }
        }
    }

    /** Layers whose smaller dimension is above r (so rank r is a valid spec for each). */
    static LayerSelector atLeast(OnnxModel m, int r) {
        List<String> names = new ArrayList<>();
        for (WeightLayer l : m.graph().weightLayers()) {
            long[] s = l.shape();
            long rows = s[0];
            long cols = l.params() / rows;
            if (Math.min(rows, cols) > r && (!l.op().equals("Conv") || s[0] > r)) {
                names.add(Pattern.quote(l.node()));
            }
        }
        return new LayerSelector(List.of(), names, List.of());
    }

    /** Layers whose input dimension (Conv axis 1, Gemm/MatMul the non-output axis) is a multiple of m. */
    static LayerSelector inputMultipleOf(OnnxModel m, int k) {
        List<String> names = new ArrayList<>();
        for (WeightLayer l : m.graph().weightLayers()) {
            long[] s = l.shape();
            int in = l.op().equals("Conv") ? 1 : l.op().equals("Gemm") ? 1 - l.axis() : s.length - 2;
            if (s[in] % k == 0) {
                names.add(Pattern.quote(l.node()));
            }
        }
        return new LayerSelector(List.of(), names, List.of());
    }

    static String notes(TransformResult r) {
        StringBuilder sb = new StringBuilder();
        for (LayerReport l : r.report().layers()) {
            if (sb.length() > 0) {
                sb.append("; ");
            }
            sb.append(l.node()).append(": ");
            if (l.skipped() != null) {
                sb.append("kept (").append(l.skipped()).append(")");
            } else if (l.channels() != null) {
                sb.append(l.channels()).append(" ch");
            } else if (l.rank() != null) {
                sb.append("r=").append(l.rank()).append(String.format(Locale.ROOT, ", err %.3f", l.relError()));
            } else {
                sb.append(String.format(Locale.ROOT, "%.0f%%", 100 * l.sparsity()));
            }
        }
        return sb.toString().replace("|", "/");
    }

    static String pct(double s) {
        return Math.round(100 * s) + "%";
    }

    /** Top-1 accuracy in ONNX Runtime, in batches of 500. */
    static double accuracy(OnnxModel m, float[] x, long[] y) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int n = y.length;
        int per = x.length / n;
        var input = m.graph().inputs().get(0);
        boolean flat = input.shape() != null && input.shape().size() == 2;
        int correct = 0;
        try (OrtSession s = env.createSession(m.proto().toByteArray(), new OrtSession.SessionOptions())) {
            for (int start = 0; start < n; start += 500) {
                int b = Math.min(500, n - start);
                long[] shape = flat ? new long[] {b, per} : new long[] {b, 1, 28, 28};
                FloatBuffer buf = java.nio.ByteBuffer.allocateDirect(b * per * 4).order(java.nio.ByteOrder.nativeOrder())
                        .asFloatBuffer().put(x, start * per, b * per);
                buf.rewind();
                try (OnnxTensor t = OnnxTensor.createTensor(env, buf, shape);
                     OrtSession.Result r = s.run(Map.of(input.name(), t))) {
                    float[][] logits = (float[][]) r.get(0).getValue();
                    for (int i = 0; i < b; i++) {
                        int best = 0;
                        for (int k = 1; k < logits[i].length; k++) {
                            if (logits[i][k] > logits[i][best]) {
                                best = k;
                            }
                        }
                        correct += best == y[start + i] ? 1 : 0;
                    }
                }
            }
        }
        return (double) correct / n;
    }
}
