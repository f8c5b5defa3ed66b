package dev.whittle.quantfigures;

import ai.onnxruntime.OrtException;
import dev.whittle.core.eval.ActivationCollector.Input;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.quant.ActivationSpec;
import dev.whittle.core.quant.Calibration;
import dev.whittle.core.analysis.CalibrationData;
import dev.whittle.core.analysis.CalibratedQuantizer;
import dev.whittle.core.quant.Granularity;
import dev.whittle.core.quant.QuantFormat;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.quant.QuantizeStep;
import dev.whittle.core.quant.Quantizer;
import dev.whittle.core.quant.RangeSpec;
import dev.whittle.core.quant.WeightSpec;
import dev.whittle.core.tensor.Npy;
import dev.whittle.core.tensor.NpyArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The figures of docs/quantization.md: accuracy, similarity, file size and latency of every
 * format in ONNX Runtime. Slow (minutes), so it runs only when asked:
 * {@code mvn -B -ntp test -Dtest=QuantFigures -Dwhittle.figures=true}. Models are written to
 * target/quant-figures/.
 */
@EnabledIfSystemProperty(named = "whittle.figures", matches = "true")
class QuantFigures {
    static final Path SAMPLES = Path.of("sample-models");
    static final Path OUT = Path.of("target/quant-figures");

    record Variant(String name, QuantizeSpec spec) {
    }

    static WeightSpec w(int bits, Granularity g, int block) {
        return new WeightSpec(bits, true, g, block, RangeSpec.MINMAX);
    }

    static List<Variant> fashionVariants() {
        WeightSpec ch8 = w(8, Granularity.CHANNEL, 0);
        return List.of(
                new Variant("fp32", null),
                new Variant("int8 per tensor", QuantizeSpec.weights(w(8, Granularity.TENSOR, 0))),
                new Variant("int8 per channel", QuantizeSpec.weights(ch8)),
                new Variant("int4 per channel", QuantizeSpec.weights(w(4, Granularity.CHANNEL, 0))),
                new Variant("int4 block-32", QuantizeSpec.weights(w(4, Granularity.BLOCK, 32))),
                new Variant("W8A8 minmax", new QuantizeSpec(ch8, ActivationSpec.of(Calibration.MINMAX), null)),
                new Variant("W8A8 percentile:99.99", new QuantizeSpec(ch8, ActivationSpec.of(new Calibration.Percentile(99.99)), null)),
                new Variant("W8A8 entropy", new QuantizeSpec(ch8, ActivationSpec.of(Calibration.ENTROPY), null)),
                new Variant("W8A8 mse", new QuantizeSpec(ch8, ActivationSpec.of(Calibration.MSE), null)),
                new Variant("W8A8 entropy + outputs", new QuantizeSpec(ch8, ActivationSpec.of(Calibration.ENTROPY).withOutputs(true), null)));
    }

    @Test
    void fashion() throws Exception {
        Files.createDirectories(OUT);
        NpyArray xs = Npy.read(SAMPLES.resolve("fashion-test-x.npy"));
        long[] ys = Npy.read(SAMPLES.resolve("fashion-test-y.npy")).toLongArray();
        float[] x = xs.toFloatArray();
        NpyArray cx = Npy.read(SAMPLES.resolve("fashion-calib-x.npy"));
        CalibrationData calib = CalibrationData.single("input", Input.floats(cx.shape(), cx.toFloatArray()), 32);
        int n = (int) xs.shape()[0];
        StringBuilder sb = new StringBuilder();
        sb.append("| model | variant | accuracy % | file bytes | batch 1 ms | batch 32 ms |\n|---|---|---|---|---|---|\n");
        for (String name : List.of("fashion-mlp", "fashion-cnn")) {
            OnnxModel m = OnnxReader.read(SAMPLES.resolve(name + ".onnx"));
            Map<Path, String> rows = new LinkedHashMap<>();
            for (Variant v : fashionVariants()) {
                Path file = SAMPLES.resolve(name + ".onnx");
                if (v.spec() != null) {
                    file = OUT.resolve(name + "-" + v.name().replaceAll("[^a-zA-Z0-9.]+", "-") + ".onnx");
                    CalibratedQuantizer.apply(m, List.of(QuantizeStep.all(v.spec())), calib).model().save(file);
                }
                Map<String, Object> in = Map.of("input", x);
                Map<String, long[]> shapes = Map.of("input", xs.shape());
                try (OrtBench b = new OrtBench(file)) {
                    int correct = 0;
                    for (int from = 0; from < n; from += 250) {
                        float[] logits = b.run(in, shapes, from, 250);
                        for (int i = 0; i < 250; i++) {
                            int best = 0;
                            for (int c = 1; c < 10; c++) {
                                best = logits[i * 10 + c] > logits[i * 10 + best] ? c : best;
                            }
                            correct += best == ys[from + i] ? 1 : 0;
                        }
                    }
                    rows.put(file, String.format(Locale.ROOT, "| %s | %s | %.2f | %,d |", name, v.name(),
                            100.0 * correct / n, Files.size(file)));
                }
            }
            String load0 = load();
            Map<Path, double[]> lat = Latency.measure(List.copyOf(rows.keySet()), Map.of("input", x),
                    Map.of("input", xs.shape()), 32, 10, 40, 10);
            sb.append("| ").append(name).append(" | (load average ").append(load0).append(" / ").append(load())
                    .append(") | | | | |\n");
            rows.forEach((f, row) -> sb.append(row).append(String.format(Locale.ROOT, " %.3f | %.3f |%n",
                    lat.get(f)[0], lat.get(f)[1])));
        }
        System.out.println("\nFASHION FIGURES (ONNX Runtime, session.qdq_matmulnbits_accuracy_level=1, " + n
                + " test images; latency: 1 intra-op thread, medians of interleaved rounds)\n" + sb);
        Files.writeString(OUT.resolve("fashion.md"), sb.toString());
    }

