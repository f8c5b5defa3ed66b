package dev.whittle.core.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.whittle.core.lowrank.LowRank;
import dev.whittle.core.lowrank.LowRankSpec;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.GraphEditor;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.select.LayerSelector;
import dev.whittle.core.transform.TransformResult;
import dev.whittle.testing.Tensor;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The MiniLM sample (unpacked by the build): structured pruning of the feed-forward blocks and
 * low-rank factors must give the same outputs, in ONNX Runtime, as the original graph whose
 * weights are replaced by the equivalent dense ones (removed channels zeroed at their consumer;
 * the product of the factors).
 */
class MiniLmTest {
    static final Path FILE = Path.of("sample-models/minilm/all-minilm-l6-v2.onnx");
    static OnnxModel model;

    @BeforeAll
    static void load() {
        model = OnnxReader.read(FILE);
    }

    static Tensor run(OnnxModel m) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[] ids = {101, 1996, 4248, 2829, 4419, 14523, 2058, 1996, 13971, 3899, 1012, 102};
        long[] shape = {1, ids.length};
        try (dev.whittle.core.onnx.RuntimeCopy copy = dev.whittle.core.onnx.RuntimeCopy.of(m);
             OrtSession.SessionOptions o = options(copy);
             OrtSession s = env.createSession(copy.bytes(), o);
             OnnxTensor a = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
             OnnxTensor b = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[ids.length]), shape);
             OnnxTensor c = OnnxTensor.createTensor(env, LongBuffer.wrap(ones(ids.length)), shape);
             OrtSession.Result r = s.run(Map.of("input_ids", a, "token_type_ids", b, "attention_mask", c))) {
            OnnxTensor t = (OnnxTensor) r.get(0);
            FloatBuffer fb = t.getFloatBuffer();
            float[] v = new float[fb.remaining()];
            fb.get(v);
            return new Tensor(t.getInfo().getShape(), v);
        }
    }

    /** Options that find the copy's external data (a model whose weights were spilled has some). */
    static OrtSession.SessionOptions options(dev.whittle.core.onnx.RuntimeCopy copy) throws Exception {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        if (copy.folder() != null) {
            o.addConfigEntry("session.model_external_initializers_file_folder_path", copy.folder().toString());
        }
        return o;
    }

    static long[] ones(int n) {
        long[] o = new long[n];
        java.util.Arrays.fill(o, 1);
        return o;
    }

    @Test
    void prunedFeedForwardChannelsMatchTheOriginalWithThoseInputsZeroed() throws Exception {
        TransformResult r = Pruner.apply(model, LayerSelector.names(".*intermediate/dense/MatMul"), PruneSpec.channel(0.25, "l1"));
        assertEquals(6, r.report().layers().stream().filter(l -> "1152/1536".equals(l.channels())).count());
        GraphEditor ref = GraphEditor.of(model);
        for (int layer = 0; layer < 6; layer++) {
            WeightLayer in = model.graph().layer("/encoder/layer." + layer + "/intermediate/dense/MatMul").orElseThrow();
            WeightLayer out = model.graph().layer("/encoder/layer." + layer + "/output/dense/MatMul").orElseThrow();
            Tensor w = new Tensor(in.shape(), in.tensor().toFloatArray());
            Set<Integer> gone = ChannelPrunerTest.removed(ChannelPrunerTest.l1(w, 1), 0.25);
            Tensor zeroed = ChannelPrunerTest.zeroed(new Tensor(out.shape(), out.tensor().toFloatArray()), 0, gone, 1, 0);
            ref.setTensor(out.weight(), out.shape(), zeroed.data());
        }
        Tensor expected = run(ref.build());
        Tensor actual = run(r.model());
        Tensor.assertClose(expected, actual, 1e-3, 1e-4);
        // 2 x 25% of 6 x 589,824 float32 weights is 7.1 MB of the 91 MB file.
        assertTrue(r.report().modelBytesAfter() < model.graph().fileBytes() * 0.93);
    }

    @Test
    void lowRankFactorsMatchTheOriginalWithTheirProduct() throws Exception {
        String node = "/encoder/layer.2/output/dense/MatMul";
        TransformResult r = LowRank.apply(model, LayerSelector.names(node), LowRankSpec.rank(96));
        WeightLayer l = model.graph().layer(node).orElseThrow();
        float[] p = r.model().graph().constant(l.weight() + ".u").orElseThrow().toFloatArray();   // [1536, 96]
        float[] q = r.model().graph().constant(l.weight() + ".v").orElseThrow().toFloatArray();        // [96, 384]
        float[] w = new float[1536 * 384];
        for (int i = 0; i < 1536; i++) {
            for (int k = 0; k < 96; k++) {
                float c = p[i * 96 + k];
                for (int j = 0; j < 384; j++) {
                    w[i * 384 + j] += c * q[k * 384 + j];
                }
            }
        }
        GraphEditor ref = GraphEditor.of(model);
        ref.setTensor(l.weight(), l.shape(), w);
        Tensor.assertClose(run(ref.build()), run(r.model()), 1e-3, 1e-4);
        assertEquals(96 * (1536 + 384), r.report().layers().get(0).paramsAfter());
    }
}
