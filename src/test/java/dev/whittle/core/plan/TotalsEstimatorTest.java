package dev.whittle.core.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.preview.PreviewCache;
import dev.whittle.core.recipe.RecipeFile;
import dev.whittle.core.recipe.RecipeRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The live totals against the file the writer really writes, for every example recipe:
 * parameters exact, bytes within 0.1% of the written file plus 2 KiB (protobuf framing of
 * the added nodes and tensors, which the estimate counts at a flat rate).
 */
class TotalsEstimatorTest {
    static java.util.stream.Stream<String> recipes() throws IOException {
        // GPTQ and Wanda change weight values only: their totals are those of their round-to-nearest
        // and magnitude siblings, and applying them on MiniLM takes 40-76 s each.
        return PlanRoundTripTest.recipes().filter(n -> !PlanRoundTripTest.dataAware(n));
    }

    @ParameterizedTest
    @MethodSource("recipes")
    void theEstimateMatchesTheWrittenModel(String name, @TempDir Path tmp) {
        Path recipePath = Path.of("sample-models/recipes", name);
        Path modelPath = PlanRoundTripTest.modelOf(name);
        assumeTrue(Files.isRegularFile(modelPath));
        OnnxModel model = OnnxReader.read(modelPath);
        RecipeFile rf = RecipeFile.read(recipePath);
        Plan plan = PlanRecipes.fromRecipe(rf.recipe(), model.graph());
        ResolvedPlan rp = ResolvedPlan.of(plan, model.graph());
        PreviewCache cache = new PreviewCache();
        for (ResolvedPlan.Effective e : rp.layers().values()) {
            if (e.lowrank() != null && e.lowrank().energy() != null) {
                cache.spectrum(model, e.layer(), e.lowrank().method()).run(dev.whittle.core.job.ProgressSink.NONE,
                        dev.whittle.core.job.CancelToken.none());
            }
        }
        Totals t = TotalsEstimator.of(model, TotalsEstimator.DEFAULT_SEQUENCE).estimate(rp, cache);
        RecipeRunner.Result r = RecipeRunner.run(rf, model);
        Path out = tmp.resolve("out.onnx");
        r.model().save(out);
        long written = out.toFile().length();
        long estimated = t.after().bytes();
        System.out.printf(Locale.ROOT, "%-26s params %d est %d | bytes %d est %d (%.3f%%)%n", name,
                r.model().graph().params(), t.after().params(), written, estimated, 100.0 * (estimated - written) / written);
        assertEquals(model.graph().fileBytes(), t.before().bytes());
        assertEquals(r.report().paramsBefore(), t.before().params(), name + " parameters before");
        assertEquals(r.report().paramsAfter(), t.after().params(), name + " parameters (quantization data apart)");
        assertEquals(r.report().quantParamsAfter(), t.after().quantParams(), name + " scales and zero points");
        assertEquals(r.model().graph().params(), t.after().params() + t.after().quantParams(), name + " all constants");
        assertTrue(Math.abs(estimated - written) <= 0.001 * written + 2048,
                name + ": estimated " + estimated + " bytes, written " + written);
    }

    @Test
    void sparseStorageByThresholdCountsTheNonzerosFromTheLayerStatistics(@TempDir Path tmp) {
        OnnxModel mlp = OnnxReader.read(Path.of("sample-models/fashion-mlp.onnx"));
        PreviewCache cache = new PreviewCache();
        var fc1 = mlp.graph().layer("fc1").orElseThrow();
        cache.facts(fc1).run(dev.whittle.core.job.ProgressSink.NONE, dev.whittle.core.job.CancelToken.none());
        Plan p = Plan.empty().withLayer("fc1", LayerSettings.INHERIT.withPrune(
                dev.whittle.core.prune.PruneSpec.threshold(0.02).withStorage("sparse")));
        Totals t = TotalsEstimator.of(mlp, 128).estimate(ResolvedPlan.of(p, mlp.graph()), cache);
        Path out = tmp.resolve("sparse.onnx");
        PlanExport.modelNow(mlp, p, out, null);
        OnnxModel written = OnnxReader.read(out);
        long size = out.toFile().length();
        assertTrue(Math.abs(t.after().bytes() - size) <= 0.001 * size + 2048, "estimated " + t.after().bytes() + ", written " + size);
        assertEquals(written.graph().params(), t.after().params());
        assertEquals(0, t.after().quantParams());
    }

    @Test
    void macsCountConvPixelsAndSequenceRows() {
        OnnxModel cnn = OnnxReader.read(Path.of("sample-models/fashion-cnn.onnx"));
        Totals t = TotalsEstimator.of(cnn, 128).estimate(ResolvedPlan.of(Plan.empty(), cnn.graph()));
        for (Totals.Layer l : t.layers().values()) {
            assertTrue(l.note() == null, l.node() + ": " + l.note());
            System.out.println(l.node() + " macs " + l.before().macs() + " params " + l.before().params());
        }
        assertEquals(t.before(), t.after());
        Path minilm = Path.of("sample-models/minilm/all-minilm-l6-v2.onnx");
        assumeTrue(Files.isRegularFile(minilm));
        OnnxModel m = OnnxReader.read(minilm);
        Totals a = TotalsEstimator.of(m, 128).estimate(ResolvedPlan.of(Plan.empty(), m.graph()));
        Totals b = TotalsEstimator.of(m, 64).estimate(ResolvedPlan.of(Plan.empty(), m.graph()));
        long weights = m.graph().weightLayers().stream().filter(l -> l.op().equals("MatMul")).mapToLong(l -> l.params()).sum();
        // The pooler's Gemm reads one row (the first token).
        long pooler = m.graph().weightLayers().stream().filter(l -> l.op().equals("Gemm")).mapToLong(l -> l.params()).sum();
        assertEquals(128 * weights + pooler, a.before().macs());
        assertEquals(2 * (b.before().macs() - pooler), a.before().macs() - pooler);
    }
}
