package dev.whittle.core.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.BadInputException;
import dev.whittle.core.model.DataType;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.select.LayerSelector;
import dev.whittle.testing.MethodMatrix;
import dev.whittle.testing.QuantModels;
import dev.whittle.testing.QuantOrt;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A model that already holds quantization: its float layers are quantized, the quantized ones left alone. */
class PartlyQuantizedTest {
    private static final QuantizeSpec INT8 = QuantizeSpec.weights(WeightSpec.of(8, Granularity.CHANNEL));

    private static Map<String, WeightLayer> layers(OnnxModel m) {
        return m.graph().weightLayers().stream().collect(java.util.stream.Collectors.toMap(WeightLayer::node, l -> l));
    }

    private static float[] run(OnnxModel m, float[] x) {
        return QuantOrt.run(m.proto().toByteArray(), "x", new long[] {4, 16}, x);
    }

    @Test
    void theFloatLayersAreQuantizedAndTheQuantizedOnesKeptAsTheyAre() {
        OnnxModel model = MethodMatrix.mlp(DataType.FLOAT);
        OnnxModel first = Quantizer.apply(model, List.of(new QuantizeStep(LayerSelector.names("first"), INT8))).model();
        assertTrue(layers(first).get("first").quantized());
        assertFalse(layers(first).get("last").quantized());

        // Again over every layer, as a user would run it on a model another tool quantized in part.
        QuantResult r = Quantizer.apply(first, List.of(QuantizeStep.all(
                new QuantizeSpec(WeightSpec.blocks(4, 16), null, QuantFormat.MATMULNBITS))));
        assertFalse(r.report().alreadyQuantized());
        assertEquals(List.of("last"), r.report().layers().stream().map(LayerReport::node).toList());
        assertTrue(r.report().messages().get(0).contains("already holds quantization (1 DequantizeLinear)")
                && r.report().messages().get(0).contains("1 quantized layer was left as it is"), r.report().messages().toString());
        Map<String, Integer> ops = QuantizedOps.count(r.model().graph());
        assertEquals(1, ops.get("DequantizeLinear"), "the first layer's DequantizeLinear, not a second one");
        assertEquals(1, ops.get("MatMulNBits"));
        // The first layer's int8 codes are the same bytes as before.
        assertEquals(layers(first).get("first").tensor().raw(), layers(r.model()).get("first").tensor().raw());

        // ONNX Runtime runs it, and it stays close to the float model (int8, then int4 blocks of 16).
        float[] x = QuantModels.random(3, 64, 1);
        float[] want = run(model, x);
        float[] got = run(r.model(), x);
        double err = QuantOrt.maxAbsDiff(want, got) / QuantOrt.maxAbs(want);
        assertTrue(err < 0.1, "relative max error " + err);
    }

    @Test
    void activationsOfAPartlyQuantizedModelAreRefusedBeforeAnyWork() {
        OnnxModel first = Quantizer.apply(MethodMatrix.mlp(DataType.FLOAT),
                List.of(new QuantizeStep(LayerSelector.names("first"), INT8))).model();
        QuantizeSpec w8a8 = new QuantizeSpec(WeightSpec.of(8, Granularity.CHANNEL), ActivationSpec.of(Calibration.MINMAX), null);
        BadInputException e = assertThrows(BadInputException.class,
                () -> Quantizer.calibrationTensors(first, List.of(QuantizeStep.all(w8a8))));
        assertTrue(e.getMessage().contains("cannot be quantized again"), e.getMessage());
    }

    @Test
    void aModelWhoseSelectedLayersAreAllQuantizedIsLeftUnchanged() {
        OnnxModel first = Quantizer.apply(MethodMatrix.mlp(DataType.FLOAT),
                List.of(new QuantizeStep(LayerSelector.names("first"), INT8))).model();
        QuantResult r = Quantizer.apply(first, List.of(new QuantizeStep(LayerSelector.names("first"), INT8)));
        assertTrue(r.report().alreadyQuantized());
        assertTrue(r.report().messages().get(0).contains("so it was left unchanged"), r.report().messages().get(0));
    }
}