    @Test
    void miniLm() throws Exception {
        Files.createDirectories(OUT);
        Path fp32 = SAMPLES.resolve("minilm/all-minilm-l6-v2.onnx");
        OnnxModel m = OnnxReader.read(fp32);
        Map<String, Object> in = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (String k : List.of("input_ids", "attention_mask", "token_type_ids")) {
            NpyArray a = Npy.read(SAMPLES.resolve("minilm-" + k + ".npy"));
            in.put(k, a.toLongArray());
            shapes.put(k, a.shape());
        }
        int n = (int) shapes.get("input_ids")[0];
        int seq = (int) shapes.get("input_ids")[1];
        long[] mask = (long[]) in.get("attention_mask");
        Map<String, QuantizeSpec> variants = new LinkedHashMap<>();
        variants.put("fp32", null);
        variants.put("int8 per channel (QDQ)", QuantizeSpec.weights(w(8, Granularity.CHANNEL, 0)));
        variants.put("int4 block-32 MatMulNBits", new QuantizeSpec(w(4, Granularity.BLOCK, 32), null, QuantFormat.MATMULNBITS));
        variants.put("int4 block-32 MatMulNBits asymmetric", new QuantizeSpec(
                new WeightSpec(4, false, Granularity.BLOCK, 32, RangeSpec.MINMAX), null, QuantFormat.MATMULNBITS));
        variants.put("int4 block-32 MatMulNBits mse", new QuantizeSpec(
                new WeightSpec(4, true, Granularity.BLOCK, 32, RangeSpec.MSE), null, QuantFormat.MATMULNBITS));
        variants.put("int4 block-32 QDQ", QuantizeSpec.weights(w(4, Granularity.BLOCK, 32)));
        variants.put("int4 block-32 MatMulNBits, accuracy_level=4", new QuantizeSpec(w(4, Granularity.BLOCK, 32), null,
                QuantFormat.MATMULNBITS));
        variants.put("dynamic int8 per channel", new QuantizeSpec(w(8, Granularity.CHANNEL, 0), null, QuantFormat.DYNAMIC));
        variants.put("W8A8 static QDQ, percentile:99.99", new QuantizeSpec(w(8, Granularity.CHANNEL, 0),
                ActivationSpec.of(new Calibration.Percentile(99.99)), null));
        variants.put("W8A8 static QDQ, entropy", new QuantizeSpec(w(8, Granularity.CHANNEL, 0),
                ActivationSpec.of(Calibration.ENTROPY), null));
        variants.put("dynamic int8 per tensor", new QuantizeSpec(w(8, Granularity.TENSOR, 0), null, QuantFormat.DYNAMIC));
        float[][] reference = null;
        StringBuilder sb = new StringBuilder();
        sb.append("| variant | mean cosine | min cosine | file bytes | batch 1 ms | batch 32 ms |\n|---|---|---|---|---|---|\n");
        Map<Path, String> rows = new LinkedHashMap<>();
        for (var e : variants.entrySet()) {
            Path file = fp32;
            if (e.getValue() != null) {
                file = OUT.resolve("minilm-" + e.getKey().replaceAll("[^a-zA-Z0-9]+", "-") + ".onnx");
                Map<String, Input> arrays = new LinkedHashMap<>();
                in.forEach((k, v) -> arrays.put(k, Input.longs(shapes.get(k), (long[]) v)));
                // the table's variants leave the embedding tables float (version-1 selection);
                // the Gather figures are a separate table in docs/quantization.md
                OnnxModel q = CalibratedQuantizer.apply(m, List.of(new QuantizeStep(
                                dev.whittle.core.select.LayerSelector.all().version1(), e.getValue())),
                        new CalibrationData(arrays, 16)).model();
                if (e.getKey().contains("accuracy_level=4")) {
                    q = withAccuracyLevel(q, 4);
                }
                q.save(file);
            }
            try (OrtBench b = new OrtBench(file)) {
                float[][] emb = new float[n][];
                for (int i = 0; i < n; i++) {
                    float[] tokens = b.run(in, shapes, i, 1);
                    emb[i] = meanPool(tokens, mask, i, seq);
                }
                if (reference == null) {
                    reference = emb;
                }
                double sum = 0;
                double min = 1;
                for (int i = 0; i < n; i++) {
                    double c = cosine(reference[i], emb[i]);
                    sum += c;
                    min = Math.min(min, c);
                }
                rows.put(file, String.format(Locale.ROOT, "| %s | %.5f | %.5f | %,d |", e.getKey(), sum / n, min, size(file)));
            }
        }
        String load0 = load();
        Map<Path, double[]> lat = Latency.measure(List.copyOf(rows.keySet()), in, shapes, 32, 8, 6, 3);
        rows.forEach((f, row) -> sb.append(row).append(String.format(Locale.ROOT, " %.2f | %.2f |%n", lat.get(f)[0], lat.get(f)[1])));
        sb.append("\nload average before/after the latency runs: ").append(load0).append(" / ").append(load()).append('\n');
        System.out.println("\nMINILM FIGURES (ONNX Runtime, session.qdq_matmulnbits_accuracy_level=1, " + n + " sentences, "
                + seq + " tokens, mean-pooled output_0; latency: 1 intra-op thread, medians of interleaved rounds)\n" + sb);
        Files.writeString(OUT.resolve("minilm.md"), sb.toString());
    }

