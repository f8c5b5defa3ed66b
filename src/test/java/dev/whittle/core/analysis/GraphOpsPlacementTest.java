package dev.whittle.core.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.eval.ActivationCollector.Input;
import dev.whittle.core.eval.KernelCounts;
import dev.whittle.core.eval.SessionSpec;
import dev.whittle.core.model.DataType;
import dev.whittle.core.onnx.GraphBuilder;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.quant.ActivationOverride;
import dev.whittle.core.quant.ActivationPlacement;
import dev.whittle.core.quant.ActivationSpec;
import dev.whittle.core.quant.Calibration;
import dev.whittle.core.quant.Granularity;
import dev.whittle.core.quant.QuantResult;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.quant.QuantizeStep;
import dev.whittle.core.quant.WeightSpec;
import dev.whittle.testing.Ort;
import dev.whittle.testing.QuantModels;
import dev.whittle.testing.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Graph placement through the ops that ONNX Runtime runs as int8 kernels of their own (pools,
 * Sigmoid, LeakyRelu, Add, Concat), checked on ONNX Runtime's optimized graph: each such op runs
 * as its QLinear form, no conversion is left between the layers, and the int8 model computes
 * what the float one does (output SQNR against ONNX Runtime's float run).
 */
class GraphOpsPlacementTest {
    private static final int N = 8;

    /**
     * x [N,2,8,8] -> conv1 -> Relu -> AveragePool 2x2 -> a; a -> conv2 -> LeakyRelu -> l;
     * a -> conv3 -> Sigmoid -> s; Concat(l, s) -> Slice (6 of 8 channels) -> GlobalAveragePool
     * -> Flatten -> Gemm -> y [N,3].
     */
    private static OnnxModel head() {
        GraphBuilder b = new GraphBuilder("head").opset(17).input("x", DataType.FLOAT, "N", 2L, 8L, 8L);
        b.initializer("w1", QuantModels.random(71, 4 * 2 * 9, 0.4), 4, 2, 3, 3);
        b.initializer("w2", QuantModels.random(72, 4 * 4, 0.5), 4, 4, 1, 1);
        b.initializer("w3", QuantModels.random(73, 4 * 4, 0.5), 4, 4, 1, 1);
        b.initializer("w4", QuantModels.random(74, 3 * 6, 0.5), 3, 6);
        b.initializer("starts", new long[] {0}, 1);
        b.initializer("ends", new long[] {6}, 1);
        b.initializer("axes", new long[] {1}, 1);
        b.node("Conv", "x", "w1").name("conv1").outputs("c1").attrInts("kernel_shape", 3, 3).attrInts("pads", 1, 1, 1, 1);
        b.node("Relu", "c1").name("relu").outputs("r");
        b.node("AveragePool", "r").name("avgpool").outputs("a").attrInts("kernel_shape", 2, 2).attrInts("strides", 2, 2);
        b.node("Conv", "a", "w2").name("conv2").outputs("c2").attrInts("kernel_shape", 1, 1);
        b.node("LeakyRelu", "c2").name("leaky").outputs("l").attr("alpha", 0.1f);
        b.node("Conv", "a", "w3").name("conv3").outputs("c3").attrInts("kernel_shape", 1, 1);
        b.node("Sigmoid", "c3").name("sigmoid").outputs("s");
        b.node("Concat", "l", "s").name("concat").outputs("k").attr("axis", 1L);
        b.node("Slice", "k", "starts", "ends", "axes").name("slice").outputs("k6");
        b.node("GlobalAveragePool", "k6").name("gap").outputs("g");
        b.node("Flatten", "g").name("flatten").outputs("f");
        b.node("Gemm", "f", "w4").name("fc").outputs("y").attr("transB", 1L);
        b.output("y", DataType.FLOAT, "N", 3L);
        return b.toModel();
    }

    private static QuantResult quantize(OnnxModel m, float[] x, ActivationPlacement placement,
                                        Map<String, ActivationOverride> overrides) {
        QuantizeSpec spec = new QuantizeSpec(WeightSpec.of(8, Granularity.CHANNEL),
                ActivationSpec.of(Calibration.MINMAX).withPlacement(placement).withOverrides(overrides), null);
        CalibrationData data = CalibrationData.single("x", Input.floats(new long[] {N, 2, 8, 8}, x), 4);
        return CalibratedQuantizer.apply(m, List.of(QuantizeStep.all(spec)), data);
    }

    @Test
    void poolsActivationsConcatAndSliceBetweenTheLayersRunAsInt8Kernels() {
        OnnxModel m = head();
        float[] x = QuantModels.random(75, N * 2 * 64, 1.5);
        QuantResult graph = quantize(m, x, ActivationPlacement.GRAPH, Map.of());
        KernelCounts k = KernelCounts.of(graph.model(), SessionSpec.defaults(), SessionSpec.OptLevel.ALL);
        for (String op : List.of("QLinearAveragePool", "QLinearLeakyRelu", "QLinearSigmoid", "QLinearConcat",
                "QLinearGlobalAveragePool")) {
            assertEquals(1, k.ops().get("com.microsoft::" + op), op + " in " + k);
        }
        assertEquals(4, k.int8(), "three QLinearConv and the Gemm: " + k);
        assertEquals(1, k.quantizeLinear(), "only the model input is converted to int8: " + k);
        assertEquals(List.of(), k.floatNodes(), k.toString());
        assertTrue(sqnrDb(m, graph.model(), x) > 25, "SQNR " + sqnrDb(m, graph.model(), x) + " dB");
        // the pool's output takes its own calibrated range, the Slice its input's
        var a = graph.report().activations().stream().filter(r -> r.tensor().equals("a")).findFirst().orElseThrow();
        assertEquals("minmax", a.calibration());
        var k6 = graph.report().activations().stream().filter(r -> r.tensor().equals("k6")).findFirst().orElseThrow();
        assertEquals("minmax of k", k6.calibration(), k6.toString());
    }

    @Test
    void anOverrideOnTheOpLeavesItInFloatWithTheReason() {
        OnnxModel m = head();
        float[] x = QuantModels.random(76, N * 2 * 64, 1.5);
        QuantResult r = quantize(m, x, ActivationPlacement.GRAPH, Map.of("gap", ActivationOverride.excluded()));
        KernelCounts k = KernelCounts.of(r.model(), SessionSpec.defaults(), SessionSpec.OptLevel.ALL);
        assertEquals(null, k.ops().get("com.microsoft::QLinearGlobalAveragePool"), k.toString());
        assertEquals(1, k.ops().get("GlobalAveragePool"), k.toString());
        assertTrue(sqnrDb(m, r.model(), x) > 25, "SQNR " + sqnrDb(m, r.model(), x) + " dB");
        assertTrue(r.report().messages().stream().anyMatch(s -> s.contains("'k6' was left in float (excluded by an override)")),
                r.report().messages().toString());
    }

    /**
     * x -> conv1 -> Relu -> r -> conv2 -> Relu -> r2 -> conv3 -> y1; Add(r, r2) -> Sigmoid -> y2:
     * no layer reads the Add, yet both its inputs are int8, so it gets an output pair of its own.
     */
    @Test
    void anAddThatNoLayerReadsGetsAPairOfItsOwnAndRunsAsQLinearAdd() {
        GraphBuilder b = new GraphBuilder("fwd").opset(17).input("x", DataType.FLOAT, "N", 2L, 8L, 8L);
        b.initializer("w1", QuantModels.random(81, 4 * 2 * 9, 0.4), 4, 2, 3, 3);
        b.initializer("w2", QuantModels.random(82, 4 * 4 * 9, 0.3), 4, 4, 3, 3);
        b.initializer("w3", QuantModels.random(83, 3 * 4, 0.4), 3, 4, 1, 1);
        b.node("Conv", "x", "w1").name("conv1").outputs("c1").attrInts("kernel_shape", 3, 3).attrInts("pads", 1, 1, 1, 1);
        b.node("Relu", "c1").name("relu1").outputs("r");
        b.node("Conv", "r", "w2").name("conv2").outputs("c2").attrInts("kernel_shape", 3, 3).attrInts("pads", 1, 1, 1, 1);
        b.node("Relu", "c2").name("relu2").outputs("r2");
        b.node("Conv", "r2", "w3").name("conv3").outputs("y1").attrInts("kernel_shape", 1, 1);
        b.node("Add", "r", "r2").name("add").outputs("s");
        b.node("Sigmoid", "s").name("sigmoid").outputs("y2");
        b.output("y1", DataType.FLOAT, "N", 3L, 8L, 8L);
        b.output("y2", DataType.FLOAT, "N", 4L, 8L, 8L);
        OnnxModel m = b.toModel();
        float[] x = QuantModels.random(84, N * 2 * 64, 1.5);
        QuantResult speed = quantize(m, x, ActivationPlacement.SPEED, Map.of());
        KernelCounts k = KernelCounts.of(speed.model(), SessionSpec.defaults(), SessionSpec.OptLevel.ALL);
        assertEquals(1, k.ops().get("com.microsoft::QLinearAdd"), k.toString());
        assertEquals(3, k.int8(), k.toString());
        assertTrue(speed.report().activations().stream().anyMatch(a -> a.tensor().equals("s") && a.calibration().equals("minmax")),
                speed.report().activations().toString());
        Tensor in = new Tensor(new long[] {N, 2, 8, 8}, x);
        float[] f = Ort.run(m, Map.of("x", in)).get("y2").data();
        float[] q = Ort.run(speed.model(), Map.of("x", in)).get("y2").data();
        assertTrue(dev.whittle.testing.Sqnr.db(f, q) > 25, "SQNR " + dev.whittle.testing.Sqnr.db(f, q) + " dB");
    }

    /** x -> conv1 -> c; hard-swish as exporters write it: Mul(c, Div(Clip(Add(c, 3), 0, 6), 6)) -> conv2 -> y. */
    private static OnnxModel hardSwish() {
        GraphBuilder b = new GraphBuilder("hswish").opset(17).input("x", DataType.FLOAT, "N", 2L, 8L, 8L);
        b.initializer("w1", QuantModels.random(91, 4 * 2 * 9, 0.4), 4, 2, 3, 3);
        b.initializer("w2", QuantModels.random(92, 3 * 4 * 9, 0.3), 3, 4, 3, 3);
        b.initializer("three", new float[] {3f}, 1);
        b.initializer("six", new float[] {6f}, 1);
        b.initializer("zero", new float[] {0f});
        b.initializer("six_max", new float[] {6f});
        b.node("Conv", "x", "w1").name("conv1").outputs("c").attrInts("kernel_shape", 3, 3).attrInts("pads", 1, 1, 1, 1);
        b.node("Add", "c", "three").name("add3").outputs("a");
        b.node("Clip", "a", "zero", "six_max").name("relu6").outputs("k");
        b.node("Div", "k", "six").name("div6").outputs("d");
        b.node("Mul", "c", "d").name("hswish").outputs("h");
        b.node("Conv", "h", "w2").name("conv2").outputs("y").attrInts("kernel_shape", 3, 3);
        b.output("y", DataType.FLOAT, "N", 3L, 6L, 6L);
        return b.toModel();
    }

    @Test
    void aHardSwishOfAddClipDivMulRunsInInt8BetweenTheConvs() {
        OnnxModel m = hardSwish();
        GraphPreparation.Prepared prepared = GraphPreparation.fold(m);
        assertEquals(1, prepared.hardSwish(), "the relu6 form becomes x * HardSigmoid(x): " + prepared.summary());
        assertEquals(1, prepared.model().graph().opCounts().get("HardSigmoid"), prepared.model().graph().opCounts().toString());
        float[] x = QuantModels.random(93, N * 2 * 64, 1.5);
        QuantResult speed = quantize(prepared.model(), x, ActivationPlacement.SPEED, Map.of());
        KernelCounts k = KernelCounts.of(speed.model(), SessionSpec.defaults(), SessionSpec.OptLevel.ALL);
        assertEquals(1, k.ops().get("com.microsoft::QLinearAdd"), k.toString());
        assertEquals(2, k.ops().get("com.microsoft::QLinearMul"), k.toString());
        assertEquals(2, k.int8(), k.toString());
        for (String floatOp : List.of("Add", "Mul", "Clip", "Div", "HardSigmoid")) {
            assertEquals(null, k.ops().get(floatOp), floatOp + " left in float: " + k);
        }
        assertEquals(1, k.quantizeLinear(), "only the model input: " + k);
        assertTrue(speed.report().messages().stream().anyMatch(s -> s.startsWith("2 one-element constant inputs of Add/Mul")),
                speed.report().messages().toString());
        assertTrue(speed.report().messages().stream().anyMatch(s -> s.startsWith("1 HardSigmoid/HardSwish after layers that write int8"
                + " spelled out as Mul, Add, Clip")), speed.report().messages().toString());
        assertTrue(sqnrDb(m, speed.model(), x) > 25, "SQNR " + sqnrDb(m, speed.model(), x) + " dB");
    }

    /** x -> conv1 -> HardSwish (ONNX's op, as PyTorch exports it from opset 14) -> conv2 -> y: all int8. */
    @Test
    void onnxsHardSwishRunsInInt8BetweenTheConvs() {
        GraphBuilder b = new GraphBuilder("hsop").opset(17).input("x", DataType.FLOAT, "N", 2L, 8L, 8L);
        b.initializer("w1", QuantModels.random(95, 4 * 2 * 9, 0.4), 4, 2, 3, 3);
        b.initializer("w2", QuantModels.random(96, 3 * 4 * 9, 0.3), 3, 4, 3, 3);
        b.node("Conv", "x", "w1").name("conv1").outputs("c").attrInts("kernel_shape", 3, 3).attrInts("pads", 1, 1, 1, 1);
        b.node("HardSwish", "c").name("hswish").outputs("h");
        b.node("Conv", "h", "w2").name("conv2").outputs("y").attrInts("kernel_shape", 3, 3);
        b.output("y", DataType.FLOAT, "N", 3L, 6L, 6L);
        OnnxModel m = b.toModel();
        float[] x = QuantModels.random(97, N * 2 * 64, 1.5);
        QuantResult speed = quantize(m, x, ActivationPlacement.SPEED, Map.of());
        KernelCounts k = KernelCounts.of(speed.model(), SessionSpec.defaults(), SessionSpec.OptLevel.ALL);
        assertEquals(2, k.int8(), k.toString());
        assertEquals(2, k.ops().get("com.microsoft::QLinearMul"), k.toString());
        assertEquals(1, k.ops().get("com.microsoft::QLinearAdd"), k.toString());
        assertEquals(1, k.quantizeLinear(), "only the model input: " + k);
        assertTrue(sqnrDb(m, speed.model(), x) > 25, "SQNR " + sqnrDb(m, speed.model(), x) + " dB");
    }

    /** A constant with no int8 code (infinite here) keeps its Add in float; the model still loads and runs. */
    @Test
    void anAddOfANonFiniteConstantStaysFloat() {
        GraphBuilder b = new GraphBuilder("inf").opset(17).input("x", DataType.FLOAT, "N", 2L, 8L, 8L);
        b.initializer("w1", QuantModels.random(98, 4 * 2 * 9, 0.4), 4, 2, 3, 3);
        b.initializer("w2", QuantModels.random(99, 3 * 4 * 9, 0.3), 3, 4, 3, 3);
        b.initializer("big", new float[] {Float.POSITIVE_INFINITY}, 1);
        b.node("Conv", "x", "w1").name("conv1").outputs("c").attrInts("kernel_shape", 3, 3).attrInts("pads", 1, 1, 1, 1);
        b.node("Add", "c", "big").name("add").outputs("a");
        b.node("Conv", "a", "w2").name("conv2").outputs("y").attrInts("kernel_shape", 3, 3);
        b.output("y", DataType.FLOAT, "N", 3L, 6L, 6L);
        OnnxModel m = b.toModel();
        QuantResult r = quantize(m, QuantModels.random(100, N * 2 * 64, 1.5), ActivationPlacement.GRAPH, Map.of());
        KernelCounts k = KernelCounts.of(r.model(), SessionSpec.defaults(), SessionSpec.OptLevel.ALL);
        assertEquals(null, k.ops().get("com.microsoft::QLinearAdd"), k.toString());
        assertTrue(r.report().messages().stream().noneMatch(s -> s.contains("one-element constant")), r.report().messages().toString());
    }

    @Test
    void aHardSwishAfterALayerLeftInFloatStaysOneHardSigmoid() {
        OnnxModel m = GraphPreparation.fold(hardSwish()).model();
        float[] x = QuantModels.random(94, N * 2 * 64, 1.5);
        QuantizeSpec spec = new QuantizeSpec(WeightSpec.of(8, Granularity.CHANNEL),
                ActivationSpec.of(Calibration.MINMAX).withPlacement(ActivationPlacement.SPEED), null);
        CalibrationData data = CalibrationData.single("x", Input.floats(new long[] {N, 2, 8, 8}, x), 4);
        QuantResult r = CalibratedQuantizer.apply(m, List.of(new QuantizeStep(
                dev.whittle.core.select.LayerSelector.names("conv2"), spec)), data);
        assertEquals(1, r.model().graph().opCounts().get("HardSigmoid"), "conv1 stays float, so does its hard-swish: "
                + r.model().graph().opCounts());
        assertTrue(r.report().messages().stream().noneMatch(s -> s.contains("HardSigmoid")), r.report().messages().toString());
    }

    private static double sqnrDb(OnnxModel m, OnnxModel q, float[] x) {
        Tensor in = new Tensor(new long[] {N, 2, 8, 8}, x);
        return dev.whittle.testing.Sqnr.db(Ort.run(m, Map.of("x", in)).get("y").data(), Ort.run(q, Map.of("x", in)).get("y").data());
    }

}
