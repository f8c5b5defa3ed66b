package dev.whittle.core.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.eval.ActivationCollector.Input;
import dev.whittle.core.model.NodeInfo;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.quant.ActivationHistogram;
import dev.whittle.core.quant.ActivationSpec;
import dev.whittle.core.quant.Calibration;
import dev.whittle.core.quant.Granularity;
import dev.whittle.core.quant.QuantResult;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.quant.QuantizeStep;
import dev.whittle.core.quant.WeightSpec;
import dev.whittle.testing.BodyModels;
import dev.whittle.testing.Ort;
import dev.whittle.testing.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Activations inside If and Loop bodies: calibration passes them out to the graph outputs, and
 * their ranges equal a plain Java computation of the same values; a branch the data never takes
 * has no values (its activations stay float, said); W8A8 writes the Q/DQ pairs inside the body
 * that ran and the result stays close to the float model in ONNX Runtime.
 */
class BodyActivationsTest {
    private static final int N = 6;

    /** x [N, 2, 6, 6] (the model's batch is 1: one sample a run), s [N, 1] all positive: the then branch runs. */
    private static final float[] X = CalibrationFeedTest.random(81, N * 2 * 36);

    private static CalibrationData ifConvData(float sign) {
        float[] x = X;
        float[] s = new float[N];
        java.util.Arrays.fill(s, sign);
        return new CalibrationData(Map.of("x", new Input(new long[] {N, 2, 6, 6}, x, null),
                "s", new Input(new long[] {N}, s, null)), 1);
    }

