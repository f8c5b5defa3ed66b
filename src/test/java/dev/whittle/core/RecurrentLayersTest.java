package dev.whittle.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.lowrank.LowRank;
import dev.whittle.core.lowrank.LowRankSpec;
import dev.whittle.core.model.NodeInfo;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.prune.PruneSpec;
import dev.whittle.core.prune.Pruner;
import dev.whittle.core.quant.Granularity;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.quant.QuantizeStep;
import dev.whittle.core.quant.Quantizer;
import dev.whittle.core.quant.WeightSpec;
import dev.whittle.core.select.LayerSelector;
import dev.whittle.core.transform.TransformResult;
import dev.whittle.testing.BodyModels;
import dev.whittle.testing.Ort;
import dev.whittle.testing.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * LSTM, GRU and RNN weights (W and R) as weight layers: listed, quantized weight-only with one
 * scale per gate row, and pruned; ONNX Runtime's outputs are checked against a Java reference
 * of the ONNX equations run on the weights the written model holds.
 */
class RecurrentLayersTest {
    private static final Tensor X = Tensor.random(41, 5, 2, 3);
    private static final int HIDDEN = 4;

    @Test
    void wAndRAreLayersWithTheGateAxis() {
        for (String op : List.of("LSTM", "GRU", "RNN")) {
            List<WeightLayer> ls = BodyModels.recurrent(op, false).graph().weightLayers();
            assertEquals(List.of("rnn.W", "rnn.R"), ls.stream().map(WeightLayer::node).toList());
            assertEquals(List.of("W", "R"), ls.stream().map(WeightLayer::weight).toList());
            assertTrue(ls.stream().allMatch(l -> l.axis() == 1 && l.op().equals(op) && l.graphNode().equals("rnn")));
        }
    }

    @Test
    void theJavaReferenceMatchesOnnxRuntime() {
        for (String op : List.of("LSTM", "GRU", "RNN")) {
            for (boolean bi : List.of(false, true)) {
                OnnxModel m = BodyModels.recurrent(op, bi);
                assertArrayEquals(reference(m, op, bi), Ort.run(m, Map.of("x", X)).get("Y").data(), 1e-5f, op + " " + bi);
            }
        }
    }

    @Test
    void int8PerGateRowQuantizationRunsAndMatchesTheDequantizedWeights() {
        for (String op : List.of("LSTM", "GRU", "RNN")) {
            for (boolean bi : List.of(false, true)) {
                OnnxModel m = BodyModels.recurrent(op, bi);
                var r = Quantizer.apply(m, List.of(QuantizeStep.all(QuantizeSpec.weights(WeightSpec.of(8, Granularity.CHANNEL)))));
                OnnxModel q = r.model();
                assertEquals(2, r.report().layers().size(), r.report().messages().toString());
                List<NodeInfo> dq = q.graph().nodes().stream().filter(n -> n.opType().equals("DequantizeLinear")).toList();
                assertEquals(2, dq.size());
                int rows = (op.equals("LSTM") ? 4 : op.equals("GRU") ? 3 : 1) * HIDDEN;
                // one scale per gate row: [gates x hidden]
                assertEquals(rows, q.graph().constant("W_scale").orElseThrow().count());
                assertEquals(rows, q.graph().constant("R_scale").orElseThrow().count());
                // the written codes times their row scale are the weights ONNX Runtime used
                OnnxModel deq = BodyModels.withWeight(BodyModels.withWeight(m, "W", dequantized(q, "W")), "R", dequantized(q, "R"));
                float[] y = Ort.run(q, Map.of("x", X)).get("Y").data();
                assertArrayEquals(reference(deq, op, bi), y, 1e-5f, op);
                double e = SubgraphLayersTest.rel(new Tensor(new long[] {y.length}, reference(m, op, bi)),
                        new Tensor(new long[] {y.length}, y));
                assertTrue(e < 0.02, op + " relative error " + e);
            }
        }
    }

