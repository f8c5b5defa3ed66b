package dev.whittle.core.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.whittle.cli.WhittleCli;
import dev.whittle.core.eval.EvalSession;
import dev.whittle.core.eval.SessionSpec;
import dev.whittle.core.job.CancelToken;
import dev.whittle.core.job.CancelledException;
import dev.whittle.core.job.ProgressSink;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.plan.Plan;
import dev.whittle.core.plan.PlanExport;
import dev.whittle.core.plan.PlanRecipes;
import dev.whittle.core.recipe.Recipe;
import dev.whittle.core.recipe.RecipeFile;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A plan evaluated in memory measures what {@code whittle eval} measures on the exported model. */
class PlanEvaluationTest {
    static final Path SAMPLES = Path.of("sample-models");
    static final Path CNN = SAMPLES.resolve("fashion-cnn.onnx");
    static OnnxModel cnn;
    static DataChoice fashion;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() {
        cnn = OnnxReader.read(CNN);
        fashion = DataChoice.samplesFor(CNN).withLimit(500);
    }

    static Plan recipePlan(String name) {
        RecipeFile f = RecipeFile.read(SAMPLES.resolve("recipes").resolve(name));
        return PlanRecipes.fromRecipe(f.recipe(), cnn.graph());
    }

    static PlanEvaluation.Request request(Plan plan, DataChoice data) {
        return new PlanEvaluation.Request(cnn, plan, null, SAMPLES.resolve("recipes"), data,
                PlanEvaluation.windowSession(SessionSpec.Provider.CPU), 0, 0);
    }

    @Test
    void theSamplesOwnDataIsFoundForTheFashionModelsAndMiniLm() {
        DataChoice c = DataChoice.samplesFor(CNN);
        assertEquals(DataChoice.Kind.ARRAYS, c.kind());
        assertTrue(c.labels().endsWith("fashion-test-y.npy"));
        DataChoice m = DataChoice.samplesFor(SAMPLES.resolve("minilm").resolve("all-minilm-l6-v2.onnx"));
        assertEquals("mean", m.pool());
        assertEquals(List.of("input_ids", "attention_mask", "token_type_ids"), List.copyOf(m.inputs().keySet()));
        assertNull(DataChoice.samplesFor(dir.resolve("other.onnx")));
    }

    @Test
    void accuracyOfAnEvaluatedPlanEqualsWhittleEvalOfTheExportedModel() throws Exception {
        Plan plan = recipePlan("fashion-cnn-prune.yaml");
        List<String> stages = new ArrayList<>();
        PlanRun run = new PlanEvaluation().run(request(plan, fashion), (d, t, s) -> {
            if (stages.isEmpty() || !stages.get(stages.size() - 1).equals(s)) {
                stages.add(s);
            }
        }, CancelToken.none());
        assertFalse(run.original());
        assertTrue(stages.containsAll(List.of("data", "compress", "baseline", "model", "latency", "layer errors")), stages.toString());

        Path out = dir.resolve("pruned.onnx");
        PlanExport.modelNow(cnn, plan, out, SAMPLES.resolve("recipes"));
        StringWriter so = new StringWriter();
        int code = WhittleCli.run(new String[] {"eval", out.toString(), "--inputs", SAMPLES.resolve("fashion-test-x.npy").toString(),
                "--labels", SAMPLES.resolve("fashion-test-y.npy").toString(), "--limit", "500", "--json"},
                new PrintWriter(so), new PrintWriter(new StringWriter()));
        assertEquals(0, code);
        JsonNode cli = new ObjectMapper().readTree(so.toString());
        assertEquals(cli.get("accuracy").asDouble(), run.eval().accuracy(), 0.0);
        assertEquals(cli.get("correct").asLong(), run.eval().correct());
        assertEquals(cli.get("modelBytes").asLong(), run.eval().modelBytes());
        assertEquals(500, run.eval().samples());
        // fidelity against the original, latency at both batch sizes, per-layer errors
        assertTrue(run.eval().agreement() > 0.8 && run.eval().agreement() < 1, "agreement " + run.eval().agreement());
        assertTrue(run.eval().meanCosine() > 0.9 && run.eval().meanCosine() < 1);
        assertEquals(1, run.latency1().batch());
        assertEquals(32, run.latencyN().batch());
        assertEquals(PlanEvaluation.RUNS, run.latency1().runs());
        assertEquals(List.of("fc1", "fc2", "fc3"), run.layers().stream().map(PlanRun.LayerRow::node).toList());
        assertEquals("prune channels 20%", run.layers().get(0).settings());
        assertTrue(run.layers().get(0).relativeError() > 0 && run.layers().get(0).relativeError() < 1);
        assertEquals("prune 2:4", run.layers().get(2).settings());
        assertEquals(Math.max(1, Runtime.getRuntime().availableProcessors() - 1), run.eval().runtime().threads());
        // the stored recipe is the plan, and restores to it
        Plan back = PlanRecipes.fromRecipe(Recipe.parse("run", run.recipe()), cnn.graph());
        assertEquals(plan.layers(), back.layers());
        assertEquals(plan.rules(), back.rules());
        assertEquals(0, EvalSession.openSessions());
    }