    @Test
    void rangesInsideAnIfBranchMatchAPlainLoopAndTheOtherBranchIsNeverReached() {
        OnnxModel m = BodyModels.ifConv();
        CalibrationData data = ifConvData(1);
        Map<String, ActivationHistogram> h = ActivationCalibration.collect(m, List.of("h1", "h2", "ey"), data, null, null, null);
        float[] tc1 = m.graph().constant("tc1").orElseThrow().toFloatArray();
        float[] x = X;
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int n = 0; n < N; n++) {
            for (int o = 0; o < 4; o++) {
                for (int i = 0; i < 4; i++) {
                    for (int j = 0; j < 4; j++) {
                        double acc = 0;
                        for (int c = 0; c < 2; c++) {
                            for (int a = 0; a < 3; a++) {
                                for (int b = 0; b < 3; b++) {
                                    acc += x[((n * 2 + c) * 6 + i + a) * 6 + j + b] * tc1[((o * 2 + c) * 3 + a) * 3 + b];
                                }
                            }
                        }
                        lo = Math.min(lo, acc);
                        hi = Math.max(hi, acc);
                    }
                }
            }
        }
        assertEquals(lo, h.get("h1").min(), 1e-4);
        assertEquals(hi, h.get("h1").max(), 1e-4);
        assertEquals(Math.max(lo, 0), h.get("h2").min(), 1e-4);
        assertEquals(hi, h.get("h2").max(), 1e-4);
        assertEquals(N * 4 * 16, h.get("h1").count());
        assertEquals(0, h.get("ey").count());
    }

    /**
     * The data-aware statistics (Wanda's input norms, GPTQ's XᵀX) of a layer inside an If branch:
     * then_conv2 (1x1) reads h2 = Relu(Conv(x, tc1)), whose per-channel norms a plain loop gives;
     * the else branch's Conv, never reached, has no statistics at all.
     */
    @Test
    void inputStatisticsOfABodyLayerMatchAPlainLoop() {
        OnnxModel m = BodyModels.ifConv();
        var layers = m.graph().weightLayers();
        var stats = LayerInputs.collect(m, layers, true, ifConvData(1), LayerInputs.DEFAULT_BUDGET, null, null);
        assertEquals(List.of("then_conv1", "then_conv2"), List.copyOf(stats.keySet()));
        float[] tc1 = m.graph().constant("tc1").orElseThrow().toFloatArray();
        double[] sq = new double[4];
        for (int n = 0; n < N; n++) {
            for (int o = 0; o < 4; o++) {
                for (int i = 0; i < 16; i++) {
                    double acc = 0;
                    for (int c = 0; c < 2; c++) {
                        for (int a = 0; a < 3; a++) {
                            for (int b = 0; b < 3; b++) {
                                acc += X[((n * 2 + c) * 6 + i / 4 + a) * 6 + i % 4 + b] * tc1[((o * 2 + c) * 3 + a) * 3 + b];
                            }
                        }
                    }
                    sq[o] += Math.pow(Math.max(acc, 0), 2);
                }
            }
        }
        double[] norms = stats.get("then_conv2").norms();
        for (int o = 0; o < 4; o++) {
            assertEquals(Math.sqrt(sq[o]), norms[o], 1e-3 * Math.sqrt(sq[o]), "channel " + o);
        }
    }

    /** A tensor in a Loop body is seen at every iteration; one in an If nested in that body, where its branch runs. */
    @Test
    void rangesInsideALoopBodyCoverEveryIteration() {
        OnnxModel m = BodyModels.loopNestedIf();
        float[] x = CalibrationFeedTest.random(82, 2 * 4);
        // the model fixes x [2, 4] and s [1]: one run, both passed whole
        Map<String, dev.whittle.core.eval.HostTensor> in = Map.of("x", dev.whittle.core.eval.HostTensor.ofFloats(new long[] {2, 4}, x),
                "s", dev.whittle.core.eval.HostTensor.ofFloats(new long[] {1}, new float[] {1}));
        Map<String, Integer> axes = Map.of("x", dev.whittle.core.eval.SampleAxes.CONSTANT, "s", dev.whittle.core.eval.SampleAxes.CONSTANT);
        CalibrationData data = new CalibrationData(new dev.whittle.core.eval.Dataset(in, null, "one run", List.of(), axes, null), 1);
        Map<String, ActivationHistogram> h = ActivationCalibration.collect(m, List.of("h1", "tout", "eout"), data, null, null, null);
        float[] w = m.graph().constant("W").orElseThrow().toFloatArray();
        float[] tw = m.graph().constant("tw").orElseThrow().toFloatArray();
        double[] r1 = {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        double[] rt = {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        float[] cur = x.clone();
        for (int it = 0; it < 3; it++) {
            float[] h1 = tanh(matmul(cur, w));
            float[] t = matmul(h1, tw);
            range(r1, h1);
            range(rt, t);
            cur = t;
        }
        assertEquals(r1[0], h.get("h1").min(), 1e-5);
        assertEquals(r1[1], h.get("h1").max(), 1e-5);
        assertEquals(rt[0], h.get("tout").min(), 1e-5);
        assertEquals(rt[1], h.get("tout").max(), 1e-5);
        assertEquals(3 * 8, h.get("h1").count());
        assertEquals(0, h.get("eout").count());
    }

    /**
     * Calibrated on the else branch only (s < 0): both branches quantize x, which they read
     * from the main graph and every run sees; the then branch's h2 was never computed, so it
     * stays float with a message. Either branch stays close to the float model in ORT.
     */
    /** W8A8 inside a Loop body and the If nested in it: ORT runs the result, close to the float loop. */
    @Test
    void w8a8InsideALoopBodyRuns() {
        OnnxModel m = BodyModels.loopNestedIf();
        CalibrationData data = loopRuns(87);
        QuantizeSpec spec = new QuantizeSpec(WeightSpec.of(8, Granularity.CHANNEL), ActivationSpec.of(Calibration.MINMAX), null);
        QuantResult r = CalibratedQuantizer.apply(m, List.of(QuantizeStep.all(spec)), data);
        List<String> where = r.model().graph().nodes().stream().filter(n -> n.opType().equals("QuantizeLinear"))
                .map(NodeInfo::graphPath).distinct().sorted().toList();
        // the loop's carried h (a body input) and h1, which the else branch reads from the loop body too
        assertEquals(List.of("Loop_0.body", "Loop_0.body/inner_if.else_branch", "Loop_0.body/inner_if.then_branch"), where,
                r.report().messages().toString());
        assertTrue(r.report().messages().stream().noneMatch(x -> x.contains("never reached")), r.report().messages().toString());
        Map<String, Tensor> feed = Map.of("x", new Tensor(new long[] {2, 4}, CalibrationFeedTest.random(88, 8)),
                "s", new Tensor(new long[] {1}, new float[] {1}));
        double e = rel(Ort.run(m, feed).get("y"), Ort.run(r.model(), feed).get("y"));
        assertTrue(e < 0.05, "relative error " + e);
    }

    /** A Scan body's tensor comes out as a scan output: every step's values, as a plain recurrence gives them. */
    @Test
    void rangesInsideAScanBodyCoverEveryStep() {
        OnnxModel m = BodyModels.scan();
        float[] x = CalibrationFeedTest.random(86, 5 * 4);
        Map<String, dev.whittle.core.eval.HostTensor> in = Map.of("x", dev.whittle.core.eval.HostTensor.ofFloats(new long[] {5, 4}, x));
        CalibrationData data = new CalibrationData(new dev.whittle.core.eval.Dataset(in, null, "one run", List.of(),
                Map.of("x", dev.whittle.core.eval.SampleAxes.CONSTANT), null), 1);
        Map<String, ActivationHistogram> h = ActivationCalibration.collect(m, List.of("a"), data, null, null, null);
        float[] sw = m.graph().constant("sw").orElseThrow().toFloatArray();
        double[] r = {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        float[] state = new float[6];
        for (int t = 0; t < 5; t++) {
            float[] a = new float[6];
            for (int j = 0; j < 6; j++) {
                double acc = state[j];
                for (int k = 0; k < 4; k++) {
                    acc += (double) x[t * 4 + k] * sw[k * 6 + j];
                }
                a[j] = (float) acc;
            }
            range(r, a);
            state = tanh(a);
        }
        assertEquals(r[0], h.get("a").min(), 1e-5);
        assertEquals(r[1], h.get("a").max(), 1e-5);
        assertEquals(5 * 6, h.get("a").count());
    }

    @Test
    void w8a8QuantizesEveryCalibratedActivationInsideTheBranches() {
        OnnxModel m = BodyModels.ifConv();
        QuantizeSpec spec = new QuantizeSpec(WeightSpec.of(8, Granularity.CHANNEL), ActivationSpec.of(Calibration.MINMAX), null);
        QuantResult r = CalibratedQuantizer.apply(m, List.of(QuantizeStep.all(spec)), ifConvData(-1));
        OnnxModel q = r.model();
        List<String> quantizeIn = q.graph().nodes().stream().filter(n -> n.opType().equals("QuantizeLinear"))
                .map(n -> n.graphPath() + ":" + n.inputs().get(0)).sorted().toList();
        assertEquals(List.of("If_0.else_branch:x", "If_0.then_branch:x"), quantizeIn, r.report().messages().toString());
        assertEquals(2, r.report().activations().size(), r.report().activations().toString());
        assertTrue(r.report().messages().stream().anyMatch(x -> x.contains("'h2'") && x.contains("never reached")),
                r.report().messages().toString());
        Tensor x = Tensor.random(83, 1, 2, 6, 6);
        for (float sign : new float[] {-1, 1}) {
            Tensor s = new Tensor(new long[] {1}, new float[] {sign});
            double e = rel(Ort.run(m, Map.of("x", x, "s", s)).get("y"), Ort.run(q, Map.of("x", x, "s", s)).get("y"));
            assertTrue(e < 0.05, "s " + sign + ": relative error " + e);
        }
    }

    /**
     * Layer refit inside bodies: a perturbed Conv in an If branch and a perturbed MatMul in an If
     * nested in a Loop body (its input stacked over the iterations) get their original weights
     * back from the original model's outputs (an exact least-squares solution); the branch the
     * data never takes is left as it was, with a note.
     */
    @Test
    void layerRefitInsideBodiesRecoversTheOriginalWeights() {
        OnnxModel m = BodyModels.ifConv();
        float[] tc1 = m.graph().constant("tc1").orElseThrow().toFloatArray();
        float[] ec = m.graph().constant("ec").orElseThrow().toFloatArray();
        OnnxModel perturbed = BodyModels.withWeight(BodyModels.withWeight(m, "tc1", shifted(tc1)), "ec", shifted(ec));
        List<String> nodes = m.graph().weightLayers().stream().map(l -> l.node()).toList();
        LayerRefit.Outcome o = LayerRefit.apply(m, perturbed, List.of(nodes.get(0), nodes.get(2)), Map.of(), ifConvData(1), 1e-7,
                null, null);
        assertEquals(List.of("then_conv1"), o.refit(), o.notes().toString());
        assertTrue(o.notes().stream().anyMatch(n -> n.contains("never reached")), o.notes().toString());
        float[] got = o.model().graph().constant("tc1").orElseThrow().toFloatArray();
        for (int i = 0; i < tc1.length; i++) {
            assertEquals(tc1[i], got[i], 2e-3, "tc1[" + i + "]");
        }
        OnnxModel loop = BodyModels.loopNestedIf();
        float[] tw = loop.graph().constant("tw").orElseThrow().toFloatArray();
        CalibrationData one = loopRuns(84);
        OnnxModel loopPerturbed = BodyModels.withWeight(loop, "tw", shifted(tw));
        LayerRefit.Outcome lo = LayerRefit.apply(loop, loopPerturbed, List.of("then_mm"), Map.of(), one, 1e-9, null, null);
        assertEquals(List.of("then_mm"), lo.refit(), lo.notes().toString());
        // the perturbed weight changes what later iterations see, so the fit is not the original
        // weight: it is the least-squares solution over the rows the perturbed model's loop
        // produces (h1 stacked over iterations) against the original's outputs, solved here
        // from the normal equations by Gaussian elimination
        List<float[]> p = rows(loopPerturbed, "h1", one);
        List<float[]> y = rows(loop, "tout", one);
        assertEquals(p.size(), y.size());
        double[][] a = new double[4][8];
        for (int r = 0; r < p.size(); r++) {
            for (int i = 0; i < 4; i++) {
                for (int k = 0; k < 4; k++) {
                    a[i][k] += (double) p.get(r)[i] * p.get(r)[k];
                    a[i][4 + k] += (double) p.get(r)[i] * y.get(r)[k];
                }
            }
        }
        for (int c = 0; c < 4; c++) {
            for (int r = 0; r < 4; r++) {
                if (r != c) {
                    double f = a[r][c] / a[c][c];
                    for (int k = 0; k < 8; k++) {
                        a[r][k] -= f * a[c][k];
                    }
                }
            }
        }
        float[] fit = lo.model().graph().constant("tw").orElseThrow().toFloatArray();
        for (int i = 0; i < 4; i++) {
            for (int k = 0; k < 4; k++) {
                assertEquals(a[i][4 + k] / a[i][i], fit[i * 4 + k], 2e-3, "tw[" + i + "," + k + "]");
            }
        }
    }

    /** Every row (last axis 4) of {@code tensor} over the data, in feeding order. */
    private static List<float[]> rows(OnnxModel m, String tensor, CalibrationData data) {
        List<float[]> out = new java.util.ArrayList<>();
        ActivationCalibration.stream(m, List.of(tensor), data, null, (name, values) -> {
            for (int at = values.position(); at + 4 <= values.limit(); at += 4) {
                float[] r = new float[4];
                values.duplicate().position(at).get(r);
                out.add(r);
            }
        }, null, null);
        return out;
    }

    /** 8 runs of loopNestedIf's fixed x [2, 4] (16 seeded rows along axis 0), s = 1 passed whole: the then branch. */
    private static CalibrationData loopRuns(long seed) {
        float[] xs = CalibrationFeedTest.random(seed, 16 * 4);
        Map<String, dev.whittle.core.eval.HostTensor> in = Map.of("x", dev.whittle.core.eval.HostTensor.ofFloats(new long[] {16, 4}, xs),
                "s", dev.whittle.core.eval.HostTensor.ofFloats(new long[] {1}, new float[] {1}));
        return new CalibrationData(new dev.whittle.core.eval.Dataset(in, null, "8 runs", List.of(),
                Map.of("x", 0, "s", dev.whittle.core.eval.SampleAxes.CONSTANT), null), 2);
    }

    private static float[] shifted(float[] w) {
        float[] out = w.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] += (float) (0.3 * Math.sin(i));
        }
        return out;
    }

    /** ‖a − b‖ / ‖a‖. */
    private static double rel(Tensor a, Tensor b) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < a.data().length; i++) {
            num += Math.pow(a.data()[i] - b.data()[i], 2);
            den += Math.pow(a.data()[i], 2);
        }
        return Math.sqrt(num / den);
    }

    private static float[] matmul(float[] a, float[] w) {
        float[] out = new float[8];
        for (int r = 0; r < 2; r++) {
            for (int c = 0; c < 4; c++) {
                double acc = 0;
                for (int k = 0; k < 4; k++) {
                    acc += (double) a[r * 4 + k] * w[k * 4 + c];
                }
                out[r * 4 + c] = (float) acc;
            }
        }
        return out;
    }

    private static float[] tanh(float[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) Math.tanh(v[i]);
        }
        return out;
    }

    private static void range(double[] r, float[] v) {
        for (float x : v) {
            r[0] = Math.min(r[0], x);
            r[1] = Math.max(r[1], x);
        }
    }
}
