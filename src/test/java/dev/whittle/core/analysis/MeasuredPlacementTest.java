package dev.whittle.core.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.BadInputException;
import dev.whittle.core.eval.KernelCounts;
import dev.whittle.core.eval.LayerTimes;
import dev.whittle.core.eval.SessionSpec;
import dev.whittle.core.eval.NodeProfile;
import dev.whittle.core.model.DataType;
import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.onnx.GraphBuilder;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.quant.ActivationPlacement;
import dev.whittle.core.quant.ActivationSpec;
import dev.whittle.core.quant.Calibration;
import dev.whittle.core.quant.Granularity;
import dev.whittle.core.quant.QuantResult;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.quant.QuantizeStep;
import dev.whittle.core.quant.WeightSpec;
import dev.whittle.core.select.LayerSelector;
import dev.whittle.core.tensor.Npy;
import dev.whittle.testing.Ort;
import dev.whittle.testing.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code activations.placement: measured}: the order in which layers go to float and how a step
 * leaves them out, how a profile's kernel times are charged to layers (a layer's kernel plus the
 * conversions beside it, a shared one split), and the whole path on the sample CNN, where the
 * decision depends on the machine but its report and the model it writes do not vary in kind.
 */
class MeasuredPlacementTest {
    @Test
    void layersGoToFloatSlowestInInt8FirstAndLeaveOnlyTheMeasuredSteps() {
        List<LayerTimings.Timing> t = List.of(
                new LayerTimings.Timing("conv1", "QLinearConv", 0.9, 0.3),  // 3x: loses
                new LayerTimings.Timing("conv2", "QLinearConv", 0.24, 0.29), // 0.83x
                new LayerTimings.Timing("fc1", "QGemm", 1.05, 1.0),          // within the margin: kept
                new LayerTimings.Timing("fc2", "QGemm", 0.1, 0.0));          // not seen in float: last resort first
        assertTrue(t.get(0).int8Loses());
        assertFalse(t.get(2).int8Loses(), "timing noise within the margin keeps int8");
        assertEquals(List.of("fc2", "conv1", "fc1", "conv2"), MeasuredPlacement.worstFirst(t));

        ActivationSpec measured = ActivationSpec.of(Calibration.MINMAX).withPlacement(ActivationPlacement.MEASURED);
        ActivationSpec graph = ActivationSpec.of(Calibration.MINMAX).withPlacement(ActivationPlacement.GRAPH);
        QuantizeStep m = new QuantizeStep(LayerSelector.names("conv.*", "fc.*").inGraphs("all"),
                new QuantizeSpec(WeightSpec.of(8, Granularity.CHANNEL), measured, null));
        QuantizeStep g = new QuantizeStep(LayerSelector.names("fc.*"), new QuantizeSpec(WeightSpec.of(8, Granularity.CHANNEL),
                graph, null));
        ModelGraph cnn = OnnxReader.read(Path.of("sample-models/fashion-cnn.onnx")).graph();
        List<QuantizeStep> out = MeasuredPlacement.without(List.of(m, g), List.of("conv1", "a.b"), List.of("fc2"), cnn);
        assertEquals(3, out.size(), out.toString());
        assertEquals(List.of("conv2", "fc1", "fc3"), out.get(0).select().select(cnn).stream().map(l -> l.node()).toList());
        assertEquals("all", out.get(0).select().graphs(), "the step's scope is kept");
        assertEquals(List.of("fc2"), out.get(1).select().select(cnn).stream().map(l -> l.node()).toList(),
                "a layer given an output pair gets a step of its own");
        assertTrue(out.get(1).quantize().activations().outputs());
        assertEquals(ActivationPlacement.MEASURED, out.get(1).quantize().activations().placement());
        assertEquals(g, out.get(2), "a step without measured placement is left as it is");
        assertEquals("conv1", MeasuredPlacement.regex("conv1"));
        assertEquals("fc1/MatMulAddFusion", MeasuredPlacement.regex("fc1/MatMulAddFusion"));
        assertEquals("p2o\\.Conv\\.0", MeasuredPlacement.regex("p2o.Conv.0"));
        assertEquals("a\\[0\\]\\(b\\)", MeasuredPlacement.regex("a[0](b)"));
        assertTrue("a[0](b)".matches(MeasuredPlacement.regex("a[0](b)")));
    }