    /**
     * format dynamic writes an LSTM as ONNX Runtime's DynamicQuantizeLSTM: its W and R codes are
     * the per-gate-row QDQ codes transposed to [directions, inputs, 4 x hidden] (the QDQ path is
     * checked against the Java reference above), the scales repeated per direction, and ORT's
     * output (input and state quantized on the fly) stays close to the float reference. GRU and
     * RNN, which have no such op, stay weight-only QDQ and say why.
     */
    @Test
    void dynamicInt8LstmIsWrittenAsDynamicQuantizeLstmWithTheQdqCodesTransposed() {
        for (boolean bi : List.of(false, true)) {
            OnnxModel m = BodyModels.recurrent("LSTM", bi);
            WeightSpec ws = WeightSpec.of(8, Granularity.CHANNEL);
            // the same codes as weight-only QDQ's full range: dynamic's default layout is reduced (decision 0029)
            var dyn = Quantizer.apply(m, List.of(QuantizeStep.all(new QuantizeSpec(
                    ws.withInt8Layout(dev.whittle.core.quant.Int8Layout.UINT8), null, dev.whittle.core.quant.QuantFormat.DYNAMIC))));
            var qdq = Quantizer.apply(m, List.of(QuantizeStep.all(QuantizeSpec.weights(ws))));
            OnnxModel q = dyn.model();
            List<String> ops = q.graph().nodes().stream().map(NodeInfo::opType).toList();
            assertEquals(List.of("DynamicQuantizeLSTM"), ops, dyn.report().messages().toString());
            assertEquals(2, dyn.report().layers().size());
            int dirs = bi ? 2 : 1;
            int rows = 4 * HIDDEN;
            for (String w : List.of("W", "R")) {
                var codes = q.graph().constant(w + "_quantized").orElseThrow();
                int in = w.equals("W") ? 3 : HIDDEN;
                assertArrayEquals(new long[] {dirs, in, rows}, codes.dims());
                float[] t = codes.toFloatArray();
                float[] ref = qdq.model().graph().constant(w + "_quantized").orElseThrow().toFloatArray();
                // dynamic's codes may be uint8 (zero point 128) where QDQ's are int8: compare code - zero point
                float[] zp = q.graph().constant(w + "_zero_point").orElseThrow().toFloatArray();
                float[] qdqZp = qdq.model().graph().constant(w + "_zero_point").orElseThrow().toFloatArray();
                for (int d = 0; d < dirs; d++) {
                    for (int g = 0; g < rows; g++) {
                        for (int i = 0; i < in; i++) {
                            assertEquals(ref[(d * rows + g) * in + i] - qdqZp[g], t[(d * in + i) * rows + g] - zp[d * rows + g],
                                    w + " code " + d + "," + g + "," + i);
                        }
                    }
                }
                float[] scale = q.graph().constant(w + "_scale").orElseThrow().toFloatArray();
                float[] qdqScale = qdq.model().graph().constant(w + "_scale").orElseThrow().toFloatArray();
                assertEquals(dirs * rows, scale.length);
                for (int i = 0; i < scale.length; i++) {
                    assertEquals(qdqScale[i % rows], scale[i], 0f);
                }
            }
            float[] y = Ort.run(q, Map.of("x", X)).get("Y").data();
            float[] ref = reference(m, "LSTM", bi);
            double e = SubgraphLayersTest.rel(new Tensor(new long[] {y.length}, ref), new Tensor(new long[] {y.length}, y));
            assertTrue(e < 0.03, "relative error " + e);
        }
        var gru = Quantizer.apply(BodyModels.recurrent("GRU", false), List.of(QuantizeStep.all(new QuantizeSpec(
                WeightSpec.of(8, Granularity.CHANNEL), null, dev.whittle.core.quant.QuantFormat.DYNAMIC))));
        assertEquals(2, gru.model().graph().nodes().stream().filter(n -> n.opType().equals("DequantizeLinear")).count());
        assertTrue(gru.report().messages().stream().anyMatch(x -> x.contains("applies to MatMul only")), gru.report().messages().toString());
    }

    private static float[] dequantized(OnnxModel q, String w) {
        float[] codes = q.graph().constant(w + "_quantized").orElseThrow().toFloatArray();
        float[] scale = q.graph().constant(w + "_scale").orElseThrow().toFloatArray();
        long[] dims = q.graph().constant(w + "_quantized").orElseThrow().dims();
        float[] out = new float[codes.length];
        int cols = (int) dims[2];
        for (int i = 0; i < codes.length; i++) {
            int row = (int) ((i / cols) % dims[1]);
            out[i] = codes[i] * scale[row];
        }
        return out;
    }

    @Test
    void unstructuredPruningMatchesTheReferenceOnPrunedWeights() {
        for (String op : List.of("LSTM", "GRU", "RNN")) {
            OnnxModel m = BodyModels.recurrent(op, false);
            TransformResult p = Pruner.apply(m, LayerSelector.all(), PruneSpec.sparsity(0.5));
            float[] w = m.graph().constant("W").orElseThrow().toFloatArray();
            float[] rr = m.graph().constant("R").orElseThrow().toFloatArray();
            OnnxModel expected = BodyModels.withWeight(BodyModels.withWeight(m, "W",
                    SubgraphLayersTest.zeroSmallest(w, w.length / 2)), "R", SubgraphLayersTest.zeroSmallest(rr, rr.length / 2));
            assertArrayEquals(reference(expected, op, false), Ort.run(p.model(), Map.of("x", X)).get("Y").data(), 1e-5f, op);
        }
    }

    @Test
    void otherMethodsSayTheyDoNotSupportRecurrentLayers() {
        OnnxModel m = BodyModels.recurrent("LSTM", false);
        for (TransformResult r : List.of(LowRank.apply(m, LayerSelector.all(), LowRankSpec.rank(1)),
                Pruner.apply(m, LayerSelector.all(), PruneSpec.channel(0.5, "l1")),
                Pruner.apply(m, LayerSelector.all(), PruneSpec.nOfM(2, 4)))) {
            assertEquals(2, r.report().layers().size());
            r.report().layers().forEach(l -> assertTrue(l.skipped() != null
                    && l.skipped().contains("not supported for recurrent layers"), l.toString()));
            assertArrayEquals(Ort.run(m, Map.of("x", X)).get("Y").data(), Ort.run(r.model(), Map.of("x", X)).get("Y").data());
        }
    }

