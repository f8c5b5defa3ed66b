package dev.whittle.core.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.GraphProto;
import dev.whittle.core.model.NodeInfo;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.select.LayerSelector;
import dev.whittle.testing.EmbeddingModels;
import dev.whittle.testing.QuantModels;
import dev.whittle.testing.QuantOrt;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Embedding tables (Gather data) as weight layers: listed with the gathered axis as their
 * channel axis, quantized int8 per row or int4 in blocks along the row through DequantizeLinear
 * in front of the Gather, and run by ONNX Runtime to the rows an independent Java computation
 * dequantizes (scale = max|group| / qmax, codes rounded half to even). Tolerance 1e-6 relative:
 * ONNX Runtime computes code x scale in float, the reference in float too.
 */
class GatherQuantTest {
    static final int V = EmbeddingModels.V;
    static final int D = EmbeddingModels.D;
    static final float[] TABLE = EmbeddingModels.TABLE;
    static final float[] IDS = EmbeddingModels.IDS;

    static OnnxModel model(GraphProto g, long opset) {
        return QuantModels.load(QuantModels.model(g, opset));
    }

    static float[] run(OnnxModel m) {
        return QuantOrt.run(m.proto().toByteArray(), "ids", new long[] {1, IDS.length}, IDS);
    }

    /** The rows of {@code deq} that {@link #IDS} picks, in order. */
    static float[] gathered(float[] deq) {
        float[] out = new float[IDS.length * D];
        for (int t = 0; t < IDS.length; t++) {
            System.arraycopy(deq, (int) IDS[t] * D, out, t * D, D);
        }
        return out;
    }

    /** Symmetric fake quantization of the table in groups of {@code group} consecutive values of a row. */
    static float[] fakeQuant(float[] w, int group, int qmax) {
        float[] out = new float[w.length];
        for (int from = 0; from < w.length; from += group) {
            float max = 0;
            for (int i = from; i < from + group; i++) {
                max = Math.max(max, Math.abs(w[i]));
            }
            float s = max == 0 ? 1f : max / qmax;
            for (int i = from; i < from + group; i++) {
                out[i] = (float) Math.max(-qmax, Math.min(qmax, Math.rint(w[i] / s))) * s;
            }
        }
        return out;
    }