    /**
     * An optimized graph as ONNX Runtime writes it: x -> Q -> conv1 -> DQ -> Relu -> Q -> conv2
     * and conv3 (sharing that Q) -> DQ each.
     */
    private static ModelGraph optimizedGraph() {
        GraphBuilder b = new GraphBuilder("opt").opset(17).input("x", DataType.FLOAT, 1L, 4L);
        b.node("QuantizeLinear", "x").name("q1").outputs("xq");
        b.node("QLinearConv", "xq").name("conv1_q").outputs("c1q");
        b.node("DequantizeLinear", "c1q").name("dq1").outputs("c1");
        b.node("Relu", "c1").name("relu").outputs("r");
        b.node("QuantizeLinear", "r").name("q2").outputs("rq");
        b.node("QLinearConv", "rq").name("conv2_q").outputs("c2q");
        b.node("QLinearConv", "rq").name("conv3_q").outputs("c3q");
        b.node("DequantizeLinear", "c2q").name("dq2").outputs("y2");
        b.node("DequantizeLinear", "c3q").name("dq3").outputs("y3");
        b.output("y2", DataType.FLOAT, 1L, 4L);
        b.output("y3", DataType.FLOAT, 1L, 4L);
        return b.toModel().graph();
    }

    private static NodeProfile kernel(String node, String op, double ms, String layer) {
        return new NodeProfile(node, op, ms, layer == null ? NodeProfile.Kind.OTHER : NodeProfile.Kind.LAYER, node, layer);
    }

    @Test
    void aLayerIsChargedItsKernelAndTheConversionsBesideItASharedOneSplit() {
        List<NodeProfile> nodes = List.of(
                kernel("q1", "QuantizeLinear", 0.1, null),
                kernel("conv1_q", "QLinearConv", 1.0, "conv1"),
                kernel("dq1", "DequantizeLinear", 0.2, null),
                kernel("relu", "Relu", 0.5, null),
                kernel("q2", "QuantizeLinear", 0.4, null),
                kernel("conv2_q", "QLinearConv", 2.0, "conv2"),
                kernel("conv3_q", "QLinearConv", 3.0, "conv3"),
                kernel("dq2", "DequantizeLinear", 0.3, null),
                kernel("dq3", "DequantizeLinear", 0.6, null));
        Map<String, Double> layers = new LinkedHashMap<>();
        LayerTimes t = new LayerTimes("m", 1, 10, 8.1, nodes, layers, "synthetic", null, List.of());
        Map<String, Double> c = LayerTimings.costs(t, optimizedGraph());
        assertEquals(1.0 + 0.1 + 0.2, c.get("conv1"), 1e-9, "its Q before and DQ after; the Relu is not a conversion");
        assertEquals(2.0 + 0.4 / 2 + 0.3, c.get("conv2"), 1e-9, "half the shared Q");
        assertEquals(3.0 + 0.4 / 2 + 0.6, c.get("conv3"), 1e-9);
        assertEquals(3, c.size(), c.toString());
    }

    @Test
    void aLayerBetweenFloatNeighboursThatOrtRunsInFloatBehindItsDequantizeIsFound() {
        OnnxModel cnn = OnnxReader.read(Path.of("sample-models/fashion-cnn.onnx"));
        CalibrationData data = CalibrationFiles.load(cnn.graph(), List.of("fashion-calib-x.npy"), Path.of("sample-models"),
                32, 64);
        QuantizeSpec spec = new QuantizeSpec(WeightSpec.of(8, Granularity.CHANNEL),
                ActivationSpec.of(Calibration.MINMAX).withPlacement(ActivationPlacement.SPEED), null);
        QuantResult all = CalibratedQuantizer.apply(cnn, List.of(QuantizeStep.all(spec)), data);
        assertEquals(List.of(), KernelCounts.dequantizedFloatLayers(all.model(), cnn.graph(), SessionSpec.defaults()));
        // fc2 between fc1 (int8) and fc3 (float): nothing quantizes its output, ORT fuses its Relu into a float Gemm
        LayerSelector some = new LayerSelector(List.of(), List.of(), List.of("conv1", "conv2", "fc3"));
        QuantizeSpec graph = new QuantizeSpec(spec.weights(), spec.activations().withPlacement(ActivationPlacement.GRAPH), null);
        QuantResult r = CalibratedQuantizer.apply(cnn, List.of(new QuantizeStep(some, graph)), data);
        assertEquals(List.of("fc2"), KernelCounts.dequantizedFloatLayers(r.model(), cnn.graph(), SessionSpec.defaults()));
        // speed placement gives fc2 an output pair, and ORT runs it as an int8 kernel
        QuantResult speed = CalibratedQuantizer.apply(cnn, List.of(new QuantizeStep(some, spec)), data);
        assertEquals(List.of(), KernelCounts.dequantizedFloatLayers(speed.model(), cnn.graph(), SessionSpec.defaults()));
        assertTrue(speed.report().messages().stream().anyMatch(m -> m.contains("got a pair on its output (fc2)")),
                speed.report().messages().toString());
    }

