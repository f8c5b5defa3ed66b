package dev.whittle.ui;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.BadInputException;
import dev.whittle.core.lowrank.LowRankSpec;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.preview.PreviewCache;
import dev.whittle.core.prune.PruneSpec;
import dev.whittle.core.quant.Granularity;
import dev.whittle.core.quant.RangeSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plan, the inspector's previews and undo without the FX toolkit (a same-thread job runner),
 * on the Fashion-MNIST CNN.
 */
class PlanViewModelTest {
    static final Path CNN = Path.of("sample-models", "fashion-cnn.onnx");

    @TempDir
    Path dir;

    private final JobRunner jobs = JobRunner.direct();
    private final PlanViewModel plan = new PlanViewModel(jobs);
    private final InspectorViewModel inspector = new InspectorViewModel(jobs, plan, new PreviewCache());
    private final List<ErrorReport> errors = new ArrayList<>();
    private OnnxModel model;

    private WeightLayer open(String node) {
        model = OnnxReader.read(CNN);
        plan.setErrorHandler(errors::add);
        plan.setModel(model);
        WeightLayer l = model.graph().weightLayers().stream().filter(x -> x.node().equals(node)).findFirst().orElseThrow();
        inspector.select(l);
        return l;
    }

    @Test
    void movingTheSparsityMovesTheThresholdAndTheCommitIsOneUndoStep() {
        open("fc1");
        assertNotNull(inspector.factsProperty().get());
        PruneViewModel p = inspector.prune();
        p.sparsityProperty().set(0.5);
        assertEquals(0.5, p.figuresProperty().get().fraction(), 0.001, "estimate within 0.1 pp");
        double t = p.thresholdProperty().get();
        assertTrue(t > 0, "the threshold followed the slider");
        p.thresholdProperty().set(t * 1.5);
        assertTrue(p.sparsityProperty().get() > 0.5, "the slider followed the threshold");
        assertFalse(plan.canUndoProperty().get(), "nothing is written while dragging");
        p.commit();
        assertNotNull(plan.planProperty().get().layer("fc1").prune());
        assertTrue(p.figuresProperty().get().exact(), "the exact figure replaced the estimate");
        assertEquals("prune fc1", plan.history().undoLabel());
        assertEquals(1, plan.history().undoDepth());
        assertTrue(PlanCells.prune(plan.resolvedProperty().get().layer("fc1")).startsWith("t"));
        plan.undo();
        assertNull(plan.planProperty().get().layer("fc1").prune());
        assertEquals(0, p.sparsityProperty().get(), 0, "the tab shows the plan after undo");
        plan.redo();
        assertNotNull(plan.planProperty().get().layer("fc1").prune());
    }

    @Test
    void snappingTheRangeQuantizesTheLayerAndTheTotalsShrink() {
        open("fc1");
        long before = plan.totalsProperty().get().after().bytes();
        QuantViewModel q = inspector.quant();
        q.bitsProperty().set(4);
        assertEquals(4, plan.planProperty().get().layer("fc1").quantize().weights().bits(), "picking bits quantizes the layer");
        q.snap(RangeSpec.MSE);
        var w = plan.planProperty().get().layer("fc1").quantize().weights();
        assertEquals(4, w.bits());
        assertEquals(Granularity.CHANNEL, w.granularity());
        assertEquals(RangeSpec.MSE, w.range());
        assertTrue(q.figuresProperty().get().exact());
        assertTrue(q.figuresProperty().get().sqnrDb() > 10, "int4 per channel keeps a usable SQNR");
        assertTrue(plan.totalsProperty().get().after().bytes() < before, "int4 weights take fewer bytes");
        assertEquals("int4", PlanCells.bits(plan.resolvedProperty().get().layer("fc1")));
        assertEquals("mse", PlanCells.range(plan.resolvedProperty().get().layer("fc1")));
        assertTrue(inspector.finalErrorProperty().get().contains("relative error"), inspector.finalErrorProperty().get());
    }

    @Test
    void symmetricRangesStayMirroredAndTheScaleIsTheTextbookOne() {
        open("fc2");
        QuantViewModel q = inspector.quant();
        q.symmetricProperty().set(false);
        q.loProperty().set(-0.1);
        q.hiProperty().set(0.3);
        assertEquals((0.3 + 0.1) / 255, q.figuresProperty().get().scale(), 1e-9);
        assertEquals(Math.round(0.1 / ((0.3 + 0.1) / 255)), q.figuresProperty().get().zeroPoint());
        q.symmetricProperty().set(true);
        assertEquals(-0.3, q.loProperty().get(), 1e-12);
        assertEquals(0.3, q.hiProperty().get(), 1e-12);
        assertEquals(0.3 / 127, q.figuresProperty().get().scale(), 1e-9);
    }

