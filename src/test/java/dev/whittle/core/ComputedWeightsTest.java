package dev.whittle.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.model.NodeInfo;
import dev.whittle.core.model.Storage;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.prune.PruneSpec;
import dev.whittle.core.prune.Pruner;
import dev.whittle.core.quant.Granularity;
import dev.whittle.core.quant.QuantFormat;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.quant.QuantizeStep;
import dev.whittle.core.quant.Quantizer;
import dev.whittle.core.quant.WeightSpec;
import dev.whittle.core.select.LayerSelector;
import dev.whittle.testing.ComputedLstm;
import dev.whittle.testing.Ort;
import dev.whittle.testing.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Recurrent weights computed in the graph from constants (Slice/Concat/Unsqueeze, Transpose/
 * Reshape), as Silero VAD v5 writes its LSTMs: listed as layers with the folded values, and
 * every method treats them exactly as it treats the same weights stored as initializers (the
 * plain twin, itself checked against a Java LSTM in RecurrentLayersTest), with the float
 * sources and layout ops gone from the written model.
 */
class ComputedWeightsTest {
    private static final Tensor X = Tensor.random(61, 5, 2, ComputedLstm.INPUTS);
    private static final Set<String> LAYOUT = Set.of("Slice", "Concat", "Unsqueeze", "Transpose", "Reshape");

    @Test
    void computedWAndRAreLayersHoldingTheFoldedValues() {
        List<WeightLayer> ls = ComputedLstm.main(true).graph().weightLayers();
        assertEquals(List.of("lstm.W", "lstm.R"), ls.stream().map(WeightLayer::node).toList());
        assertTrue(ls.stream().allMatch(l -> l.storage() == Storage.COMPUTED && l.axis() == 1), ls.toString());
        assertArrayEquals(new long[] {1, 4 * ComputedLstm.HIDDEN, ComputedLstm.INPUTS}, ls.get(0).shape());
        assertArrayEquals(ComputedLstm.expectedW(), ls.get(0).tensor().toFloatArray(), 0f);
        assertArrayEquals(ComputedLstm.expectedR(), ls.get(1).tensor().toFloatArray(), 0f);
        List<WeightLayer> inIf = ComputedLstm.inIf(true).graph().weightLayers();
        assertEquals(List.of("then_lstm.W", "then_lstm.R", "else_lstm.W", "else_lstm.R"), inIf.stream().map(WeightLayer::node).toList());
        assertArrayEquals(ComputedLstm.expectedW(), inIf.get(2).tensor().toFloatArray(), 0f);
    }

    @Test
    void theTwinsComputeTheSameFunction() {
        assertArrayEquals(y(ComputedLstm.main(false), 1), y(ComputedLstm.main(true), 1), 0f);
        for (float s : new float[] {1, -1}) {
            assertArrayEquals(y(ComputedLstm.inIf(false), s), y(ComputedLstm.inIf(true), s), 0f);
        }
    }

    @Test
    void quantizationOfComputedWeightsEqualsQuantizationOfTheTwin() {
        WeightSpec ws = WeightSpec.of(8, Granularity.CHANNEL);
        for (QuantFormat f : List.of(QuantFormat.QDQ, QuantFormat.DYNAMIC)) {
            UnaryOperator<OnnxModel> q = m -> {
                var r = Quantizer.apply(m, List.of(QuantizeStep.all(new QuantizeSpec(ws, null, f))));
                assertEquals(2, r.report().layers().size(), r.report().messages().toString());
                return r.model();
            };
            OnnxModel written = q.apply(ComputedLstm.main(true));
            assertArrayEquals(y(q.apply(ComputedLstm.main(false)), 1), y(written, 1), 0f, f.toString());
            assertClean(written);
            if (f == QuantFormat.DYNAMIC) {
                assertTrue(written.graph().nodes().stream().anyMatch(n -> n.opType().equals("DynamicQuantizeLSTM")));
            }
        }
        UnaryOperator<OnnxModel> q = m -> Quantizer.apply(m, List.of(QuantizeStep.all(QuantizeSpec.weights(ws)))).model();
        var shared = Quantizer.apply(ComputedLstm.inIf(true), List.of(QuantizeStep.all(QuantizeSpec.weights(ws))));
        OnnxModel written = shared.model();
        // both branches compute the same W and R: one int8 copy of each, in the main graph, read by both
        List<String> codes = written.graph().constants().stream().filter(t -> t.name().endsWith("_quantized"))
                .map(t -> t.name() + "@" + t.storage()).toList();
        assertEquals(2, codes.size(), codes.toString());
        assertTrue(codes.stream().allMatch(c -> c.endsWith("@" + Storage.INITIALIZER)), codes.toString());
        assertTrue(shared.report().messages().stream().anyMatch(m -> m.contains("written once in the main graph")),
                shared.report().messages().toString());
        for (float s : new float[] {1, -1}) {
            assertArrayEquals(y(q.apply(ComputedLstm.inIf(false)), s), y(written, s), 0f);
        }
        assertClean(written);
        assertEquals(4, written.graph().weightLayers().stream().filter(WeightLayer::quantized).count());
        // the shared sources live in a body: quantized once there
        OnnxModel nested = q.apply(ComputedLstm.nested(true));
        assertArrayEquals(y(q.apply(ComputedLstm.nested(false)), 1), y(nested, 1), 0f);
        assertClean(nested);
        List<String> inBody = nested.graph().constants().stream().filter(t -> t.name().endsWith("_quantized"))
                .map(t -> t.name() + "@" + t.storage()).toList();
        assertEquals(4, inBody.size(), inBody.toString()); // W and R shared by the inner branches, and the plain LSTM's
        assertEquals(List.of("If_outer.then_branch"), nested.graph().nodes().stream()
                // written in place, the DequantizeLinear outputs the weight's own name
                .filter(n -> n.opType().equals("DequantizeLinear") && !n.outputs().get(0).endsWith("_dequantized"))
                .map(NodeInfo::graphPath).distinct().toList());
    }

    @Test
    void pruningOfComputedWeightsEqualsPruningOfTheTwin() {
        UnaryOperator<OnnxModel> p = m -> Pruner.apply(m, LayerSelector.all(), PruneSpec.sparsity(0.5)).model();
        assertArrayEquals(y(p.apply(ComputedLstm.main(false)), 1), y(p.apply(ComputedLstm.main(true)), 1), 0f);
        OnnxModel written = p.apply(ComputedLstm.inIf(true));
        for (float s : new float[] {1, -1}) {
            assertArrayEquals(y(p.apply(ComputedLstm.inIf(false)), s), y(written, s), 0f);
        }
        assertClean(written);
    }

    /** No layout op, no source constant: the written weights replaced what computed them. */
    private static void assertClean(OnnxModel m) {
        List<String> ops = m.graph().nodes().stream().map(NodeInfo::opType).toList();
        assertFalse(ops.stream().anyMatch(LAYOUT::contains), ops.toString());
        assertTrue(m.graph().constants().stream().noneMatch(t -> Set.of("w_ih", "r_t").contains(t.name())));
        assertTrue(m.graph().weightLayers().stream().noneMatch(l -> l.storage() == Storage.COMPUTED));
    }

    private static float[] y(OnnxModel m, float s) {
        Map<String, Tensor> in = m.graph().inputs().size() > 1
                ? Map.of("x", X, "s", new Tensor(new long[] {1}, new float[] {s})) : Map.of("x", X);
        return Ort.run(m, in).get("Y").data();
    }
}
