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
}
