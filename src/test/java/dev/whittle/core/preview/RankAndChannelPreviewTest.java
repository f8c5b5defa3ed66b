package dev.whittle.core.preview;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.job.CancelToken;
import dev.whittle.core.job.ProgressSink;
import dev.whittle.core.lowrank.LowRankSpec;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.prune.ChannelImpact;
import dev.whittle.core.quant.Granularity;
import dev.whittle.core.quant.RangeSpec;
import dev.whittle.core.quant.WeightSpec;
import dev.whittle.core.tensor.Svd;
import dev.whittle.core.tensor.SvdResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RankAndChannelPreviewTest {
    static final OnnxModel MLP = OnnxReader.read(Path.of("sample-models/fashion-mlp.onnx"));
    static final OnnxModel CNN = OnnxReader.read(Path.of("sample-models/fashion-cnn.onnx"));

    @Test
    void rankFiguresMatchTheTruncatedSvd() {
        WeightLayer fc2 = MLP.graph().layer("fc2").orElseThrow();
        Spectrum s = Spectrum.job(MLP, fc2, "svd").run(ProgressSink.NONE, CancelToken.none());
        float[] w = fc2.tensor().toFloatArray();
        int m = (int) fc2.shape()[0];
        int n = (int) fc2.shape()[1];
        SvdResult full = Svd.full(w, m, n);
        for (int r : new int[] {1, 8, 32, 64}) {
            RankFigures f = RankPreview.at(s, r);
            double exact = Svd.relativeError(w, full.truncate(r).reconstruct());
            assertEquals(exact, f.relativeError(), 1e-4, "rank " + r);
            assertEquals((long) r * (m + n), f.paramsAfter());
            assertEquals(f.paramsAfter() >= fc2.params(), f.savesNothing());
        }
        assertTrue(RankPreview.at(s, s.maxRank()).savesNothing());
        assertEquals(1, RankPreview.at(s, s.maxRank()).energyKept(), 1e-5);
        // The rank an energy target picks is the one the transform picks.
        assertEquals(LowRankSpec.energy(0.9).rankFor(m, n, full.s()), RankPreview.rankFor(s, LowRankSpec.energy(0.9)));
    }

    @Test
    void convSpectraFoldGroupsAndCountBothFactors() {
        WeightLayer conv2 = CNN.graph().layer("conv2").orElseThrow();
        Spectrum s = Spectrum.job(CNN, conv2, "svd").run(ProgressSink.NONE, CancelToken.none());
        assertNotNull(s);
        assertEquals(16, s.m());
        assertEquals(6 * 25, s.n());
        assertEquals(16 + 150, s.factorParamsPerRank());
        double sum = 0;
        for (float v : conv2.tensor().toFloatArray()) {
            sum += (double) v * v;
        }
        assertEquals(sum, s.totalEnergy(), 1e-6 * sum);
    }

    @Test
    void theTopValuesOfALargeMatrixComeFromTheRandomizedSvd() {
        int m = 1800;
        int n = 1600;
        Random rnd = new Random(3);
        float[] a = new float[m * n];
        SvdResult basis = Svd.randomized(gaussian(m, n, rnd), m, n, 600);
        for (int k = 0; k < 600; k++) {
            float sv = (float) (1 / Math.sqrt(k + 1));
            for (int i = 0; i < m; i++) {
                float u = basis.u()[i * basis.k() + k] * sv;
                for (int j = 0; j < n; j++) {
                    a[i * n + j] += u * basis.vt()[k * n + j];
                }
            }
        }
        float[] top = Svd.randomized(a, m, n, Spectrum.TOP, 10, 2, 0x5EEDL).s();
        float[] exact = Svd.values(a, m, n);
        double all = 0;
        for (float v : exact) {
            all += (double) v * v;
        }
        for (int r : new int[] {16, 64, 256, 512}) {
            double e1 = 0;
            double e2 = 0;
            for (int i = 0; i < r; i++) {
                e1 += (double) top[i] * top[i];
                e2 += (double) exact[i] * exact[i];
            }
            assertEquals(e2 / all, e1 / all, 0.01, "energy kept at rank " + r);
        }
    }

    private static float[] gaussian(int m, int n, Random rnd) {
        float[] g = new float[m * n];
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) rnd.nextGaussian();
        }
        return g;
    }

    @Test
    void channelPruningShowsTheRemovedChannelsAndTheLayersThatShrink() {
        WeightLayer fc1 = CNN.graph().layer("fc1").orElseThrow();
        LayerFacts f = LayerFacts.compute(fc1, CancelToken.none());
        ChannelImpact impact = ChannelPreview.impact(CNN, "fc1");
        assertEquals(List.of("fc2"), impact.shrinking());
        ChannelFigures c = ChannelPreview.at(f, impact, 0.25, "l1");
        assertEquals(30, c.removed().length);
        double cut = 0;
        for (int r : c.removed()) {
            cut = Math.max(cut, c.norms()[r]);
        }
        int below = 0;
        for (double v : c.norms()) {
            below += v <= cut ? 1 : 0;
        }
        assertEquals(30, below, "the removed channels are the 30 smallest norms");
        assertEquals(List.of("conv2"), ChannelPreview.impact(CNN, "conv1").shrinking());
        ChannelImpact last = ChannelPreview.impact(CNN, "fc3");
        assertNotNull(last.blocked(), "fc3 feeds the graph output");
        assertEquals(0, ChannelPreview.at(LayerFacts.compute(CNN.graph().layer("fc3").orElseThrow(), CancelToken.none()),
                last, 0.5, "l2").removed().length);
        assertEquals(120, f.channelMin().length);
        assertArrayEquals(new long[] {120, 400}, new long[] {f.channelMin().length, fc1.params() / 120});
    }

    @Test
    void rangeSnapsPickTheClipTheQuantizerWouldPick() {
        WeightLayer fc1 = MLP.graph().layer("fc1").orElseThrow();
        LayerFacts f = LayerFacts.compute(fc1, CancelToken.none());
        WeightSpec t4 = WeightSpec.of(4, Granularity.TENSOR);
        RangeSpec.Explicit mm = QuantPreview.snap(f, t4, RangeSpec.MINMAX);
        assertEquals(f.absMax(), mm.hi(), 1e-7);
        RangeSpec.Explicit p = QuantPreview.snap(f, t4, new RangeSpec.Percentile(99.9));
        float[] abs = fc1.tensor().toFloatArray();
        for (int i = 0; i < abs.length; i++) {
            abs[i] = Math.abs(abs[i]);
        }
        java.util.Arrays.sort(abs);
        double exactP = abs[(int) Math.ceil(0.999 * abs.length) - 1];
        assertEquals(exactP, p.hi(), 0.002 * exactP);
        RangeSpec.Explicit mse = QuantPreview.snap(f, t4, RangeSpec.MSE);
        QuantFigures viaSnap = ExactPreview.quantize(fc1, t4.withRange(mse)).run(ProgressSink.NONE, CancelToken.none());
        QuantFigures viaMse = ExactPreview.quantize(fc1, t4.withRange(RangeSpec.MSE)).run(ProgressSink.NONE, CancelToken.none());
        assertEquals(viaMse.sqnrDb(), viaSnap.sqnrDb(), 0.3, "the MSE snap is as good as the quantizer's own MSE search");
        QuantFigures atMinMax = ExactPreview.quantize(fc1, t4).run(ProgressSink.NONE, CancelToken.none());
        assertFalse(viaSnap.sqnrDb() < atMinMax.sqnrDb(), "clipping at the MSE snap beats min-max at 4 bits");
    }
}
