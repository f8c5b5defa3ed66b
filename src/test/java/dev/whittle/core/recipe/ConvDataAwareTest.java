package dev.whittle.core.recipe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.model.DataType;
import dev.whittle.core.onnx.GraphBuilder;
import dev.whittle.core.onnx.GraphEditor;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.tensor.Npy;
import dev.whittle.core.tensor.NpyArray;
import dev.whittle.testing.Ort;
import dev.whittle.testing.QuantModels;
import dev.whittle.testing.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data-aware methods on Conv layers, end to end from a recipe: each is judged by what ONNX
 * Runtime computes on images it was not calibrated on, against the same recipe without the
 * data-aware key. The images' channels differ in scale (5, 1, 0.2), so statistics matter.
 */
class ConvDataAwareTest {
    private static final int C = 3;
    private static final int HW = 10;

    @Test
    void wandaPrunesHalfOfEveryFilterAndBeatsMagnitudeAndReconstructBeatsBoth(@TempDir Path tmp) throws Exception {
        OnnxModel m = twoConvs(1);
        double magnitude = error(m, run(tmp, m, "prune: {sparsity: 0.5}"));
        OnnxModel wanda = run(tmp, m, "prune: {sparsity: 0.5, criterion: wanda}");
        for (String w : new String[] {"w1", "w2"}) {
            float[] v = GraphEditor.of(wanda).floats(w);
            long[] d = GraphEditor.of(wanda).dims(w);
            int width = v.length / (int) d[0];
            long total = 0;
            for (int o = 0; o < d[0]; o++) {
                int row = o;
                long zeros = IntStream.range(0, width).filter(j -> v[row * width + j] == 0f).count();
                assertTrue(zeros == width / 2 || zeros == width / 2 + 1, w + " filter " + o + " loses half of its weights: " + zeros);
                total += zeros;
            }
            assertEquals(v.length / 2, total, w + ": floor(0.5 x n) weights in all");
        }
        double wandaErr = error(m, wanda);
        double refit = error(m, run(tmp, m, "prune: {sparsity: 0.5, criterion: wanda}\n    reconstruct: {damp: 0.01}"));
        assertTrue(wandaErr < 0.8 * magnitude, "wanda " + wandaErr + " vs magnitude " + magnitude);
        assertTrue(refit < 0.8 * wandaErr, "wanda + reconstruct " + refit + " vs wanda " + wandaErr);
    }

