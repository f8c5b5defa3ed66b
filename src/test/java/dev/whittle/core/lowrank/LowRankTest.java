package dev.whittle.core.lowrank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.BadInputException;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.select.LayerSelector;
import dev.whittle.core.tensor.Svd;
import dev.whittle.core.transform.LayerReport;
import dev.whittle.core.transform.TransformResult;
import dev.whittle.testing.Ort;
import dev.whittle.testing.RefEval;
import dev.whittle.testing.Tensor;
import dev.whittle.testing.TestModels;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LowRankTest {
    static Tensor constant(OnnxModel m, String name) {
        var t = m.graph().constant(name).orElseThrow();
        return new Tensor(t.dims(), t.toFloatArray());
    }

    static double tailError(float[] w, int rows, int cols, int r) {
        float[] s = Svd.values(w, rows, cols);
        return Math.sqrt(1 - Svd.energy(s, r));
    }

    /** W [out, in] of Gemm transB=1 rebuilt from P [in, r] and Q^T [out, r]. */
    static Tensor gemmTransB(Tensor p, Tensor qt) {
        int in = p.dim(0);
        int r = p.dim(1);
        int out = qt.dim(0);
        float[] w = new float[out * in];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                double s = 0;
                for (int k = 0; k < r; k++) {
                    s += (double) qt.data()[o * r + k] * p.data()[i * r + k];
                }
                w[o * in + i] = (float) s;
            }
        }
        return new Tensor(new long[] {out, in}, w);
    }

    /** W [in, out] = P [in, r] Q [r, out]. */
    static Tensor product(Tensor p, Tensor q) {
        int in = p.dim(0);
        int r = p.dim(1);
        int out = q.dim(1);
        float[] w = new float[in * out];
        for (int i = 0; i < in; i++) {
            for (int o = 0; o < out; o++) {
                double s = 0;
                for (int k = 0; k < r; k++) {
                    s += (double) p.data()[i * r + k] * q.data()[k * out + o];
                }
                w[i * out + o] = (float) s;
            }
        }
        return new Tensor(new long[] {in, out}, w);
    }

    @Test
    void gemmAndMatMulFactorsRunInOnnxRuntimeLikeTheProductOfTheFactors() {
        OnnxModel m = TestModels.mlp();
        TransformResult r = LowRank.apply(m, LayerSelector.all(), LowRankSpec.rank(2));
        OnnxModel f = r.model();
        assertEquals(Map.of("Gemm", 2, "MatMul", 4, "Relu", 2, "Add", 1), Map.copyOf(f.graph().opCounts()));
        Map<String, Tensor> dense = Map.of(
                "W1", gemmTransB(constant(f, "W1.u"), constant(f, "W1.v")),
                "W2", product(constant(f, "W2.u"), constant(f, "W2.v")),
                "W3", product(constant(f, "W3.u"), constant(f, "W3.v")));
        Tensor x = Tensor.random(31, 5, 16);
        Tensor.assertClose(RefEval.run1(m, "x", x, dense), Ort.run1(f, "x", x), 1e-4, 1e-5);

        LayerReport fc1 = r.report().layers().get(0);
        assertEquals("fc1", fc1.node());
        assertEquals(2, fc1.rank());
        assertEquals(192, fc1.paramsBefore());
        assertEquals(2 * (16 + 12), fc1.paramsAfter());
        assertEquals(tailError(constant(m, "W1").data(), 12, 16, 2), fc1.relError(), 1e-4);
        assertEquals(1 - fc1.relError() * fc1.relError(), fc1.energyKept(), 1e-4);
        assertTrue(r.report().modelBytesAfter() < r.report().modelBytesBefore());
    }

    @Test
    void groupedConvWithBiasFactorsIntoAConvAndAOneByOneConv() {
        OnnxModel m = TestModels.cnn();
        TransformResult r = LowRank.apply(m, LayerSelector.names("conv1", "conv2"), LowRankSpec.rank(2));
        OnnxModel f = r.model();
        assertEquals(4, f.graph().opCounts().get("Conv"));
        Tensor x = Tensor.random(32, 2, 4, 8, 8);
        Map<String, Tensor> dense = Map.of(
                "W1", convProduct(constant(f, "W1.u"), constant(f, "W1.v"), 2),
                "W2", convProduct(constant(f, "W2.u"), constant(f, "W2.v"), 1));
        Tensor.assertClose(RefEval.run1(m, "x", x, dense), Ort.run1(f, "x", x), 1e-4, 1e-5);
        LayerReport conv1 = r.report().layers().get(0);
        assertEquals(144, conv1.paramsBefore());
        assertEquals(2 * 2 * (4 + 18), conv1.paramsAfter());
    }

    /** W[f, c, i, j] = sum_k Q[f, k] P[g r + k, c, i, j] for the group g of filter f. */
    static Tensor convProduct(Tensor p, Tensor q, int groups) {
        int m = q.dim(0);
        int r = q.dim(1);
        int inner = p.data().length / p.dim(0);
        int mg = m / groups;
        float[] w = new float[m * inner];
        for (int f = 0; f < m; f++) {
            int g = f / mg;
            for (int e = 0; e < inner; e++) {
                double s = 0;
                for (int k = 0; k < r; k++) {
                    s += (double) q.data()[f * r + k] * p.data()[(g * r + k) * inner + e];
                }
                w[f * inner + e] = (float) s;
            }
        }
        return new Tensor(new long[] {m, p.dim(1), p.dim(2), p.dim(3)}, w);
    }

    @Test
    void spatialSvdSplitsAConvIntoKhByOneAndOneByKw() {
        OnnxModel m = TestModels.cnn();
        TransformResult r = LowRank.apply(m, LayerSelector.names("conv2"), LowRankSpec.rank(4).withMethod("spatial"));
        OnnxModel f = r.model();
        Tensor v = constant(f, "W2.u");   // [r, C, kh, 1]
        Tensor h = constant(f, "W2.v");   // [M, r, 1, kw]
        assertEquals(4, v.dim(0));
        assertEquals(3, v.dim(2));
        assertEquals(3, h.dim(3));
        float[] w = new float[8 * 8 * 9];
        for (int mm = 0; mm < 8; mm++) {
            for (int c = 0; c < 8; c++) {
                for (int i = 0; i < 3; i++) {
                    for (int j = 0; j < 3; j++) {
                        double s = 0;
                        for (int k = 0; k < 4; k++) {
                            s += (double) h.data()[(mm * 4 + k) * 3 + j] * v.data()[(k * 8 + c) * 3 + i];
                        }
                        w[((mm * 8 + c) * 3 + i) * 3 + j] = (float) s;
                    }
                }
            }
        }
        Tensor x = Tensor.random(33, 2, 4, 8, 8);
        Tensor expected = RefEval.run1(m, "x", x, Map.of("W2", new Tensor(new long[] {8, 8, 3, 3}, w)));
        Tensor.assertClose(expected, Ort.run1(f, "x", x), 1e-4, 1e-5);
        assertEquals(4 * (24 + 24), r.report().layers().get(0).paramsAfter());
    }

    @Test
    void aRankThatWouldNotSaveParametersLeavesTheLayerAloneWithTheReason() {
        OnnxModel m = TestModels.mlp();
        TransformResult r = LowRank.apply(m, LayerSelector.names("fc1"), LowRankSpec.rank(7));
        LayerReport l = r.report().layers().get(0);
        assertNotNull(l.skipped());
        assertTrue(l.skipped().contains("rank < 6.9"), l.skipped());
        assertEquals(l.paramsBefore(), l.paramsAfter());
        assertEquals(m.graph().opCounts(), r.model().graph().opCounts());
    }

    @Test
    void energyChoosesTheSmallestRankKeepingThatShare() {
        OnnxModel m = TestModels.mlp();
        float[] s = Svd.values(Matrix.transpose(constant(m, "W1").data(), 12, 16), 16, 12);
        int expected = 0;
        while (Svd.energy(s, expected) < 0.6) {
            expected++;
        }
        TransformResult r = LowRank.apply(m, LayerSelector.names("fc1"), LowRankSpec.energy(0.6));
        LayerReport l = r.report().layers().get(0);
        assertNull(l.skipped());
        assertEquals(expected, l.rank());
        assertTrue(l.energyKept() >= 0.6);
        assertTrue(Spectra.isCached(m.graph().constant("W1").orElseThrow(), "svd"));
    }

    @Test
    void aRankAboveMinMnOrZeroIsABadSpec() {
        OnnxModel m = TestModels.mlp();
        var e = assertThrows(BadInputException.class, () -> LowRank.apply(m, LayerSelector.names("fc3"), LowRankSpec.rank(5)));
        assertTrue(e.getMessage().contains("above min(m, n) = 4 of layer 'fc3'"), e.getMessage());
        var z = assertThrows(BadInputException.class, () -> LowRankSpec.rank(0));
        assertEquals("lowrank.rank must be at least 1, got 0.", z.getMessage());
    }
}