    @Test
    void aRankIsALookupInTheSpectrumAndFactoringFc3SaysItSavesNothingAtFullRank() {
        WeightLayer l = open("fc3");
        inspector.wantSpectrumProperty().set(true);
        assertNotNull(inspector.spectrumProperty().get());
        RankViewModel r = inspector.rank();
        r.rankProperty().set(10);
        assertTrue(r.figuresProperty().get().savesNothing(), "fc3 is 10 x 84: rank 10 factors hold 940 > 840");
        r.rankProperty().set(2);
        assertFalse(r.figuresProperty().get().savesNothing());
        r.commitRank();
        assertEquals(2, plan.planProperty().get().layer(l.node()).lowrank().rank());
        assertEquals("2", PlanCells.rank(plan.resolvedProperty().get().layer(l.node())));
    }

    @Test
    void applyToSelectedAndResetAreOneStepEach() {
        open("fc1");
        inspector.quant().bitsProperty().set(4);
        inspector.quant().snap(RangeSpec.MINMAX);
        assertTrue(plan.applyToSelected("fc1", List.of("fc1", "fc2", "fc3")));
        assertEquals(2, plan.history().undoDepth());
        for (String n : List.of("fc2", "fc3")) {
            assertEquals(4, plan.planProperty().get().layer(n).quantize().weights().bits());
        }
        assertTrue(plan.resetLayers(List.of("fc1", "fc2", "fc3")));
        assertTrue(plan.planProperty().get().isEmpty());
        plan.undo();
        assertEquals(3, plan.planProperty().get().layers().size());
    }

    @Test
    void exportedRecipesOpenToTheSamePlanAndExportModelNeverWritesOverTheSource() throws Exception {
        open("fc1");
        plan.setPrune("fc3", PruneSpec.nOfM(2, 4));
        inspector.quant().snap(new RangeSpec.Percentile(99.9));
        Path recipe = dir.resolve("r.yaml");
        plan.exportRecipe(recipe);
        var tuned = plan.planProperty().get();
        plan.resetLayers(List.of("fc1", "fc3"));
        plan.openRecipe(recipe, () -> { });
        assertEquals(tuned.layers(), plan.planProperty().get().layers());

        Path copy = dir.resolve("cnn.onnx");
        Files.copy(CNN, copy);
        model = OnnxReader.read(copy);
        plan.setModel(model);
        assertNull(plan.exportModel(copy, () -> { }));
        assertEquals("Export Model never writes over the open model cnn.onnx; choose another file name.",
                errors.get(errors.size() - 1).message());
        Path out = dir.resolve("out.onnx");
        plan.setPrune("fc3", PruneSpec.nOfM(2, 4));
        boolean[] done = new boolean[1];
        plan.exportModel(out, () -> done[0] = true);
        assertTrue(done[0]);
        assertTrue(Files.size(out) > 0);
        assertFalse(Files.exists(dir.resolve("out.onnx.data")));
        // the same plan with its weights in a separate file: a small graph, the same values
        Path ext = dir.resolve("ext.onnx");
        List<String> statuses = new ArrayList<>();
        plan.setStatusHandler(statuses::add);
        plan.exportModel(ext, true, () -> { });
        assertTrue(Files.size(dir.resolve("ext.onnx.data")) > Files.size(ext));
        assertArrayEquals(OnnxReader.read(out).graph().layer("fc3").orElseThrow().tensor().toFloatArray(),
                OnnxReader.read(ext).graph().layer("fc3").orElseThrow().tensor().toFloatArray());
        assertTrue(statuses.get(statuses.size() - 1).contains("weights in ext.onnx.data"), statuses.toString());
    }

