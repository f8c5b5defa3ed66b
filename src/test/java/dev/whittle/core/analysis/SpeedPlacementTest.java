package dev.whittle.core.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.eval.ActivationCollector.Input;
import dev.whittle.core.eval.KernelCounts;
import dev.whittle.core.eval.SessionSpec;
import dev.whittle.core.model.DataType;
import dev.whittle.core.onnx.GraphBuilder;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.quant.ActivationPlacement;
import dev.whittle.core.quant.ActivationSpec;
import dev.whittle.core.quant.Calibration;
import dev.whittle.core.quant.Granularity;
import dev.whittle.core.quant.Int8Layout;
import dev.whittle.core.quant.QuantResult;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.quant.QuantizeStep;
import dev.whittle.core.quant.WeightSpec;
import dev.whittle.testing.Ort;
import dev.whittle.testing.QuantModels;
import dev.whittle.testing.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code activations.placement: speed}, checked on ONNX Runtime's own optimized graph. A Conv
 * between two ops that have no int8 form (Tanh before it, Sigmoid after) runs in float behind the
 * DequantizeLinear of its weight under graph placement; speed placement gives it an output pair,
 * and it runs as QLinearConv. A ConvTranspose (no int8 kernel on the CPU) in the same place stays
 * float even so: its input pair is a plain round trip, which speed placement leaves out (the
 * model then computes what the weight-only model does), and the report names the layer. On the
 * sample CNN, where graph placement runs every layer in int8, nothing changes.
 */
class SpeedPlacementTest {
    private static final int N = 8;

    /** x [N, 2, 8, 8] -> Tanh -> Conv or ConvTranspose 3x3 (4 filters) -> Sigmoid -> y. */
    private static OnnxModel tanhConvSigmoid(String op) {
        boolean t = op.equals("ConvTranspose");
        GraphBuilder b = new GraphBuilder("tcs").opset(17).input("x", DataType.FLOAT, "N", 2L, 8L, 8L);
        b.initializer("w", QuantModels.random(41, 4 * 2 * 9, 0.4), t ? 2 : 4, t ? 4 : 2, 3, 3);
        b.node("Tanh", "x").name("tanh").outputs("t");
        b.node(op, "t", "w").name("conv").outputs("c").attrInts("kernel_shape", 3, 3);
        b.node("Sigmoid", "c").name("sigmoid").outputs("y");
        b.output("y", DataType.FLOAT, "N", 4L, t ? 10L : 6L, t ? 10L : 6L);
        return b.toModel();
    }

    private static QuantResult quantize(OnnxModel m, CalibrationData data, ActivationPlacement placement) {
        QuantizeSpec spec = new QuantizeSpec(WeightSpec.of(8, Granularity.CHANNEL),
                ActivationSpec.of(Calibration.MINMAX).withPlacement(placement), null);
        return CalibratedQuantizer.apply(m, List.of(QuantizeStep.all(spec)), data);
    }

    private static CalibrationData data(float[] x) {
        return CalibrationData.single("x", Input.floats(new long[] {N, 2, 8, 8}, x), 4);
    }

    @Test
    void aConvThatRanInFloatBehindItsDequantizeGetsAnOutputPairAndRunsInInt8() {
        OnnxModel m = tanhConvSigmoid("Conv");
        CalibrationData data = data(QuantModels.random(42, N * 2 * 64, 1.5));
        QuantResult graph = quantize(m, data, ActivationPlacement.GRAPH);
        assertEquals(List.of("conv"), KernelCounts.dequantizedFloatLayers(graph.model(), m.graph(), SessionSpec.defaults()));
        QuantResult speed = quantize(m, data, ActivationPlacement.SPEED);
        assertEquals(List.of(), KernelCounts.dequantizedFloatLayers(speed.model(), m.graph(), SessionSpec.defaults()));
        assertEquals(1, KernelCounts.of(speed.model(), SessionSpec.defaults(), SessionSpec.OptLevel.ALL).int8());
        assertTrue(speed.report().messages().stream().anyMatch(s -> s.contains("1 layer got a pair on its output (conv)")),
                speed.report().messages().toString());
        assertEquals(Int8Layout.REDUCED, speed.report().layers().get(0).int8Layout(), "placed for speed: reduced (0027)");
        // the conversions left, each with the float op beside it (ConversionsLeft)
        assertTrue(speed.report().messages().stream().anyMatch(s -> s.startsWith("ONNX Runtime's optimized graph on this CPU"
                + " keeps 1 QuantizeLinear (1 after Tanh) and 1 DequantizeLinear (1 before Sigmoid):")),
                speed.report().messages().toString());
    }