    /**
     * Weight-only QDQ keeps DequantizeLinear in the graph, so ONNX Runtime dequantizes the weights
     * on every run; {@code session.disable_quant_qdq=1} lets it fold them into float constants
     * once at load. Batch-32 medians, 1 thread, for the MLP.
     */
    @Test
    void foldedWeightOnlyQdq() throws Exception {
        Files.createDirectories(OUT);
        NpyArray xs = Npy.read(SAMPLES.resolve("fashion-test-x.npy"));
        Map<String, Object> in = Map.of("input", xs.toFloatArray());
        Map<String, long[]> shapes = Map.of("input", xs.shape());
        Path fp32 = SAMPLES.resolve("fashion-mlp.onnx");
        Path q = OUT.resolve("fashion-mlp-int8-channel-folding.onnx");
        Quantizer.apply(OnnxReader.read(fp32), List.of(QuantizeStep.all(QuantizeSpec.weights(w(8, Granularity.CHANNEL, 0)))))
                .model().save(q);
        StringBuilder sb = new StringBuilder("| model | disable_quant_qdq | batch 32 ms |\n|---|---|---|\n");
        for (Path f : List.of(fp32, q)) {
            for (String flag : List.of("0", "1")) {
                List<Double> t = new java.util.ArrayList<>();
                try (OrtBench b = new OrtBench(f, 1, Map.of("session.disable_quant_qdq", flag))) {
                    b.time(in, shapes, 32, 20, 300, t);
                }
                sb.append(String.format(Locale.ROOT, "| %s | %s | %.3f |%n", f.getFileName(), flag, OrtBench.median(t)));
            }
        }
        System.out.println("\nFOLDING (fashion-mlp, 1 thread)\n" + sb);
    }

    /** The same model with every MatMulNBits set to compute with int8 activations (ORT's accuracy_level 4). */
    static OnnxModel withAccuracyLevel(OnnxModel m, long level) {
        var g = m.proto().getGraph().toBuilder();
        for (int i = 0; i < g.getNodeCount(); i++) {
            if (g.getNode(i).getOpType().equals("MatMulNBits")) {
                g.setNode(i, g.getNode(i).toBuilder().addAttribute(ai.onnx.proto.OnnxMl.AttributeProto.newBuilder()
                        .setName("accuracy_level").setType(ai.onnx.proto.OnnxMl.AttributeProto.AttributeType.INT).setI(level)));
            }
        }
        return OnnxReader.fromProto(m.proto().toBuilder().setGraph(g).build(), m.source());
    }

    /** The 1-minute load average, to show how busy the shared machine was. */
    static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    static long size(Path p) throws IOException {
        return Files.size(p);
    }

    /** Sentence embedding: token embeddings averaged over the attention mask. */
    static float[] meanPool(float[] tokens, long[] mask, int row, int seq) {
        int dim = tokens.length / seq;
        float[] out = new float[dim];
        int count = 0;
        for (int t = 0; t < seq; t++) {
            if (mask[row * seq + t] == 0) {
                continue;
            }
            count++;
            for (int d = 0; d < dim; d++) {
                out[d] += tokens[t * dim + d];
            }
        }
        for (int d = 0; d < dim; d++) {
            out[d] /= Math.max(1, count);
        }
        return out;
    }

    static double cosine(float[] a, float[] b) {
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += (double) a[i] * b[i];
            aa += (double) a[i] * a[i];
            bb += (double) b[i] * b[i];
        }
        return ab / Math.sqrt(aa * bb);
    }

}
