package dev.whittle.core.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.testing.ConvBnModel;
import dev.whittle.testing.Tensor;
import java.nio.FloatBuffer;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GraphPreparationTest {
    /** The model run by ONNX Runtime with every optimization off: the unfolded reference. */
    /** Both models run by ORT with optimizations off agree element by element within max(abs, rel x |value|). */
    private static void assertSameOutputs(OnnxModel want, OnnxModel got, Tensor x, double abs, double rel) throws Exception {
        float[] w = runUnoptimized(want, x);
        float[] g = runUnoptimized(got, x);
        assertEquals(w.length, g.length);
        for (int i = 0; i < w.length; i++) {
            assertEquals(w[i], g[i], Math.max(abs, rel * Math.abs(w[i])), "element " + i);
        }
    }

    static float[] runUnoptimized(OnnxModel m, Tensor x) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            try (OrtSession s = env.createSession(m.toBytes(), o);
                 OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.data()), x.shape());
                 OrtSession.Result r = s.run(Map.of("input", in))) {
                FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
                float[] v = new float[fb.remaining()];
                fb.get(v);
                return v;
            }
        }
    }

    @Test
    void foldedModelHasNoBatchNormAndComputesWhatTheOriginalDid() throws Exception {
        OnnxModel m = ConvBnModel.build();
        assertEquals(2, m.graph().opCounts().get("BatchNormalization"));
        GraphPreparation.Prepared p = GraphPreparation.fold(m);
        assertEquals(2, p.batchNormsFolded());
        assertFalse(p.model().graph().opCounts().containsKey("BatchNormalization"), p.model().graph().opCounts().toString());
        assertEquals(2, p.model().graph().opCounts().get("Conv"));
        assertTrue(p.summary().contains("2 BatchNormalization folded"), p.summary());
        Tensor x = Tensor.random(7, 5, 3, 8, 8);
        float[] want = runUnoptimized(m, x);
        float[] got = runUnoptimized(p.model(), x);
        assertEquals(want.length, got.length);
        double maxAbs = 0;
        for (float v : want) {
            maxAbs = Math.max(maxAbs, Math.abs(v));
        }
        // Relative to the output's scale: folding reorders float sums, nothing more.
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-4 * Math.max(Math.abs(want[i]), maxAbs * 1e-2), "element " + i);
        }
    }

    @Test
    void aModelWithNothingToFoldIsReturnedUnchanged() {
        OnnxModel m = ConvBnModel.build();
        OnnxModel once = GraphPreparation.fold(m).model();
        GraphPreparation.Prepared again = GraphPreparation.fold(once);
        assertEquals(0, again.batchNormsFolded());
        assertTrue(again.model() == once);
    }

    /**
     * Conv -> Mul(scale, .) -> Add(shift, .) with one-element constants written first, as
     * Paddle2ONNX writes its learnable affine blocks -> Relu: ORT folds the pair into the Conv
     * once the constants are second and scalar, and the model computes what it did.
     */
    @Test
    void constantFirstOneElementMulAndAddAfterAConvAreFoldedIntoIt() throws Exception {
        dev.whittle.core.onnx.GraphBuilder b = new dev.whittle.core.onnx.GraphBuilder("lab").opset(17)
                .input("input", dev.whittle.core.model.DataType.FLOAT, 2L, 3L, 8L, 8L);
        b.initializer("w", dev.whittle.testing.QuantModels.random(5, 4 * 3 * 9, 0.5), 4, 3, 3, 3);
        b.initializer("bias", new float[] {0.1f, -0.2f, 0.3f, 0f}, 4);
        b.initializer("scale", new float[] {1.7f}, 1);
        b.initializer("shift", new float[] {-0.4f}, 1);
        b.node("Conv", "input", "w", "bias").name("conv").outputs("c").attrInts("kernel_shape", 3, 3).attrInts("pads", 1, 1, 1, 1);
        b.node("Mul", "scale", "c").name("mul").outputs("m");
        b.node("Add", "shift", "m").name("add").outputs("a");
        b.node("Relu", "a").name("relu").outputs("y");
        b.output("y", dev.whittle.core.model.DataType.FLOAT, 2L, 4L, 8L, 8L);
        OnnxModel m = b.toModel();
        GraphPreparation.Prepared p = GraphPreparation.fold(m);
        assertEquals(Map.of("Conv", 1, "Relu", 1), p.model().graph().opCounts(), p.summary());
        assertEquals(2, p.swapped(), p.summary());
        assertTrue(p.summary().contains("2 Mul/Add of a Conv's output"), p.summary());
        Tensor x = Tensor.random(9, 2, 3, 8, 8);
        assertSameOutputs(m, p.model(), x, 1e-5, 1e-5);
    }
    /**
     * x * relu6(x + 3) / 6 (Paddle2ONNX's hard-swish) becomes x * HardSigmoid(x); GELU's
     * x / sqrt(2) in front of Erf stays a Div (ORT's Gelu fusion expects it). Both compute what
     * they did within 1e-6.
     */
    @Test
    void aRelu6HardSwishBecomesHardSigmoidButGelusDivStays() throws Exception {
        dev.whittle.core.onnx.GraphBuilder b = new dev.whittle.core.onnx.GraphBuilder("hs").opset(17)
                .input("input", dev.whittle.core.model.DataType.FLOAT, 2L, 16L);
        b.initializer("three", new float[] {3f}, 1);
        b.initializer("six", new float[] {6f}, 1);
        b.initializer("lo", new float[] {0f});
        b.initializer("hi", new float[] {6f});
        b.initializer("sqrt2", new float[] {1.4142135f}, 1);
        b.node("Add", "input", "three").name("add").outputs("a");
        b.node("Clip", "a", "lo", "hi").name("relu6").outputs("k");
        b.node("Mul", "input", "k").name("mul").outputs("xk");
        b.node("Div", "xk", "six").name("hswish").outputs("h");
        b.node("Div", "h", "sqrt2").name("gelu_div").outputs("g");
        b.node("Erf", "g").name("erf").outputs("y");
        b.output("y", dev.whittle.core.model.DataType.FLOAT, 2L, 16L);
        OnnxModel m = b.toModel();
        GraphPreparation.Prepared p = GraphPreparation.fold(m);
        assertEquals(1, p.hardSwish(), p.summary());
        assertTrue(p.summary().contains("1 hard-swish/hard-sigmoid spelled out with relu6 written as HardSigmoid"), p.summary());
        assertEquals(Map.of("HardSigmoid", 1, "Mul", 1, "Div", 1, "Erf", 1), p.model().graph().opCounts(),
                "GELU's division stays");
        Tensor x = Tensor.random(11, 2, 16);
        assertSameOutputs(m, p.model(), x, 1e-6, 0);
    }
    /**
     * The other spellings: the division before the product, a Mul by 1/6, the constant first in
     * the Add, and relu6(x + 3) / 6 alone (a hard-sigmoid); each computes what it did.
     */
    @Test
    void everyRelu6SpellingBecomesHardSigmoid() throws Exception {
        dev.whittle.core.onnx.GraphBuilder b = new dev.whittle.core.onnx.GraphBuilder("hs2").opset(17)
                .input("input", dev.whittle.core.model.DataType.FLOAT, 2L, 16L);
        b.initializer("three", new float[] {3f});
        b.initializer("sixth", new float[] {1f / 6}, 1);
        b.initializer("six", new float[] {6f}, 1);
        b.initializer("lo", new float[] {0f});
        b.initializer("hi", new float[] {6f});
        b.node("Add", "three", "input").name("add1").outputs("a1");
        b.node("Clip", "a1", "lo", "hi").name("clip1").outputs("k1");
        b.node("Mul", "k1", "sixth").name("scale1").outputs("s1");
        b.node("Mul", "s1", "input").name("swish1").outputs("h1");
        b.node("Add", "h1", "three").name("add2").outputs("a2");
        b.node("Clip", "a2", "lo", "hi").name("clip2").outputs("k2");
        b.node("Div", "k2", "six").name("sigmoid2").outputs("y");
        b.output("y", dev.whittle.core.model.DataType.FLOAT, 2L, 16L);
        OnnxModel m = b.toModel();
        GraphPreparation.Prepared p = GraphPreparation.fold(m);
        assertEquals(2, p.hardSwish(), p.summary());
        assertEquals(Map.of("HardSigmoid", 2, "Mul", 1), p.model().graph().opCounts());
        Tensor x = Tensor.random(12, 2, 16);
        assertSameOutputs(m, p.model(), x, 1e-5, 0);
    }
    /** ORT fuses the MLP's MatMul + Add into Gemm nodes it names fc1/MatMulAddFusion; the layers keep their names. */
    @Test
    void layersRenamedByOrtsFusionsKeepTheirNames() {
        OnnxModel mlp = dev.whittle.core.onnx.OnnxReader.read(java.nio.file.Path.of("sample-models/fashion-mlp.onnx"));
        GraphPreparation.Prepared p = GraphPreparation.fold(mlp);
        var layers = p.model().graph().weightLayers();
        assertEquals(java.util.List.of("fc1", "fc2", "fc3"), layers.stream().map(l -> l.node()).toList());
        assertEquals(java.util.List.of("Gemm", "Gemm", "Gemm"), layers.stream().map(l -> l.op()).toList(),
                "the fusion happened: " + p.summary());
    }
}