    /**
     * The data-aware choices: the prune criterion follows the structure (magnitude/wanda for
     * weights, l1/l2/activation for channels), the tab says what its picture leaves out and when
     * calibration data is missing, a file that does not fit the model is refused with the reason,
     * and the plan's recipe applies Wanda with the chosen data.
     */
    @Test
    void dataAwareChoicesNeedCalibrationDataAndReachTheRecipe() {
        open("fc1");
        PruneViewModel p = inspector.prune();
        assertEquals(List.of("magnitude", "wanda", "sparsegpt"), PruneViewModel.criteria("unstructured"));
        p.criterionProperty().set("wanda");
        p.sparsityProperty().set(0.5);
        p.commit();
        PruneSpec spec = plan.planProperty().get().layer("fc1").prune();
        assertEquals("wanda", spec.criterion());
        assertEquals(0.5, spec.sparsity(), 1e-9);
        assertTrue(p.dataNoteProperty().get().contains("no calibration data"), p.dataNoteProperty().get());
        p.structureProperty().set("channel");
        assertEquals("activation", p.criterionProperty().get(), "a data-aware choice stays data-aware");
        p.structureProperty().set("2:4");
        assertEquals("wanda", p.criterionProperty().get());
        assertEquals("2:4", plan.planProperty().get().layer("fc1").prune().structure());
        p.structureProperty().set("unstructured");
        p.criterionProperty().set("wanda");
        p.sparsityProperty().set(0.5);
        p.commit();

        var before = plan.planProperty().get();
        plan.setCalibration(Path.of("sample-models", "fashion-test-y.npy"), () -> { });
        assertEquals(before, plan.planProperty().get(), "a file that does not fit changes nothing");
        assertTrue(errors.get(errors.size() - 1).message().contains("fashion-test-y.npy"), errors.toString());
        plan.setCalibration(Path.of("sample-models", "fashion-calib-x.npy"), () -> { });
        assertTrue(plan.calibrated());
        assertEquals("", p.dataNoteProperty().get().contains("no calibration data") ? "missing" : "",
                "the note no longer asks for data: " + p.dataNoteProperty().get());

        var recipe = dev.whittle.core.plan.PlanRecipes.toRecipe(plan.planProperty().get(), model.graph(), null);
        var applied = dev.whittle.core.recipe.RecipeRunner.run(recipe, model, dev.whittle.core.recipe.RecipeRunner.Options.in(null));
        float[] w = applied.model().graph().layer("fc1").orElseThrow().tensor().toFloatArray();
        long zeros = 0;
        for (float v : w) {
            zeros += v == 0f ? 1 : 0;
        }
        assertEquals(w.length / 2, zeros, "half of fc1 pruned");
        plan.setPrune("fc1", PruneSpec.sparsity(0.5));
        var magnitude = dev.whittle.core.recipe.RecipeRunner.run(dev.whittle.core.plan.PlanRecipes.toRecipe(
                plan.planProperty().get(), model.graph(), null), model, dev.whittle.core.recipe.RecipeRunner.Options.in(null));
        assertFalse(java.util.Arrays.equals(w, magnitude.model().graph().layer("fc1").orElseThrow().tensor().toFloatArray()),
                "Wanda, with the calibration data, keeps other weights than magnitude");
        // SparseGPT from the same tab: the plan, the exported recipe and the written weights
        p.criterionProperty().set("sparsegpt");
        p.sparsityProperty().set(0.5);
        p.commit();
        assertEquals("sparsegpt", plan.planProperty().get().layer("fc1").prune().criterion());
        assertTrue(p.dataNoteProperty().get().contains("SparseGPT"), p.dataNoteProperty().get());
        var sgRecipe = dev.whittle.core.plan.PlanRecipes.toRecipe(plan.planProperty().get(), model.graph(), null);
        float[] sg = dev.whittle.core.recipe.RecipeRunner.run(sgRecipe, model, dev.whittle.core.recipe.RecipeRunner.Options.in(null))
                .model().graph().layer("fc1").orElseThrow().tensor().toFloatArray();
        long sgZeros = 0;
        for (float v : sg) {
            sgZeros += v == 0f ? 1 : 0;
        }
        assertEquals(sg.length / 2, sgZeros, "half of fc1 pruned by SparseGPT");
        assertFalse(java.util.Arrays.equals(w, sg), "SparseGPT updates the weights it keeps");
    }