    @Test
    void int8OpsAreTheIntegerKernels() {
        for (String op : List.of("QLinearConv", "QGemm", "MatMulIntegerToFloat", "ConvInteger", "DynamicQuantizeMatMul",
                "QLinearMatMul", "QAttention")) {
            assertTrue(LayerTimings.isInt8(op), op);
        }
        for (String op : List.of("Conv", "FusedConv", "Gemm", "MatMul", "QuantizeLinear", "NchwcConv")) {
            assertFalse(LayerTimings.isInt8(op), op);
        }
    }

    @Test
    void theRecipeTextCarriesTheBatch() {
        assertEquals(ActivationPlacement.MEASURED, ActivationPlacement.parse("p", "measured"));
        assertEquals(ActivationPlacement.MEASURED, ActivationPlacement.parse("p", "measured:32"));
        assertEquals(32, ActivationPlacement.measureBatch("p", "measured:32"));
        assertEquals(1, ActivationPlacement.measureBatch("p", "measured"));
        ActivationSpec s = ActivationSpec.of(Calibration.MINMAX).withPlacement(ActivationPlacement.MEASURED);
        assertEquals("measured", s.placementText());
        ActivationSpec s32 = new ActivationSpec(8, false, Calibration.MINMAX, false, Map.of(), ActivationPlacement.MEASURED, 32);
        assertEquals("measured:32", s32.placementText());
        assertEquals("measured:32", s32.withOverrides(Map.of()).withOutputs(true).placementText(), "other changes keep the batch");
        assertEquals("measured", s32.withPlacement(ActivationPlacement.LAYERS).withPlacement(ActivationPlacement.MEASURED)
                .placementText(), "leaving measured placement drops its batch");
        assertEquals(1, new ActivationSpec(8, false, Calibration.MINMAX, false, Map.of(), ActivationPlacement.GRAPH, 32)
                .measureBatch(), "only measured placement has a batch");
        for (String bad : List.of("measured:0", "measured:x", "measured:", "measured:5000")) {
            var e = assertThrows(BadInputException.class, () -> ActivationPlacement.parse("activations.placement", bad));
            assertTrue(e.getMessage().contains("activations.placement") && e.getMessage().contains("1 to 4096"),
                    e.getMessage());
        }
        var e = assertThrows(BadInputException.class, () -> ActivationPlacement.parse("activations.placement", "fast"));
        assertTrue(e.getMessage().contains("layers, graph, speed, measured or measured:N"), e.getMessage());
    }