    static void assertClose(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-6 * Math.max(1, Math.abs(expected[i])), "element " + i);
        }
    }

    @Test
    void aFloatEmbeddingTableIsAWeightLayerWithTheGatheredAxisAsItsChannels() {
        List<WeightLayer> layers = model(EmbeddingModels.embedding(), 13).graph().weightLayers();
        assertEquals(1, layers.size(), "the int64 constant read by Gather is shape arithmetic, not a layer");
        WeightLayer l = layers.get(0);
        assertEquals("Gather", l.op());
        assertEquals("table", l.weight());
        assertEquals(0, l.axis());
        assertEquals(V, l.outputChannels());
        assertFalse(l.quantized());
    }

    @Test
    void int8PerRowGivesEveryEmbeddingVectorItsOwnScale() {
        OnnxModel m = model(EmbeddingModels.embedding(), 13);
        QuantResult r = Quantizer.apply(m, List.of(QuantizeStep.all(QuantizeSpec.weights(WeightSpec.of(8, Granularity.CHANNEL)))));
        LayerReport l = r.report().layers().get(0);
        assertEquals(V, l.scales().length);
        for (int row = 0; row < V; row++) {
            float max = 0;
            for (int j = 0; j < D; j++) {
                max = Math.max(max, Math.abs(TABLE[row * D + j]));
            }
            assertEquals(max / 127f, l.scales()[row], 1e-7f * max, "row " + row);
        }
        assertClose(gathered(fakeQuant(TABLE, D, 127)), run(r.model()));
        // per row, 8-bit: the codes are gathered, then only the rows read are dequantized (no
        // DequantizeLinear over the whole table at every run)
        NodeInfo gather = r.model().graph().nodes().stream().filter(n -> n.name().equals("embed")).findFirst().orElseThrow();
        assertEquals(dev.whittle.core.model.DataType.INT8,
                r.model().graph().constant(gather.inputs().get(0)).orElseThrow().type(), "the Gather reads the int8 codes");
        List<String> ops = r.model().graph().nodes().stream().map(NodeInfo::opType).toList();
        assertEquals(List.of("Gather", "Cast", "Gather", "Mul"), ops.subList(ops.indexOf("Gather"), ops.indexOf("Mul") + 1),
                "symmetric: no zero point to subtract");
        assertTrue(!ops.contains("DequantizeLinear") && !ops.contains("Sub"), ops.toString());
        assertEquals(V, dev.whittle.core.recipe.QuantData.elements(r.model().graph()), "the row scales are quantization data");
        assertTrue(r.model().graph().constant("table").isEmpty(), "the float table is gone");
        WeightLayer after = r.model().graph().weightLayers().get(0);
        assertTrue(after.quantized(), "the quantized table is still listed, as quantized");
        assertEquals(13, r.model().graph().defaultOpset());
    }

    @Test
    void int4BlocksRunAlongTheRowWithOpset21() {
        OnnxModel m = model(EmbeddingModels.embedding(), 13);
        QuantResult r = Quantizer.apply(m, List.of(QuantizeStep.all(QuantizeSpec.weights(WeightSpec.blocks(4, 16)))));
        LayerReport l = r.report().layers().get(0);
        assertEquals(V * (D / 16), l.scales().length, "two blocks of 16 per row of 32");
        assertEquals(21, r.model().graph().defaultOpset());
        assertClose(gathered(fakeQuant(TABLE, 16, 7)), run(r.model()));
        assertTrue(r.report().weightBytesAfter() * 5 < r.report().weightBytesBefore(), r.report().weightBytesAfter() + " bytes");
    }

    @Test
    void formatDynamicAndMatMulNBitsWriteGatherAsWeightOnlyQdqWithANote() {
        OnnxModel m = model(EmbeddingModels.embedding(), 13);
        QuantResult dyn = Quantizer.apply(m, List.of(QuantizeStep.all(new QuantizeSpec(WeightSpec.of(8, Granularity.CHANNEL),
                null, QuantFormat.DYNAMIC))));
        assertEquals(QuantFormat.QDQ, dyn.report().layers().get(0).format());
        assertTrue(dyn.report().messages().contains("Layer 'embed' (Gather) was written as weight-only qdq: format dynamic"
                + " applies to MatMul only."), dyn.report().messages().toString());
        assertClose(gathered(fakeQuant(TABLE, D, 127)), run(dyn.model()));
        QuantResult nbits = Quantizer.apply(m, List.of(QuantizeStep.all(new QuantizeSpec(WeightSpec.blocks(4, 16), null,
                QuantFormat.MATMULNBITS))));
        assertEquals(QuantFormat.QDQ, nbits.report().layers().get(0).format());
        assertClose(gathered(fakeQuant(TABLE, 16, 7)), run(nbits.model()));
    }

    @Test
    void activationSettingsLeaveTheIntegerIndicesAloneAndStillQuantizeTheTable() {
        OnnxModel m = model(EmbeddingModels.embedding(), 13);
        QuantizeSpec spec = new QuantizeSpec(WeightSpec.of(8, Granularity.CHANNEL), ActivationSpec.of(Calibration.MINMAX), null);
        QuantResult r = Quantizer.apply(m, List.of(QuantizeStep.all(spec)));
        assertEquals(1, r.report().layers().size());
        assertTrue(r.report().activations().isEmpty());
        assertTrue(r.report().messages().contains("Layer 'embed' (Gather) keeps float activations: its input is integer"
                + " indices."), r.report().messages().toString());
        assertFalse(r.model().graph().opCounts().containsKey("QuantizeLinear"));
    }

    static float[] runTied(OnnxModel m) {
        return QuantOrt.run(m.proto().toByteArray(), Map.of("ids", IDS, "x", QuantModels.random(9, V, 1)),
                Map.of("ids", new long[] {1, IDS.length}, "x", new long[] {1, V}));
    }

    @Test
    void aTiedTableSelectedForEveryUseIsQuantizedOnceAndReadByBoth() {
        OnnxModel m = model(EmbeddingModels.tied(), 13);
        // per-tensor: the Gather's rows and the MatMul's columns are different channel axes
        QuantResult r = Quantizer.apply(m, List.of(QuantizeStep.all(QuantizeSpec.weights(WeightSpec.of(8, Granularity.TENSOR)))));
        assertEquals(1, r.report().layers().size(), "one quantized copy");
        assertEquals(1, r.model().graph().opCounts().get("DequantizeLinear"));
        NodeInfo dq = r.model().graph().nodes().stream().filter(n -> n.opType().equals("DequantizeLinear")).findFirst()
                .orElseThrow();
        for (NodeInfo n : r.model().graph().nodes()) {
            if (n.name().equals("embed") || n.name().equals("head")) {
                assertTrue(n.inputs().contains(dq.outputs().get(0)), n.name() + " reads the quantized copy");
            }
        }
        assertTrue(r.model().graph().constant("table").isEmpty());
        runTied(r.model());
    }

    @Test
    void aTiedTableWithOnlyOneUseSelectedStaysFloatWithANoteNamingTheUses() {
        OnnxModel m = model(EmbeddingModels.tied(), 13);
        QuantResult r = Quantizer.apply(m, List.of(new QuantizeStep(new LayerSelector(List.of("MatMul"), List.of(), List.of()),
                QuantizeSpec.weights(WeightSpec.of(8, Granularity.CHANNEL)))));
        assertTrue(r.report().layers().isEmpty());
        assertFalse(r.model().graph().opCounts().containsKey("DequantizeLinear"));
        assertTrue(r.report().messages().contains("Weight 'table' is read by 'embed', 'head'; it was left in float because not"
                + " every use is selected, and one weight never gets two versions."), r.report().messages().toString());
        assertClose(runTied(m), runTied(r.model()));
    }

    @Test
    void aTiedTableWhoseUsesAskForDifferentSettingsStaysFloat() {
        OnnxModel m = model(EmbeddingModels.tied(), 13);
        QuantResult r = Quantizer.apply(m, List.of(QuantizeStep.all(QuantizeSpec.weights(WeightSpec.of(8, Granularity.CHANNEL))),
                new QuantizeStep(LayerSelector.names("head"), QuantizeSpec.weights(WeightSpec.of(4, Granularity.CHANNEL)))));
        assertTrue(r.report().layers().isEmpty());
        assertTrue(r.report().messages().get(r.report().messages().size() - 1).contains("its uses ask for different settings"),
                r.report().messages().toString());
    }

    @Test
    void aTableOfInt8CodesGatheredBeforeDequantizingIsListedAsQuantized() {
        // ONNX Runtime's quantize_dynamic layout: Gather on uint8 codes, one DequantizeLinear after it
        byte[] codes = new byte[V * D];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = (byte) (128 + Math.round(TABLE[i] / 0.02f));
        }
        GraphProto g = GraphProto.newBuilder().setName("ortq")
                .addInput(QuantModels.value("ids", -1, IDS.length)).addOutput(QuantModels.value("y", -1, IDS.length, D))
                .addInitializer(ai.onnx.proto.OnnxMl.TensorProto.newBuilder().setName("table_q").setDataType(2).addDims(V)
                        .addDims(D).setRawData(com.google.protobuf.ByteString.copyFrom(codes)))
                .addInitializer(QuantModels.floats("s", new long[] {}, new float[] {0.02f}))
                .addInitializer(ai.onnx.proto.OnnxMl.TensorProto.newBuilder().setName("z").setDataType(2)
                        .setRawData(com.google.protobuf.ByteString.copyFrom(new byte[] {(byte) 128})))
                .addNode(QuantModels.node("Cast", "cast", new String[] {"ids"}, new String[] {"idx"},
                        QuantModels.intAttr("to", 7)))
                .addNode(QuantModels.node("Gather", "embed", new String[] {"table_q", "idx"}, new String[] {"yq"}))
                .addNode(QuantModels.node("DequantizeLinear", "dq", new String[] {"yq", "s", "z"}, new String[] {"y"}))
                .build();
        OnnxModel m = model(g, 13);
        WeightLayer l = m.graph().weightLayers().get(0);
        assertEquals("Gather", l.op());
        assertTrue(l.quantized());
        assertEquals(dev.whittle.core.model.DataType.UINT8, l.dtype());
        assertTrue(Quantizer.apply(m, List.of(QuantizeStep.all(QuantizeSpec.weights(WeightSpec.of(8, Granularity.CHANNEL)))))
                .report().alreadyQuantized());
    }

    @Test
    void aGatherAlongTheLastAxisHasItsChannelsThereAndBlocksAlongTheFirst() {
        GraphProto g = EmbeddingModels.embedding().toBuilder().setNode(1, QuantModels.node("Gather", "embed",
                new String[] {"table", "idx"}, new String[] {"y"}, QuantModels.intAttr("axis", -1))).build();
        WeightLayer l = model(g, 13).graph().weightLayers().get(0);
        assertEquals(1, l.axis());
        assertEquals(0, OpRules.inputAxis(l));
    }
}
