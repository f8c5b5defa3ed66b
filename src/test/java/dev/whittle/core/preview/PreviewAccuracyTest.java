package dev.whittle.core.preview;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.whittle.core.job.CancelToken;
import dev.whittle.core.job.ProgressSink;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.prune.PruneSpec;
import dev.whittle.core.quant.Granularity;
import dev.whittle.core.quant.RangeSpec;
import dev.whittle.core.quant.WeightSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The instant tier against the exact computation on every weight layer of the two Fashion
 * samples and MiniLM: SQNR within 0.5 dB (8 and 4 bits; tensor, channel and block 32;
 * symmetric min-max and asymmetric, and a common clip at 60% of the range), pruned fraction
 * within 0.1 percentage point (thresholds at four quantiles).
 */
class PreviewAccuracyTest {
    static final double DB = 0.5;
    static final double PP = 0.001;

    @ParameterizedTest
    @ValueSource(strings = {"fashion-mlp.onnx", "fashion-cnn.onnx", "minilm/all-minilm-l6-v2.onnx"})
    void estimatesAgreeWithTheExactComputationOnEveryLayer(String file) {
        Path path = Path.of("sample-models", file);
        assumeTrue(Files.isRegularFile(path));
        OnnxModel model = OnnxReader.read(path);
        List<String> worst = new ArrayList<>();
        double maxDb = 0;
        double maxPp = 0;
        for (WeightLayer l : model.graph().weightLayers()) {
            if (l.quantized() || l.shape().length < 2) {
                continue;
            }
            LayerFacts f = LayerFacts.compute(l, CancelToken.none());
            for (int bits : new int[] {8, 4}) {
                for (Granularity g : Granularity.values()) {
                    for (int variant = 0; variant < 3; variant++) {
                        WeightSpec spec = new WeightSpec(bits, variant != 1, g, g == Granularity.BLOCK ? 32 : 0, RangeSpec.MINMAX);
                        if (variant == 2) {
                            double c = 0.6 * f.absMax();
                            spec = spec.withRange(new RangeSpec.Explicit(-c, c));
                        }
                        QuantFigures est = QuantPreview.estimate(f, spec);
                        QuantFigures exact = ExactPreview.quantize(l, spec).run(ProgressSink.NONE, CancelToken.none());
                        double d = Math.abs(est.sqnrDb() - exact.sqnrDb());
                        maxDb = Math.max(maxDb, d);
                        assertTrue(d <= DB, l.node() + " " + spec + ": estimate " + est.sqnrDb() + " dB, exact " + exact.sqnrDb());
                        assertEquals(exact.scaleMin(), est.scaleMin(), 1e-12 + 1e-6 * exact.scaleMin(), l.node() + " " + spec);
                        assertEquals(exact.clippedFraction(), est.clippedFraction(), 0.002, l.node() + " " + spec);
                    }
                }
            }
            for (double q : new double[] {0.1, 0.3, 0.5, 0.9}) {
                double t = PrunePreview.atSparsity(f, q).threshold();
                PruneFigures est = PrunePreview.atThreshold(f, t);
                PruneFigures exact = ExactPreview.prune(l, PruneSpec.threshold(t)).run(ProgressSink.NONE, CancelToken.none());
                double d = Math.abs(est.fraction() - exact.fraction());
                maxPp = Math.max(maxPp, d);
                assertTrue(d <= PP, l.node() + " threshold " + t + ": estimate " + est.fraction() + ", exact " + exact.fraction());
                assertTrue(Math.abs(exact.fraction() - q) <= 0.002, l.node() + ": sparsity " + q + " gave threshold " + t
                        + " which prunes " + exact.fraction());
            }
        }
        System.out.printf(Locale.ROOT, "%s: largest SQNR gap %.4f dB, largest pruned-fraction gap %.5f pp%n", file, maxDb,
                100 * maxPp);
        worst.forEach(System.out::println);
    }
}