    @Test
    void anEmptyPlanEvaluatesTheOriginalWhichAgreesWithItself() {
        PlanRun run = new PlanEvaluation().run(request(Plan.empty(), fashion.withLimit(200)), ProgressSink.NONE,
                CancelToken.none());
        assertTrue(run.original());
        assertEquals("original", run.name());
        assertNull(run.recipe());
        assertEquals(1.0, run.eval().agreement(), 0.0);
        assertEquals(1.0, run.eval().meanCosine(), 1e-9);
        assertEquals(cnn.graph().params(), run.params());
        assertTrue(run.layers().isEmpty());
    }

    @Test
    void syntheticDataGivesFidelityOnlyAndAutoOnTheCpuBuildSaysItRanOnTheCpu() {
        Plan plan = recipePlan("fashion-cnn-prune.yaml");
        PlanRun run = new PlanEvaluation().run(new PlanEvaluation.Request(cnn, plan, "mine", null,
                DataChoice.synthetic(64, 16), PlanEvaluation.windowSession(SessionSpec.Provider.AUTO), 0, 0),
                ProgressSink.NONE, CancelToken.none());
        assertEquals("mine", run.name());
        assertNull(run.eval().accuracy());
        assertNotNull(run.eval().meanCosine());
        assertEquals("cpu", run.eval().runtime().provider());
        if (!EvalSession.cudaInBuild()) {
            assertTrue(run.eval().notes().stream().anyMatch(n -> n.startsWith("auto: this ONNX Runtime build has no CUDA")),
                    run.eval().notes().toString());
        }
    }

    @Test
    void aCancelledEvaluationStopsAndLeavesNoSessionOpen() {
        CancelToken token = new CancelToken();
        Plan plan = recipePlan("fashion-cnn-prune.yaml");
        assertThrows(CancelledException.class, () -> new PlanEvaluation().run(request(plan, fashion), (d, t, s) -> {
            if (s.equals("model") && d > 64) {
                token.cancel();
            }
        }, token));
        assertEquals(0, EvalSession.openSessions());
    }

    @Test
    void workThatCannotStopHalfWayStillLetsCancelReturnAtOnce() throws Exception {
        CancelToken token = new CancelToken();
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        var result = java.util.concurrent.CompletableFuture.runAsync(() -> PlanEvaluation.cancellable("test", () -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 1;
        }, token));
        assertTrue(started.await(10, java.util.concurrent.TimeUnit.SECONDS));
        token.cancel();
        var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> result.get(2, java.util.concurrent.TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof CancelledException, String.valueOf(e.getCause()));
        release.countDown();
        assertEquals(7, PlanEvaluation.cancellable("test", () -> 7, CancelToken.none()));
        assertThrows(IllegalArgumentException.class, () -> PlanEvaluation.cancellable("test", () -> {
            throw new IllegalArgumentException("bad");
        }, CancelToken.none()));
    }

    @Test
    void aSeededSubsetIsTheSameEveryTimeAndKeepsLabelsWithTheirImages() {
        var full = fashion.load(cnn.graph());
        var a = Subsets.seeded(full, 50, 7);
        var b = Subsets.seeded(full, 50, 7);
        assertEquals(50, a.samples());
        assertEquals(a.labels().bytes(), b.labels().bytes());
        assertEquals(a.inputs().get("input").bytes(), b.inputs().get("input").bytes());
        int[] rows = Subsets.pick((int) full.samples(), 50, 7);
        for (int i = 0; i < rows.length; i++) {
            assertEquals(full.label(rows[i]), a.label(i));
            assertEquals(full.inputs().get("input").rows(rows[i], rows[i] + 1).bytes(),
                    a.inputs().get("input").rows(i, i + 1).bytes());
            if (i > 0) {
                assertTrue(rows[i] > rows[i - 1]);
            }
        }
    }
}