    @Test
    void wandaRanksAGroupedConvByItsOwnGroupsInputs(@TempDir Path tmp) throws Exception {
        OnnxModel m = twoConvs(2);
        double magnitude = error(m, run(tmp, m, "prune: {sparsity: 0.5}"));
        OnnxModel pruned = run(tmp, m, "prune: {sparsity: 0.5, criterion: wanda}");
        double wanda = error(m, pruned);
        assertTrue(wanda < 0.8 * magnitude, "grouped: wanda " + wanda + " vs magnitude " + magnitude);
        // reconstruct refits each group's filters with its own XᵀX block; the zeros stay where Wanda put them
        OnnxModel refit = run(tmp, m, "prune: {sparsity: 0.5, criterion: wanda}\n    reconstruct: {damp: 0.01}");
        float[] a = GraphEditor.of(pruned).floats("w2");
        float[] b = GraphEditor.of(refit).floats("w2");
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i] == 0f, b[i] == 0f, "w2 keeps its zeros at " + i);
        }
        double refitErr = error(m, refit);
        assertTrue(refitErr < 0.8 * wanda, "grouped: wanda + reconstruct " + refitErr + " vs wanda " + wanda);
    }

    @Test
    void gptqRoundsConvFiltersBetterThanRoundToNearest(@TempDir Path tmp) throws Exception {
        OnnxModel m = twoConvs(1);
        String q = "quantize: {weights: {bits: 4, granularity: channel%s}}";
        double rtn = error(m, run(tmp, m, q.formatted("")));
        RecipeRunner.Result gptq = result(tmp, m, q.formatted(", method: gptq"));
        assertTrue(gptq.warnings().stream().noneMatch(w -> w.contains("rounded to nearest")), gptq.warnings().toString());
        double err = error(m, gptq.model());
        assertTrue(err < 0.8 * rtn, "gptq " + err + " vs rtn " + rtn);
        // A grouped Conv: each group's filters rounded with its own block of XᵀX.
        OnnxModel g2 = twoConvs(2);
        double rtnGrouped = error(g2, run(tmp, g2, q.formatted("")));
        RecipeRunner.Result grouped = result(tmp, g2, q.formatted(", method: gptq"));
        assertTrue(grouped.warnings().stream().noneMatch(w -> w.contains("rounded to nearest")), grouped.warnings().toString());
        double errGrouped = error(g2, grouped.model());
        assertTrue(errGrouped < 0.8 * rtnGrouped, "grouped: gptq " + errGrouped + " vs rtn " + rtnGrouped);
    }

    @Test
    void biasCorrectionRestoresEachChannelsMeanOnTheCalibrationImages(@TempDir Path tmp) throws Exception {
        OnnxModel m = oneConv();
        String q = "quantize: {weights: {bits: 4, granularity: tensor}%s}";
        OnnxModel plain = run(tmp, m, q.formatted(""));
        OnnxModel corrected = run(tmp, m, q.formatted(", biasCorrection: true"));
        Tensor calib = images(1, 64);
        double[] want = channelMeans(Ort.run1(m, "x", calib));
        double[] before = channelMeans(Ort.run1(plain, "x", calib));
        double[] after = channelMeans(Ort.run1(corrected, "x", calib));
        double shift = 0;
        for (int o = 0; o < want.length; o++) {
            shift = Math.max(shift, Math.abs(before[o] - want[o]));
            // the correction is the expected shift on these very images: exact up to float rounding
            assertEquals(want[o], after[o], 1e-4 * (1 + Math.abs(want[o])), "mean of channel " + o);
        }
        assertTrue(shift > 1e-2, "4-bit rounding shifts some channel's mean (" + shift + ")");
    }

    @Test
    void whitenedSvdKeepsWhatTheConvsOutputNeeds(@TempDir Path tmp) throws Exception {
        OnnxModel m = twoConvs(1);
        double plain = error(m, run(tmp, m, "lowrank: {rank: 3}"));
        double whitened = error(m, run(tmp, m, "lowrank: {rank: 3, whiten: true}"));
        assertTrue(whitened < 0.8 * plain, "whitened " + whitened + " vs plain " + plain);
    }

    /**
     * A grouped Conv (conv2, group 2) is whitened group by group, each with its own block of XᵀX
     * (and around its own inputs' mean, the bias taking what the factors lose of it): both layers
     * are factored, and the output error falls well below plain SVD's at the same rank.
     */
    @Test
    void aGroupedConvIsWhitenedGroupByGroup(@TempDir Path tmp) throws Exception {
        OnnxModel m = twoConvs(2);
        double plain = error(m, run(tmp, m, "lowrank: {rank: 2}"));
        RecipeRunner.Result white = result(tmp, m, "lowrank: {rank: 2, whiten: true}");
        assertTrue(white.model().graph().weightLayers().stream().map(l -> l.node()).toList()
                .containsAll(java.util.List.of("conv1.u", "conv1.v", "conv2.u", "conv2.v")), white.warnings().toString());
        double whitened = error(m, white.model());
        assertTrue(whitened < 0.8 * plain, "grouped: whitened " + whitened + " vs plain " + plain);
    }

    @Test
    void theActivationCriterionKeepsTheChannelsWithTheLargestMeanOutput(@TempDir Path tmp) throws Exception {
        // conv1 of twoConvs alone: its output is what the criterion ranks (conv2's is the graph's, left whole)
        Tensor y = Ort.run1(oneConv(), "x", images(1, 64));
        OnnxModel m = twoConvs(1);
        double[] meanAbs = new double[8];
        int spatial = y.data().length / 64 / 8;
        for (int i = 0; i < y.data().length; i++) {
            // conv1 is read by a Relu: what the next layer sees is max(0, y)
            meanAbs[(i / spatial) % 8] += Math.max(0, y.data()[i]);
        }
        Integer[] order = IntStream.range(0, 8).boxed().toArray(Integer[]::new);
        Arrays.sort(order, (a, b) -> Double.compare(meanAbs[b], meanAbs[a]));
        int[] want = Arrays.stream(order).limit(4).mapToInt(Integer::intValue).sorted().toArray();
        OnnxModel pruned = run(tmp, m, "prune: {sparsity: 0.5, structure: channel, criterion: activation}");
        float[] w = GraphEditor.of(m).floats("w1");
        float[] kept = GraphEditor.of(pruned).floats("w1");
        int width = C * 9;
        int[] got = new int[4];
        for (int k = 0; k < 4; k++) {
            for (int o = 0; o < 8; o++) {
                if (Arrays.equals(Arrays.copyOfRange(w, o * width, (o + 1) * width), Arrays.copyOfRange(kept, k * width,
                        (k + 1) * width))) {
                    got[k] = o;
                }
            }
        }
        assertArrayEquals(want, got, "kept channels by mean rectified output " + Arrays.toString(meanAbs));
        assertTrue(DataAware.rectified(m, "conv1"));
        assertTrue(!DataAware.rectified(m, "conv2"), "conv2's output is the graph's");
        OnnxModel cnn = dev.whittle.core.onnx.OnnxReader.read(Path.of("sample-models/fashion-cnn.onnx"));
        for (String node : new String[] {"conv1", "conv2", "fc1", "fc2"}) {
            assertTrue(DataAware.rectified(cnn, node), node + " of the sample CNN feeds a Relu (through MaxPool or not)");
        }
        assertTrue(!DataAware.rectified(cnn, "fc3"));
        // The sample MLP's MatMuls reach their Relu through a bias Add.
        OnnxModel mlp = dev.whittle.core.onnx.OnnxReader.read(Path.of("sample-models/fashion-mlp.onnx"));
        assertTrue(DataAware.rectified(mlp, "fc1") && DataAware.rectified(mlp, "fc2"), "MatMul -> Add(bias) -> Relu");
        assertTrue(!DataAware.rectified(mlp, "fc3"), "fc3's bias Add gives the logits");
    }

    /**
     * SmoothQuant on Conv layers: the input is divided per channel (a Mul of shape [C, 1, 1]) and
     * the weights multiplied by the same s_c, so the float model computes what it did (ORT, groups
     * 1 and 2); and static W8A8 of the convolutions on images whose channels differ 25-fold in
     * scale loses less with smoothing than without.
     */
    @Test
    void smoothingScalesConvInputChannelsAndLowersTheW8A8Error(@TempDir Path tmp) throws Exception {
        for (int group : new int[] {1, 2}) {
            OnnxModel m = twoConvs(group);
            java.util.Map<String, double[]> maxAbs = new java.util.HashMap<>();
            maxAbs.put("conv1", positive(41, C * 9));
            maxAbs.put("conv2", positive(42, 8 * 9));
            java.util.List<String> notes = new java.util.ArrayList<>();
            OnnxModel smoothed = dev.whittle.core.quant.Smoothing.apply(m, maxAbs, java.util.Map.of("conv1", 0.5, "conv2", 0.5),
                    notes);
            assertTrue(notes.stream().anyMatch(n -> n.startsWith("SmoothQuant: 2 layers smoothed")), notes.toString());
            assertEquals(2, smoothed.graph().nodes().stream().filter(n -> n.opType().equals("Mul")).count());
            assertTrue(error(m, smoothed) < 1e-5, "group " + group + ": the float function is kept, error " + error(m, smoothed));
            assertTrue(!java.util.Arrays.equals(m.graph().constant("w2").orElseThrow().toFloatArray(),
                    smoothed.graph().constant("w2").orElseThrow().toFloatArray()), "the weights took the scales");
        }
        OnnxModel m = twoConvs(1);
        String w8a8 = "quantize: {weights: {bits: 8, granularity: channel}, activations: {calibration: minmax}";
        double plain = error(m, run(tmp, m, w8a8 + "}"));
        double smooth = error(m, run(tmp, m, w8a8 + ", smooth: 0.5}"));
        assertTrue(smooth < plain, "W8A8 error with smoothing " + smooth + ", without " + plain);
    }

    private static double[] positive(long seed, int n) {
        float[] r = QuantModels.random(seed, n, 1.0);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = 0.1 + Math.abs(r[i]) * (i % 9 == 0 ? 20 : 1);
        }
        return out;
    }

    /** x [N, 3, 10, 10] → Conv 3x3 (8 filters, pads 1) → Relu → Conv 3x3 (8 filters, stride 2, group g) → y. */
    private static OnnxModel twoConvs(int group) {
        GraphBuilder b = new GraphBuilder("convs").opset(17).input("x", DataType.FLOAT, "N", (long) C, (long) HW, (long) HW);
        b.initializer("w1", QuantModels.random(31, 8 * C * 9, 0.3), 8, C, 3, 3);
        b.initializer("b1", QuantModels.random(32, 8, 0.1), 8);
        b.initializer("w2", QuantModels.random(33, 8 * 8 / group * 9, 0.3), 8, 8 / group, 3, 3);
        b.initializer("b2", QuantModels.random(34, 8, 0.1), 8);
        b.node("Conv", "x", "w1", "b1").name("conv1").outputs("h").attrInts("kernel_shape", 3, 3).attrInts("pads", 1, 1, 1, 1);
        b.node("Relu", "h").outputs("r");
        b.node("Conv", "r", "w2", "b2").name("conv2").outputs("y").attrInts("kernel_shape", 3, 3).attrInts("strides", 2, 2)
                .attr("group", (long) group).attrInts("pads", 1, 0, 1, 1);
        b.output("y", DataType.FLOAT, "N", 8L, "OH", "OW");
        return b.toModel();
    }

    /** x → Conv 3x3 (8 filters, pads 1, bias) → y: the first layer of {@link #twoConvs}. */
    private static OnnxModel oneConv() {
        GraphBuilder b = new GraphBuilder("conv").opset(17).input("x", DataType.FLOAT, "N", (long) C, (long) HW, (long) HW);
        b.initializer("w1", QuantModels.random(31, 8 * C * 9, 0.3), 8, C, 3, 3);
        b.initializer("b1", QuantModels.random(32, 8, 0.1), 8);
        b.node("Conv", "x", "w1", "b1").name("conv1").outputs("y").attrInts("kernel_shape", 3, 3).attrInts("pads", 1, 1, 1, 1);
        b.output("y", DataType.FLOAT, "N", 8L, (long) HW, (long) HW);
        return b.toModel();
    }

    /**
     * Smooth images (noise averaged over 3x3 neighbourhoods, so neighbouring pixels correlate as
     * in photographs) whose channels have scales 5, 1 and 0.2 and an offset; seed 1 calibrates,
     * seed 2 evaluates.
     */
    private static Tensor images(long seed, int n) {
        float[] noise = QuantModels.random(seed, n * C * HW * HW, 1.0);
        float[] v = new float[noise.length];
        float[] scale = {5f, 1f, 0.2f};
        for (int i = 0; i < v.length; i++) {
            int plane = i / (HW * HW);
            int y = i / HW % HW;
            int x = i % HW;
            double sum = 0;
            for (int dy = -1; dy <= 1; dy++) {
                for (int dx = -1; dx <= 1; dx++) {
                    int yy = Math.min(HW - 1, Math.max(0, y + dy));
                    int xx = Math.min(HW - 1, Math.max(0, x + dx));
                    sum += noise[plane * HW * HW + yy * HW + xx];
                }
            }
            float s = scale[plane % C];
            v[i] = (float) (sum / 3) * s + 0.5f * s;
        }
        return new Tensor(new long[] {n, C, HW, HW}, v);
    }

    private static RecipeRunner.Result result(Path tmp, OnnxModel m, String step) throws Exception {
        Path x = tmp.resolve("x.npy");
        if (!Files.exists(x)) {
            Tensor calib = images(1, 64);
            Npy.write(x, NpyArray.ofFloats(calib.data(), 64, C, HW, HW));
        }
        Path r = tmp.resolve("r.yaml");
        Files.writeString(r, "whittle: 1\ncalibration: {data: x.npy}\nsteps:\n  - select: {ops: [Conv]}\n    " + step + "\n");
        return RecipeRunner.run(RecipeFile.read(r), m);
    }

    private static OnnxModel run(Path tmp, OnnxModel m, String step) throws Exception {
        return result(tmp, m, step).model();
    }

    /** ‖y − y_ref‖ / ‖y_ref‖ on 32 images the methods were not calibrated on. */
    private static double error(OnnxModel reference, OnnxModel m) {
        Tensor x = images(2, 32);
        float[] want = Ort.run1(reference, "x", x).data();
        float[] got = Ort.run1(m, "x", x).data();
        double num = 0;
        double den = 0;
        for (int i = 0; i < want.length; i++) {
            num += (double) (want[i] - got[i]) * (want[i] - got[i]);
            den += (double) want[i] * want[i];
        }
        return Math.sqrt(num / den);
    }

    private static double[] channelMeans(Tensor y) {
        int n = (int) y.shape()[0];
        int ch = (int) y.shape()[1];
        int spatial = y.data().length / n / ch;
        double[] m = new double[ch];
        for (int i = 0; i < y.data().length; i++) {
            m[(i / spatial) % ch] += y.data()[i] / ((double) n * spatial);
        }
        return m;
    }
}