    @Test
    void onTheSampleCnnEveryInt8LayerIsTimedAndTheModelWrittenRunsCloseToFloat() {
        OnnxModel cnn = OnnxReader.read(Path.of("sample-models/fashion-cnn.onnx"));
        CalibrationData data = CalibrationFiles.load(cnn.graph(), List.of("fashion-calib-x.npy"), Path.of("sample-models"),
                32, 64);
        ActivationSpec a = new ActivationSpec(8, false, Calibration.MINMAX, false, Map.of(), ActivationPlacement.MEASURED, 8);
        QuantizeSpec spec = new QuantizeSpec(WeightSpec.of(8, Granularity.CHANNEL), a, null);
        QuantResult r = CalibratedQuantizer.apply(cnn, List.of(QuantizeStep.all(spec)), data);
        List<String> m = r.report().messages();
        List<String> layerNotes = m.stream().filter(s -> s.startsWith("Layer '") && s.contains("placement measured at batch 8"))
                .toList();
        assertEquals(cnn.graph().weightLayers().size(), layerNotes.size(), "every weight layer runs int8 and is timed: " + m);
        for (String s : layerNotes) {
            assertTrue(s.endsWith("slower in int8.") || s.endsWith("faster in int8.") || s.endsWith("within the timing margin."), s);
        }
        List<String> decisions = m.stream().filter(s -> s.startsWith("activations.placement measured: ")).toList();
        assertEquals(1, decisions.size(), "one final decision: " + m);
        // a whole model is timed unless every layer timed slower in int8 (a noisy moment, or a CPU without VNNI):
        // leaving them all in float is not int8 placement, and the decision says so
        assertTrue(m.stream().anyMatch(s -> s.startsWith("placement measured, whole model at batch 8"))
                || decisions.get(0).endsWith("would leave none in int8."), m.toString());
        boolean someFloat = decisions.get(0).contains("left wholly in float");
        assertEquals(someFloat, m.stream().anyMatch(s -> s.startsWith("To keep this decision on another machine: exclude: [")),
                m.toString());
        // the layers in float are float in the model written: no int8 weight of theirs, and at least one layer stays int8
        long int8Weights = r.report().layers().stream().filter(l -> l.bits() == 8).count();
        assertTrue(int8Weights >= 1 && int8Weights <= 5, r.report().layers().toString());
        assertEquals(someFloat, int8Weights < 5, decisions.get(0));
        assertEquals(List.of(), KernelCounts.dequantizedFloatLayers(r.model(), cnn.graph(), SessionSpec.defaults()),
                "every layer left quantized runs an int8 kernel; the others are wholly float");
        // whatever was chosen, the model computes what the float one does
        float[] x = Arrays.copyOf(Npy.read(Path.of("sample-models/fashion-test-x.npy")).toFloatArray(), 64 * 784);
        String input = cnn.graph().inputs().get(0).name();
        long[] shape = {64, 1, 28, 28};
        float[] f = Ort.run(cnn, Map.of(input, new Tensor(shape, x))).values().iterator().next().data();
        float[] q = Ort.run(r.model(), Map.of(input, new Tensor(shape, x))).values().iterator().next().data();
        int agree = 0;
        for (int i = 0; i < 64; i++) {
            agree += argmax(f, i) == argmax(q, i) ? 1 : 0;
        }
        assertTrue(agree >= 62, agree + " of 64 top-1 agree with float");
    }

    @Test
    void layersInsideAnIfBranchArePlacedAndTheModelRunsInOrt() {
        OnnxModel m = dev.whittle.testing.BodyModels.ifConv();
        int n = 6;
        float[] x = CalibrationFeedTest.random(81, n * 2 * 36);
        float[] s = new float[n];
        Arrays.fill(s, 1);
        CalibrationData data = new CalibrationData(Map.of(
                "x", new dev.whittle.core.eval.ActivationCollector.Input(new long[] {n, 2, 6, 6}, x, null),
                "s", new dev.whittle.core.eval.ActivationCollector.Input(new long[] {n}, s, null)), 1);
        QuantizeStep step = new QuantizeStep(LayerSelector.all().inGraphs("all"), new QuantizeSpec(
                WeightSpec.of(8, Granularity.CHANNEL), ActivationSpec.of(Calibration.MINMAX)
                .withPlacement(ActivationPlacement.MEASURED), null));
        QuantResult r = CalibratedQuantizer.apply(m, List.of(step), data);
        List<String> decisions = r.report().messages().stream().filter(t -> t.startsWith("activations.placement measured:"))
                .toList();
        assertEquals(1, decisions.size(), r.report().messages().toString());
        Map<String, Tensor> in = Map.of("x", new Tensor(new long[] {1, 2, 6, 6}, Arrays.copyOf(x, 72)),
                "s", new Tensor(new long[] {1}, new float[] {1}));
        float[] f = Ort.run(m, in).get("y").data();
        float[] q = Ort.run(r.model(), in).get("y").data();
        double err = 0;
        double norm = 0;
        for (int i = 0; i < f.length; i++) {
            err += (f[i] - q[i]) * (f[i] - q[i]);
            norm += f[i] * f[i];
        }
        assertTrue(Math.sqrt(err / norm) < 0.05, "relative error " + Math.sqrt(err / norm));
    }

    private static int argmax(float[] v, int row) {
        int best = 0;
        for (int j = 1; j < 10; j++) {
            best = v[row * 10 + j] > v[row * 10 + best] ? j : best;
        }
        return best;
    }
}