    @Test
    void aRoundTripThatFeedsNoInt8KernelIsLeftOutWithTheReason() {
        OnnxModel m = tanhConvSigmoid("ConvTranspose");
        float[] x = QuantModels.random(42, N * 2 * 64, 1.5);
        CalibrationData data = data(x);
        QuantResult graph = quantize(m, data, ActivationPlacement.GRAPH);
        assertEquals(1, graph.report().activations().size());
        assertEquals(1, SpeedPlacement.roundTrips(optimized(graph.model())).size(), "the ConvTranspose runs in float: a round trip");
        QuantResult speed = quantize(m, data, ActivationPlacement.SPEED);
        assertTrue(speed.report().activations().isEmpty(), speed.report().activations().toString());
        assertTrue(speed.report().messages().stream().anyMatch(s -> s.contains("Activation 't'") && s.contains("placement speed")),
                speed.report().messages().toString());
        assertTrue(speed.report().messages().stream().anyMatch(s -> s.startsWith("Layer 'conv' runs in float")
                && s.contains("--exclude 'conv'")), speed.report().messages().toString());
        KernelCounts k = KernelCounts.of(speed.model(), SessionSpec.defaults(), SessionSpec.OptLevel.ALL);
        assertEquals(0, k.quantizeLinear(), k.toString());
        // with its activation left float, the model is the weight-only one (same layout)
        QuantResult weightOnly = CalibratedQuantizer.apply(m, List.of(QuantizeStep.all(QuantizeSpec.weights(
                WeightSpec.of(8, Granularity.CHANNEL).withInt8Layout(Int8Layout.REDUCED)))), data);
        Tensor in = new Tensor(new long[] {N, 2, 8, 8}, x);
        float[] a = Ort.run(speed.model(), Map.of("x", in)).get("y").data();
        float[] b = Ort.run(weightOnly.model(), Map.of("x", in)).get("y").data();
        for (int i = 0; i < a.length; i++) {
            assertEquals(b[i], a[i], 1e-6f, "y[" + i + "]");
        }
    }

    @Test
    void pairsThatServeInt8KernelsStay() {
        OnnxModel cnn = OnnxReader.read(Path.of("sample-models/fashion-cnn.onnx"));
        CalibrationData data = CalibrationFiles.load(cnn.graph(), List.of("fashion-calib-x.npy"), Path.of("sample-models"),
                32, 64);
        QuantResult graph = quantize(cnn, data, ActivationPlacement.GRAPH);
        QuantResult speed = quantize(cnn, data, ActivationPlacement.SPEED);
        KernelCounts kg = KernelCounts.of(graph.model(), SessionSpec.defaults(), SessionSpec.OptLevel.ALL);
        KernelCounts ks = KernelCounts.of(speed.model(), SessionSpec.defaults(), SessionSpec.OptLevel.ALL);
        assertEquals(kg.int8(), ks.int8(), ks.toString());
        assertEquals(graph.report().activations().size(), speed.report().activations().size());
        assertTrue(speed.report().messages().stream().anyMatch(s -> s.contains("every Q/DQ pair left serves an int8 kernel")),
                speed.report().messages().toString());
    }

    /** x [N, 2, 8, 8] -> Conv 3x3 pad 1 (4) -> Relu -> Resize nearest x2 -> Conv 1x1 (3) -> y [N, 3, 16, 16]. */
    private static OnnxModel convResizeConv() {
        GraphBuilder b = new GraphBuilder("crc").opset(17).input("x", DataType.FLOAT, "N", 2L, 8L, 8L);
        b.initializer("w1", QuantModels.random(51, 4 * 2 * 9, 0.4), 4, 2, 3, 3);
        b.initializer("w2", QuantModels.random(52, 3 * 4, 0.4), 3, 4, 1, 1);
        b.initializer("scales", new float[] {1, 1, 2, 2}, 4);
        b.node("Conv", "x", "w1").name("conv1").outputs("c").attrInts("kernel_shape", 3, 3).attrInts("pads", 1, 1, 1, 1);
        b.node("Relu", "c").name("relu").outputs("r");
        b.node("Resize", "r", "", "scales").name("resize").outputs("u").attr("mode", "nearest");
        b.node("Conv", "u", "w2").name("conv2").outputs("y").attrInts("kernel_shape", 1, 1);
        b.output("y", DataType.FLOAT, "N", 3L, 16L, 16L);
        return b.toModel();
    }