    /**
     * GPTQ, bias correction and Refit are per-layer choices: ticking them writes the plan (one
     * undo step each), they come back when the layer is selected again, the note says what the
     * figures leave out, and the plan's recipe applies them: other codes and a shifted bias than
     * round to nearest, and refit weights under the same zeros as plain pruning.
     */
    @Test
    void gptqBiasCorrectionAndRefitAreLayerChoicesThatReachTheRecipe() {
        WeightLayer fc1 = open("fc1");
        QuantViewModel q = inspector.quant();
        q.bitsProperty().set(4);
        var rtnPlan = plan.planProperty().get();
        q.gptqProperty().set(true);
        q.biasCorrectionProperty().set(true);
        var w = plan.planProperty().get().layer("fc1").quantize().weights();
        assertTrue(w.gptq() && w.biasCorrection() && w.bits() == 4, w.toString());
        assertTrue(q.dataNoteProperty().get().contains("no calibration data"), q.dataNoteProperty().get());
        plan.undo();
        assertFalse(plan.planProperty().get().layer("fc1").quantize().weights().biasCorrection(), "one undo step each");
        plan.redo();

        PruneViewModel p = inspector.prune();
        p.sparsityProperty().set(0.5);
        p.commit();
        var magnitudePlan = plan.planProperty().get().withLayer("fc1",
                plan.planProperty().get().layer("fc1").withQuantize(null));
        p.reconstructProperty().set(true);
        assertEquals(Boolean.TRUE, plan.planProperty().get().layer("fc1").reconstruct());
        assertTrue(p.dataNoteProperty().get().startsWith("Refit"), p.dataNoteProperty().get());

        inspector.select(model.graph().layer("fc2").orElseThrow());
        assertFalse(q.gptqProperty().get());
        assertFalse(p.reconstructProperty().get());
        inspector.select(fc1);
        assertTrue(q.gptqProperty().get() && q.biasCorrectionProperty().get() && p.reconstructProperty().get(),
                "the choices come back with the layer");

        plan.setCalibration(Path.of("sample-models", "fashion-calib-x.npy"), () -> { });
        assertFalse(q.dataNoteProperty().get().contains("no calibration data"), q.dataNoteProperty().get());
        var all = applied(plan.planProperty().get());
        var rtn = applied(rtnPlan.withCalibration(plan.planProperty().get().calibration())
                .withLayer("fc1", rtnPlan.layer("fc1")));
        assertFalse(java.util.Arrays.equals(bias(all, "fc1"), bias(rtn, "fc1")), "bias correction moved fc1's bias");

        var pruned = applied(magnitudePlan.withCalibration(plan.planProperty().get().calibration()));
        var refit = applied(magnitudePlan.withCalibration(plan.planProperty().get().calibration())
                .withLayer("fc1", magnitudePlan.layer("fc1").withPrune(PruneSpec.sparsity(0.5), true)));
        float[] a = pruned.graph().layer("fc1").orElseThrow().tensor().toFloatArray();
        float[] b = refit.graph().layer("fc1").orElseThrow().tensor().toFloatArray();
        int moved = 0;
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i] == 0f, b[i] == 0f, "the refit keeps the zeros at " + i);
            moved += a[i] != b[i] ? 1 : 0;
        }
        assertTrue(moved > a.length / 4, "the refit changed the kept weights: " + moved);
    }

    private OnnxModel applied(dev.whittle.core.plan.Plan p) {
        var recipe = dev.whittle.core.plan.PlanRecipes.toRecipe(p, model.graph(), null);
        return dev.whittle.core.recipe.RecipeRunner.run(recipe, model, dev.whittle.core.recipe.RecipeRunner.Options.in(null))
                .model();
    }

    private static float[] bias(OnnxModel m, String node) {
        var ed = dev.whittle.core.onnx.GraphEditor.of(m);
        return ed.floats(ed.node(ed.nodeIndex(node).orElseThrow()).input(2));
    }

    /** Whiten: the whitened spectrum is computed on the calibration data and the plan's factoring is whitened. */
    @Test
    void whiteningShowsTheOutputsSpectrumAndSetsThePlan() {
        WeightLayer l = open("conv2");
        inspector.wantSpectrumProperty().set(true);
        RankViewModel r = inspector.rank();
        r.whitenProperty().set(true);
        assertNull(r.whitenedProperty().get());
        assertTrue(r.whitenNoteProperty().get().contains("needs calibration data"), r.whitenNoteProperty().get());
        plan.setCalibration(Path.of("sample-models", "fashion-calib-x.npy"), () -> { });
        float[] w = r.whitenedProperty().get();
        assertNotNull(w, r.whitenNoteProperty().get());
        assertEquals(16, w.length, "min(150, 16) values for conv2 [16, 6, 5, 5]");
        r.rankProperty().set(3);
        r.commitRank();
        assertTrue(plan.planProperty().get().layer(l.node()).lowrank().whiten());
        assertEquals(3, plan.planProperty().get().layer(l.node()).lowrank().rank());
        assertTrue(r.whitenNoteProperty().get().contains("At rank 3"), r.whitenNoteProperty().get());
        double plain = inspector.rank().figuresProperty().get().energyKept();
        double white = RankViewModel.keptShare(w, 3);
        assertTrue(Math.abs(plain - white) > 1e-3, "the two spectra tell different stories: " + plain + " vs " + white);

        // Refit: the layer's reconstruct, shown in the Rank cell and in the note, and loaded back.
        assertEquals("", r.refitNoteProperty().get());
        r.reconstructProperty().set(true);
        assertEquals(Boolean.TRUE, plan.planProperty().get().layer(l.node()).reconstruct());
        assertEquals("3 w +refit", PlanCells.rank(plan.resolvedProperty().get().layer(l.node())));
        assertTrue(r.refitNoteProperty().get().startsWith("Refit: both factors and the bias"), r.refitNoteProperty().get());
        inspector.select(model.graph().layer("conv1").orElseThrow());
        assertFalse(inspector.rank().reconstructProperty().get());
        inspector.select(l);
        assertTrue(inspector.rank().reconstructProperty().get(), "loaded back from the plan");
        assertTrue(inspector.rank().whitenProperty().get());
    }

    @Test
    void typedCellsParseOrSayWhatIsWrong() {
        assertEquals(0.5, PlanCells.parsePrune("50%").sparsity(), 1e-12);
        assertEquals(0.25, PlanCells.parsePrune("0.25").sparsity(), 1e-12);
        assertEquals("2:4", PlanCells.parsePrune("2:4").structure());
        assertTrue(PlanCells.parsePrune("ch 30%").isChannel());
        assertEquals(0.01, PlanCells.parsePrune("t0.01").threshold(), 1e-12);
        assertNull(PlanCells.parsePrune(" "));
        assertEquals(64, PlanCells.parseRank("64").rank());
        assertEquals(4, PlanCells.withBits(null, "int4").weights().bits());
        assertFalse(PlanCells.withBits(null, "8 asym").weights().symmetric());
        assertEquals(64, PlanCells.withGranularity(null, "block64").weights().block());
        assertEquals(new RangeSpec.Explicit(-0.5, 0.5), PlanCells.withRange(null, "-0.5..0.5").weights().range());
        BadInputException e = assertThrows(BadInputException.class, () -> PlanCells.parseRank("big"));
        assertEquals("Rank must be a whole number such as 64, or E 90% (energy kept) or P 50% (parameters kept),"
                + " got 'big'.", e.getMessage());
        assertEquals(0.9, PlanCells.parseRank("E 90%").energy(), 1e-12);
        assertEquals(0.5, PlanCells.parseRank("p 0.5").params(), 1e-12);
        assertEquals("E 90%", PlanCells.rank(PlanCells.parseRank("E 90%")), "the cell reads back as typed");
        assertEquals(LowRankSpec.params(0.5).withWhiten(true), PlanCells.parseRankCell("P 50% w +refit"));
        assertEquals(LowRankSpec.rank(64), PlanCells.parseRankCell("64 +refit"));
        assertTrue(PlanCells.refit("64 w +refit") && !PlanCells.refit("64 w"));

        // Data-aware choices are part of the cells: the criterion, +refit, gptq and +bias.
        for (String cell : List.of("50% wanda", "2:4 wanda", "ch 30% activation", "ch 30% l2", "t0.01", "50%")) {
            assertEquals(cell, PlanCells.prune(PlanCells.parsePrune(cell)), "reads back as typed");
        }
        assertEquals("wanda", PlanCells.parsePrune("50% wanda +refit").criterion());
        assertTrue(PlanCells.refit("50% wanda +refit") && PlanCells.refit("ch 50% refit") && !PlanCells.refit("50%"));
        assertThrows(BadInputException.class, () -> PlanCells.parsePrune("ch 50% wanda"), "channels are not ranked by Wanda");
        assertThrows(BadInputException.class, () -> PlanCells.parsePrune("wanda"));
        var w = PlanCells.withBits(null, "int4 gptq +bias").weights();
        assertTrue(w.bits() == 4 && w.gptq() && w.biasCorrection());
        assertEquals("int4 gptq +bias", PlanCells.bits(w));
        assertTrue(PlanCells.withGranularity(w, "block32").weights().gptq(), "changing the granularity keeps GPTQ");
        assertFalse(PlanCells.withBits(w, "int8").weights().gptq(), "the bits cell says what it wants");
    }
}