    @Test
    void perGateStatisticsCoverEachGatesRowsInEveryDirection() {
        OnnxModel m = BodyModels.recurrent("LSTM", true);
        WeightLayer w = m.graph().weightLayers().get(0);
        var gates = dev.whittle.core.tensor.GateStatistics.of(w);
        assertEquals(List.of("i", "o", "f", "c"), gates.stream().map(g -> g.name()).toList());
        float[] v = w.tensor().toFloatArray();
        // element (dir, row, col) of [2, 16, 3]: gate = row / 4
        for (int g = 0; g < 4; g++) {
            double max = Double.NEGATIVE_INFINITY;
            double sum = 0;
            int n = 0;
            for (int dir = 0; dir < 2; dir++) {
                for (int row = 4 * g; row < 4 * g + 4; row++) {
                    for (int col = 0; col < 3; col++) {
                        float x = v[(dir * 16 + row) * 3 + col];
                        max = Math.max(max, x);
                        sum += x;
                        n++;
                    }
                }
            }
            assertEquals(24, gates.get(g).count());
            assertEquals(max, gates.get(g).max(), 1e-7);
            assertEquals(sum / n, gates.get(g).mean(), 1e-7);
        }
        assertTrue(dev.whittle.core.tensor.GateStatistics.of(BodyModels.ifConvLayer()).isEmpty());
    }

    // ---- reference: the ONNX LSTM/GRU/RNN equations, default activations, no peepholes ----

    static float[] reference(OnnxModel m, String op, boolean bi) {
        float[] w = m.graph().constant("W").orElseThrow().toFloatArray();
        float[] r = m.graph().constant("R").orElseThrow().toFloatArray();
        float[] b = m.graph().constant("B").orElseThrow().toFloatArray();
        int t = 5;
        int batch = 2;
        int in = 3;
        int h = HIDDEN;
        int gates = op.equals("LSTM") ? 4 : op.equals("GRU") ? 3 : 1;
        int dirs = bi ? 2 : 1;
        float[] y = new float[t * dirs * batch * h];
        for (int d = 0; d < dirs; d++) {
            int wOff = d * gates * h * in;
            int rOff = d * gates * h * h;
            int bOff = d * 2 * gates * h;
            for (int n = 0; n < batch; n++) {
                double[] hs = new double[h];
                double[] cs = new double[h];
                for (int step = 0; step < t; step++) {
                    int ts = d == 0 ? step : t - 1 - step;
                    double[][] xw = new double[gates][h];
                    double[][] hr = new double[gates][h];
                    for (int g = 0; g < gates; g++) {
                        for (int j = 0; j < h; j++) {
                            int row = g * h + j;
                            double a = b[bOff + row];
                            for (int k = 0; k < in; k++) {
                                a += w[wOff + row * in + k] * X.data()[(ts * batch + n) * in + k];
                            }
                            xw[g][j] = a;
                            double c = b[bOff + gates * h + row];
                            for (int k = 0; k < h; k++) {
                                c += r[rOff + row * h + k] * hs[k];
                            }
                            hr[g][j] = c;
                        }
                    }
                    double[] next = new double[h];
                    switch (op) {
                        case "LSTM" -> {
                            for (int j = 0; j < h; j++) {
                                double i = sig(xw[0][j] + hr[0][j]);
                                double o = sig(xw[1][j] + hr[1][j]);
                                double f = sig(xw[2][j] + hr[2][j]);
                                double c = Math.tanh(xw[3][j] + hr[3][j]);
                                cs[j] = f * cs[j] + i * c;
                                next[j] = o * Math.tanh(cs[j]);
                            }
                        }
                        case "GRU" -> {
                            double[] z = new double[h];
                            double[] rg = new double[h];
                            for (int j = 0; j < h; j++) {
                                z[j] = sig(xw[0][j] + hr[0][j]);
                                rg[j] = sig(xw[1][j] + hr[1][j]);
                            }
                            for (int j = 0; j < h; j++) {
                                int row = 2 * h + j;
                                double c = b[bOff + gates * h + row];
                                for (int k = 0; k < h; k++) {
                                    c += r[rOff + row * h + k] * rg[k] * hs[k];
                                }
                                double ht = Math.tanh(xw[2][j] + c);
                                next[j] = (1 - z[j]) * ht + z[j] * hs[j];
                            }
                        }
                        default -> {
                            for (int j = 0; j < h; j++) {
                                next[j] = Math.tanh(xw[0][j] + hr[0][j]);
                            }
                        }
                    }
                    hs = next;
                    for (int j = 0; j < h; j++) {
                        y[((ts * dirs + d) * batch + n) * h + j] = (float) hs[j];
                    }
                }
            }
        }
        return y;
    }

    private static double sig(double v) {
        return 1 / (1 + Math.exp(-v));
    }
}