    @Test
    void graphPlacementFollowsAResizeBackToTheConvSoBothRunInInt8() {
        OnnxModel m = convResizeConv();
        float[] x = QuantModels.random(53, N * 2 * 64, 1.5);
        QuantResult graph = quantize(m, data(x), ActivationPlacement.GRAPH);
        // conv1 -> Relu -> Resize -> conv2 is one chain with one range: conv1 writes int8 (without Resize in the chain,
        // conv1 had no Q after it and ran in float too); conv2, the last layer, has nothing quantizing its output
        assertEquals(List.of("conv2"), KernelCounts.dequantizedFloatLayers(graph.model(), m.graph(), SessionSpec.defaults()));
        var byTensor = new java.util.HashMap<String, dev.whittle.core.quant.ActivationReport>();
        graph.report().activations().forEach(a -> byTensor.put(a.tensor(), a));
        assertTrue(byTensor.containsKey("r") && byTensor.containsKey("u"), byTensor.keySet().toString());
        assertEquals(byTensor.get("r").lo(), byTensor.get("u").lo(), "the Resize keeps the chain's one range");
        assertEquals(byTensor.get("r").hi(), byTensor.get("u").hi());
        QuantResult speed = quantize(m, data(x), ActivationPlacement.SPEED);
        KernelCounts k = KernelCounts.of(speed.model(), SessionSpec.defaults(), SessionSpec.OptLevel.ALL);
        assertEquals(2, k.int8(), k.toString());
        assertEquals(1, k.quantizeLinear(), "only the input is converted: " + k);
        assertEquals(List.of(), k.floatNodes(), k.toString());
        graph = speed;
        // and it computes what the float model does, within 8-bit error
        Tensor in = new Tensor(new long[] {N, 2, 8, 8}, x);
        double sqnr = dev.whittle.testing.Sqnr.db(Ort.run(m, Map.of("x", in)).get("y").data(), Ort.run(graph.model(), Map.of("x", in)).get("y").data());
        assertTrue(sqnr > 25, "SQNR " + sqnr + " dB");
    }

    /** x -> Conv1 (3x3, 4) -> Relu -> r; r -> Conv2 (3x3, 4) -> c; Add(r, c) -> Conv3 (1x1, 3) -> y: a residual block. */
    private static OnnxModel residual() {
        GraphBuilder b = new GraphBuilder("res").opset(17).input("x", DataType.FLOAT, "N", 2L, 8L, 8L);
        b.initializer("w1", QuantModels.random(61, 4 * 2 * 9, 0.4), 4, 2, 3, 3);
        b.initializer("w2", QuantModels.random(62, 4 * 4 * 9, 0.3), 4, 4, 3, 3);
        b.initializer("w3", QuantModels.random(63, 3 * 4, 0.4), 3, 4, 1, 1);
        b.node("Conv", "x", "w1").name("conv1").outputs("c1").attrInts("kernel_shape", 3, 3).attrInts("pads", 1, 1, 1, 1);
        b.node("Relu", "c1").name("relu").outputs("r");
        b.node("Conv", "r", "w2").name("conv2").outputs("c").attrInts("kernel_shape", 3, 3).attrInts("pads", 1, 1, 1, 1);
        b.node("Add", "r", "c").name("add").outputs("s");
        b.node("Conv", "s", "w3").name("conv3").outputs("y").attrInts("kernel_shape", 1, 1);
        b.output("y", DataType.FLOAT, "N", 3L, 8L, 8L);
        return b.toModel();
    }

    @Test
    void aResidualAddReadsTheDequantizedSkipAndRunsAsQLinearAdd() {
        OnnxModel m = residual();
        float[] x = QuantModels.random(64, N * 2 * 64, 1.5);
        QuantResult speed = quantize(m, data(x), ActivationPlacement.SPEED);
        KernelCounts k = KernelCounts.of(speed.model(), SessionSpec.defaults(), SessionSpec.OptLevel.ALL);
        assertEquals(1, k.ops().get("com.microsoft::QLinearAdd"), k.toString());
        assertEquals(3, k.int8(), k.toString());
        assertEquals(null, k.ops().get("Relu"), "ORT folds the Relu once nothing reads its float output: " + k);
        assertTrue(speed.report().activations().stream().anyMatch(a -> a.tensor().equals("r") && a.readers().contains("add")),
                speed.report().activations().toString());
        Tensor in = new Tensor(new long[] {N, 2, 8, 8}, x);
        double sqnr = dev.whittle.testing.Sqnr.db(Ort.run(m, Map.of("x", in)).get("y").data(), Ort.run(speed.model(), Map.of("x", in)).get("y").data());
        assertTrue(sqnr > 25, "SQNR " + sqnr + " dB");
    }


    private static dev.whittle.core.model.ModelGraph optimized(OnnxModel m) {
        return dev.whittle.core.eval.OptimizedGraph.optimize(m, SessionSpec.defaults(), SessionSpec.OptLevel.ALL).graph();
    }
}
