package dev.whittle.core.quant;

import static dev.whittle.testing.QuantModels.node;
import static dev.whittle.testing.QuantModels.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.select.LayerSelector;
import dev.whittle.testing.QuantOrt;
import dev.whittle.testing.QuantModels;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How quantization edits graphs: shared and forwarded weights, old-style inputs, re-quantizing. */
class QuantizerModelTest {
    static final QuantizeSpec INT8 = QuantizeSpec.weights(WeightSpec.of(8, Granularity.CHANNEL));

    @Test
    void aQuantizedModelIsLeftAloneWithAMessage() {
        OnnxModel model = QuantModels.load(QuantModels.matmul(32, 8, 1, 13));
        OnnxModel once = Quantizer.apply(model, List.of(QuantizeStep.all(INT8))).model();
        QuantResult twice = Quantizer.apply(once, List.of(QuantizeStep.all(INT8)));
        assertTrue(twice.report().alreadyQuantized());
        assertSame(once, twice.model());
        assertTrue(twice.report().messages().get(0).contains("already quantized (1 DequantizeLinear)"),
                twice.report().messages().get(0));
    }

    @Test
    void theInputModelIsNeverChanged() {
        OnnxModel model = QuantModels.load(QuantModels.matmul(32, 8, 1, 13));
        ModelProto before = model.proto();
        Quantizer.apply(model, List.of(QuantizeStep.all(INT8)));
        assertSame(before, model.proto());
        assertEquals(0, QuantizedOps.count(model.graph()).size());
    }

    @Test
    void aWeightAlsoReadByAnUnselectedLayerStaysFloatForEveryUseWithANote() {
        GraphProto g = GraphProto.newBuilder().setName("shared")
                .addInput(value("x", -1, 16)).addOutput(value("y", -1, 8))
                .addInitializer(QuantModels.floats("w", new long[] {16, 8}, QuantModels.random(1, 128, 0.3)))
                .addNode(node("Identity", "id", new String[] {"w"}, new String[] {"w_id"}))
                .addNode(node("MatMul", "a", new String[] {"x", "w_id"}, new String[] {"ha"}))
                .addNode(node("MatMul", "b", new String[] {"x", "w"}, new String[] {"hb"}))
                .addNode(node("Add", "add", new String[] {"ha", "hb"}, new String[] {"y"}))
                .build();
        OnnxModel model = QuantModels.load(QuantModels.model(g, 13));
        // One weight never gets two versions: quantizing it for a alone would leave b a float copy.
        QuantResult r = Quantizer.apply(model, List.of(new QuantizeStep(LayerSelector.names("a"), INT8)));
        assertEquals(0, r.report().layers().size());
        assertTrue(r.model().graph().constant("w").isPresent(), "a and b read the float weight");
        assertTrue(r.report().messages().contains("Weight 'w' is read by 'a', 'b'; it was left in float because not every"
                + " use is selected, and one weight never gets two versions."), r.report().messages().toString());
        // Selected for both uses, it is quantized once and the forwarding Identity is bypassed.
        QuantResult both = Quantizer.apply(model, List.of(QuantizeStep.all(INT8)));
        assertEquals(1, both.report().layers().size());
        assertEquals(1, both.model().graph().opCounts().get("DequantizeLinear"));
        assertTrue(both.model().graph().constant("w").isEmpty());
        assertFalse(both.model().graph().opCounts().containsKey("Identity"), "the forwarding Identity is gone");
        QuantOrt.run(both.model().proto().toByteArray(), "x", new long[] {2, 16}, QuantModels.random(2, 32, 1));
        float[] y = QuantOrt.run(r.model().proto().toByteArray(), "x", new long[] {2, 16}, QuantModels.random(2, 32, 1));
        assertEquals(16, y.length);
    }

    @Test
    void initializersListedAsGraphInputsAreRemovedFromTheInputs() {
        ModelProto m = QuantModels.matmul(16, 4, 3, 13);
        GraphProto g = m.getGraph().toBuilder().addInput(value("w", 16, 4)).addInput(value("b", 4)).build();
        OnnxModel model = QuantModels.load(m.toBuilder().setIrVersion(3).setGraph(g).build());
        QuantResult r = Quantizer.apply(model, List.of(QuantizeStep.all(INT8)));
        assertEquals(List.of("x", "b"), r.model().graph().inputs().stream().map(v -> v.name()).toList());
        float[] y = QuantOrt.run(r.model().proto().toByteArray(), "x", new long[] {1, 16}, QuantModels.random(4, 16, 1));
        assertEquals(4, y.length);
    }

    @Test
    void aConstantNodeWeightIsReplacedAndTheConstantRemoved() {
        GraphProto g = GraphProto.newBuilder().setName("const")
                .addInput(value("x", -1, 16)).addOutput(value("y", -1, 8))
                .addNode(node("Constant", "c", new String[] {}, new String[] {"w"}, AttributeProto.newBuilder().setName("value")
                        .setType(AttributeProto.AttributeType.TENSOR)
                        .setT(QuantModels.floats("", new long[] {16, 8}, QuantModels.random(5, 128, 0.3))).build()))
                .addNode(node("MatMul", "mm", new String[] {"x", "w"}, new String[] {"y"}))
                .build();
        OnnxModel model = QuantModels.load(QuantModels.model(g, 13));
        QuantResult r = Quantizer.apply(model, List.of(QuantizeStep.all(QuantizeSpec.weights(WeightSpec.of(4, Granularity.CHANNEL)))));
        assertFalse(r.model().graph().opCounts().containsKey("Constant"));
        assertEquals(21, r.model().graph().defaultOpset());
        float[] y = QuantOrt.run(r.model().proto().toByteArray(), "x", new long[] {1, 16}, QuantModels.random(6, 16, 1));
        assertEquals(8, y.length);
    }

    @Test
    void aPerLayerStepOverridesTheGeneralOne() {
        OnnxModel model = QuantModels.load(QuantModels.mlp(32, 16, 4, 1, 13));
        QuantResult r = Quantizer.apply(model, List.of(QuantizeStep.all(INT8),
                new QuantizeStep(LayerSelector.names("fc2"), QuantizeSpec.weights(WeightSpec.of(4, Granularity.TENSOR)))));
        assertEquals(8, r.report().layers().get(0).bits());
        assertEquals(4, r.report().layers().get(1).bits());
        assertEquals(Granularity.TENSOR, r.report().layers().get(1).granularity());
    }

    @Test
    void quantizingTheSameModelTwiceGivesIdenticalBytes() {
        OnnxModel model = QuantModels.load(QuantModels.cnn(2, 8, 4, 1, 13));
        List<QuantizeStep> steps = List.of(QuantizeStep.all(QuantizeSpec.weights(WeightSpec.blocks(4, 16))));
        byte[] a = Quantizer.apply(model, steps).model().proto().toByteArray();
        byte[] b = Quantizer.apply(model, steps).model().proto().toByteArray();
        assertTrue(java.util.Arrays.equals(a, b));
    }
}
