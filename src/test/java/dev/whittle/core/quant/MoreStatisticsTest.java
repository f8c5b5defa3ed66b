package dev.whittle.core.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.BadInputException;
import dev.whittle.core.model.DataType;
import dev.whittle.core.onnx.GraphBuilder;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.testing.QuantModels;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Statistics missing from the first calibration come from {@link QuantOptions#more()}, asked once
 * for exactly the tensors missing; without a source the error names them.
 */
class MoreStatisticsTest {
    private static OnnxModel mlp() {
        GraphBuilder b = new GraphBuilder("mlp").opset(17).input("x", DataType.FLOAT, "N", 8L);
        b.initializer("w1", QuantModels.random(1, 8 * 6, 0.5), 8, 6);
        b.initializer("w2", QuantModels.random(2, 6 * 3, 0.5), 6, 3);
        b.node("MatMul", "x", "w1").name("fc1").outputs("h");
        b.node("Relu", "h").name("relu").outputs("r");
        b.node("MatMul", "r", "w2").name("fc2").outputs("y");
        b.output("y", DataType.FLOAT, "N", 3L);
        return b.toModel();
    }

    private static ActivationHistogram histogram(float lo, float hi) {
        ActivationHistogram h = new ActivationHistogram();
        h.add(FloatBuffer.wrap(new float[] {lo, 0, hi}));
        return h;
    }

    @Test
    void missingTensorsAreCollectedOnDemandAndNamedWithoutASource() {
        OnnxModel m = mlp();
        List<QuantizeStep> steps = List.of(QuantizeStep.all(new QuantizeSpec(WeightSpec.of(8, Granularity.CHANNEL),
                ActivationSpec.of(Calibration.MINMAX).withPlacement(ActivationPlacement.GRAPH), null)));
        List<String> needed = Quantizer.calibrationTensors(m, steps);
        assertEquals(List.of("x", "r"), needed);
        List<List<String>> asked = new ArrayList<>();
        QuantOptions.MoreStatistics more = tensors -> {
            asked.add(List.copyOf(tensors));
            Map<String, ActivationHistogram> h = new HashMap<>();
            tensors.forEach(t -> h.put(t, histogram(-1, 2)));
            return h;
        };
        QuantResult r = Quantizer.apply(m, steps, new QuantOptions(Map.of("x", histogram(-3, 3)), null, null, null, more));
        assertEquals(List.of(List.of("r")), asked, "only the tensor the first statistics lack");
        assertEquals(2, r.report().activations().size());
        var e = assertThrows(BadInputException.class, () -> Quantizer.apply(m, steps,
                QuantOptions.calibrated(Map.of("x", histogram(-3, 3)))));
        assertTrue(e.getMessage().contains("1 activation has no forced range and no statistics (r)"), e.getMessage());
    }
}
