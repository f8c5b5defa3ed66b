package dev.whittle.core.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.eval.LayerTimes;
import dev.whittle.core.eval.NodeProfile;
import dev.whittle.core.eval.ProfileRequest;
import dev.whittle.core.job.CancelToken;
import dev.whittle.core.job.ProgressSink;
import dev.whittle.core.lowrank.LowRankSpec;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.quant.WeightSpec;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlanProfileTest {
    private static final OnnxModel CNN = OnnxReader.read(Path.of("sample-models/fashion-cnn.onnx"));

    @Test
    void aPlansKernelsAreReportedAgainstTheOriginalLayers() {
        Plan plan = Plan.empty().withLayer("fc1", LayerSettings.INHERIT.withLowrank(LowRankSpec.rank(8)))
                .withLayer("conv2", LayerSettings.INHERIT.withQuantize(QuantizeSpec.weights(WeightSpec.of(8, dev.whittle.core.quant.Granularity.CHANNEL))));
        PlanProfile.Comparison c = PlanProfile.job(CNN, plan, null, ProfileRequest.of(CNN, 2, 1, 3))
                .run(ProgressSink.NONE, CancelToken.none());
        LayerTimes after = c.plan();
        assertEquals(List.of("conv1", "conv2", "fc1", "fc2", "fc3"), List.copyOf(after.layers().keySet()));
        assertEquals("fashion-cnn.onnx", after.model());
        after.layers().forEach((l, ms) -> assertTrue(ms > 0, l + " has no time"));
        long fc1Kernels = after.nodes().stream().filter(n -> "fc1".equals(n.layer())).count();
        assertTrue(fc1Kernels >= 2, "fc1 is two MatMuls after factoring: " + after.nodes());
        for (NodeProfile n : after.nodes()) {
            if (n.op().contains("Conv") || n.op().contains("Gemm") || n.op().contains("MatMul")) {
                assertEquals(NodeProfile.Kind.LAYER, n.kind(), n.toString());
            }
        }
        assertTrue(c.original().layers().values().stream().allMatch(ms -> ms > 0));
    }

    @Test
    void anEmptyPlanProfilesTheOriginalOnly() {
        PlanProfile.Comparison c = PlanProfile.job(CNN, Plan.empty(), null, ProfileRequest.of(CNN, 1, 0, 1))
                .run(ProgressSink.NONE, CancelToken.none());
        assertNull(c.plan());
        assertEquals(1, c.original().runs());
    }
}
