package dev.whittle.core.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.whittle.core.lowrank.LowRankSpec;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.plan.LayerSettings;
import dev.whittle.core.plan.Plan;
import dev.whittle.core.plan.ResolvedPlan;
import dev.whittle.core.quant.Granularity;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.quant.WeightSpec;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Automatic run names group layers that share settings. */
class RunNamesTest {
    static final OnnxModel CNN = OnnxReader.read(Path.of("sample-models", "fashion-cnn.onnx"));

    @Test
    void layersWithTheSameSettingsAreCountedAndASingleLayerIsNamed() {
        QuantizeSpec int8 = new QuantizeSpec(WeightSpec.of(8, Granularity.CHANNEL), null, null);
        Plan p = Plan.empty().withLayers(List.of("conv1", "conv2", "fc1", "fc2"), s -> s.withQuantize(int8))
                .withLayer("fc3", LayerSettings.INHERIT.withLowrank(LowRankSpec.rank(4)));
        ResolvedPlan r = ResolvedPlan.of(p, CNN.graph());
        assertEquals("int8 channel x4 + fc3 rank 4", RunNames.plan(r));
        assertEquals("int8 channel", RunNames.layer(r.layers().get("conv1")));
        assertEquals("original", RunNames.plan(ResolvedPlan.of(Plan.empty(), CNN.graph())));
        assertEquals("query/MatMul", RunNames.shortName("/encoder/layer.0/attention/self/query/MatMul"));
    }
}
