package dev.whittle.core.compare;

import dev.whittle.core.BadInputException;
import dev.whittle.core.eval.BenchRequest;
import dev.whittle.core.eval.BenchResult;
import dev.whittle.core.eval.Dataset;
import dev.whittle.core.eval.EvalRequest;
import dev.whittle.core.eval.EvalResult;
import dev.whittle.core.eval.EvalSession;
import dev.whittle.core.eval.Evaluator;
import dev.whittle.core.eval.LatencyBench;
import dev.whittle.core.eval.LatencyStats;
import dev.whittle.core.eval.Pool;
import dev.whittle.core.eval.SessionSpec;
import dev.whittle.core.eval.SyntheticInputs;
import dev.whittle.core.job.CancelToken;
import dev.whittle.core.job.Job;
import dev.whittle.core.job.ProgressSink;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.plan.LayerError;
import dev.whittle.core.plan.Plan;
import dev.whittle.core.plan.PlanRecipes;
import dev.whittle.core.plan.ResolvedPlan;
import dev.whittle.core.recipe.Recipe;
import dev.whittle.core.recipe.RecipeRunner;
import dev.whittle.core.recipe.RecipeWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Evaluates a workbench plan as one job: applies it in memory through {@link RecipeRunner} (the
 * runner {@code whittle apply} and Export Model use, so the evaluated model is the exported
 * one), then measures accuracy (labelled data) and fidelity against the original (agreement,
 * cosine, output SQNR) with the {@link Evaluator}, latency at batch 1 and batch N with
 * {@link LatencyBench}, and each touched layer's weight error with {@link LayerError}. A model
 * over protobuf's 2 GiB goes to ONNX Runtime from a temporary file with external data, removed
 * afterwards. An empty plan evaluates the original model.
 *
 * <p>One instance per window: it keeps the loaded data (by choice) and the evaluator's cache of
 * the original's outputs, so evaluating many plans runs the original once. Thread-safe.
 */
public final class PlanEvaluation {
    /** Warm-up and timed runs of the latency figures, per batch size. */
    static final int WARMUP = 3;
    static final int RUNS = 20;

    private final Evaluator evaluator = new Evaluator();
    private DataKey fullKey;
    private Dataset fullData;
    private DataKey subsetKey;
    private Dataset subsetData;

    /**
     * What to evaluate.
     *
     * @param model      the open (original) model; never changed
     * @param plan       the plan; empty for the original
     * @param name       the run's name, or null for an automatic one
     * @param planFolder where the plan's relative calibration path resolves, or null
     * @param data       what to evaluate on
     * @param session    ONNX Runtime settings (provider, threads)
     * @param subset     evaluate a seeded random subset of this many samples (auto-evaluate); 0 = all
     * @param seed       the subset's seed
     */
    public record Request(OnnxModel model, Plan plan, String name, Path planFolder, DataChoice data, SessionSpec session,
                          long subset, long seed) {
        public Request {
            if (model == null || plan == null || data == null || session == null) {
                throw new BadInputException("An evaluation needs a model, a plan, data and session settings.");
            }
            if (subset < 0) {
                throw new BadInputException("subset must be 0 (all) or positive, got " + subset + ".");
            }
        }
    }

    /**
     * ONNX Runtime settings for the window: intra-op threads within the compute budget, which the
     * window sets to one fewer than the cores (or --threads), so the window keeps one.
     */
    public static SessionSpec windowSession(SessionSpec.Provider provider) {
        return new SessionSpec(provider, windowThreads(), SessionSpec.OptLevel.ALL, true);
    }

    /** ONNX Runtime's intra-op threads in the window: the budget the window set, else one core fewer than the machine. */
    public static int windowThreads() {
        return dev.whittle.core.tensor.Parallel.limited() ? dev.whittle.core.tensor.Parallel.threads()
                : Math.max(1, dev.whittle.core.tensor.Parallel.cores() - 1);
    }

    /**
     * The job. Progress stages: "data", "compress", "baseline", "model" (samples), "latency"
     * (runs), "layer errors" (layers). Cancellable at every batch, run and layer.
     */
    public Job<PlanRun> job(Request r) {
        return (progress, cancel) -> run(r, progress, cancel);
    }

    public PlanRun run(Request r, ProgressSink progress, CancelToken cancel) {
        progress.update(0, -1, "data");
        Dataset data = cancellable("whittle-load-data", () -> data(r.data(), r.model(), r.subset(), r.seed()), cancel);
        List<String> notes = new ArrayList<>();
        SessionSpec session = session(r.session(), notes);
        ResolvedPlan resolved = ResolvedPlan.of(r.plan(), r.model().graph());
        boolean original = r.plan().isEmpty();
        String name = r.name() != null && !r.name().isBlank() ? r.name() : RunNames.plan(resolved);
        OnnxModel compressed = r.model();
        String recipeText = null;
        long params = r.model().graph().params();
        if (!original) {
            progress.update(0, 1000, "compress");
            Recipe recipe = PlanRecipes.toRecipe(r.plan(), r.model().graph(), null);
            RecipeRunner.Result applied = cancellable("whittle-compress", () -> RecipeRunner.run(recipe, r.model(),
                    new RecipeRunner.Options(r.planFolder(), f -> progress.update(Math.round(f * 1000), 1000, "compress"),
                    cancel::isCancelled)), cancel);
            notes.addAll(applied.warnings());
            compressed = applied.model();
            recipeText = RecipeWriter.toYaml(recipe, null);
            params = applied.report().paramsAfter();
        }
        cancel.throwIfCancelled();
        Path temp = null;
        try {
            if (compressed.serializedBytes() < 0) {
                // protobuf cannot hold it as one message: ONNX Runtime reads it from a file with external data.
                temp = Files.createTempDirectory("whittle-eval-");
                Path file = temp.resolve("evaluated.onnx");
                compressed.save(file, true);
                compressed = OnnxReader.read(file);
                notes.add("the model is over 2 GiB: evaluated from a temporary file with external data");
            }
            Pool pool = Pool.parse(r.data().pool());
            EvalRequest er = new EvalRequest(compressed, name, r.model(), data, r.data().batch(), 0, null, pool, session);
            EvalResult eval = evaluator.evaluate(er, progress, cancel);
            BenchResult bench = latency(compressed, data, r.data().batch(), session, progress, cancel);
            List<PlanRun.LayerRow> layers = layerErrors(resolved, progress, cancel);
            notes.addAll(eval.notes());
            notes.addAll(bench.notes().stream().filter(n -> !notes.contains(n)).toList());
            eval = withNotes(eval, dataLabel(r.data(), r.subset()), notes);
            LatencyStats b1 = bench.results().get(0);
            LatencyStats bn = bench.results().size() > 1 ? bench.results().get(1) : b1.batch() == r.data().batch() ? b1 : null;
            return new PlanRun(eval.id(), original ? "original" : name, original, recipeText, params, eval, b1, bn, layers,
                    r.subset() > 0);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the temporary model: " + e.getMessage(), e);
        } finally {
            deleteTree(temp);
        }
    }

    /** CUDA is tried when asked (AUTO's fallback, with its note); a build without CUDA says so. */
    static SessionSpec session(SessionSpec s, List<String> notes) {
        if (s.provider() == SessionSpec.Provider.CPU) {
            return s;
        }
        if (!EvalSession.cudaInBuild()) {
            notes.add((s.provider() == SessionSpec.Provider.CUDA ? "CUDA was chosen" : "auto")
                    + ": this ONNX Runtime build has no CUDA support (the CPU jar; build with -Pgpu on a machine with CUDA 12);"
                    + " ran on the CPU");
            return s.withProvider(SessionSpec.Provider.CPU);
        }
        return s.withProvider(SessionSpec.Provider.AUTO);
    }

    private static BenchResult latency(OnnxModel m, Dataset data, int batch, SessionSpec session, ProgressSink progress,
                                       CancelToken cancel) {
        List<Integer> batches = batch > 1 && data.samples() >= batch ? List.of(1, batch) : List.of(1);
        return LatencyBench.run(new BenchRequest(m, data, batches, WARMUP, RUNS, Map.of(), SyntheticInputs.DEFAULT_DIM,
                session), progress, cancel);
    }

    private static List<PlanRun.LayerRow> layerErrors(ResolvedPlan resolved, ProgressSink progress, CancelToken cancel) {
        List<ResolvedPlan.Effective> touched = resolved.layers().values().stream().filter(e -> !e.untouched()).toList();
        List<PlanRun.LayerRow> rows = new ArrayList<>();
        for (int i = 0; i < touched.size(); i++) {
            cancel.throwIfCancelled();
            progress.update(i, touched.size(), "layer errors");
            ResolvedPlan.Effective e = touched.get(i);
            LayerError err = LayerError.job(e).run(ProgressSink.NONE, cancel);
            rows.add(new PlanRun.LayerRow(e.layer().node(), RunNames.layer(e), err.relativeError(), err.sqnrDb(), err.note()));
        }
        return rows;
    }

    /**
     * Work that cannot stop half-way (reading the data, compressing a layer) runs on its own
     * thread while the job waits in 20 ms steps: Cancel returns at once, the work ends in the
     * background and its result, in memory only, is dropped (data read still fills the cache).
     */
    static <T> T cancellable(String name, java.util.function.Supplier<T> work, CancelToken cancel) {
        java.util.concurrent.CompletableFuture<T> f = new java.util.concurrent.CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(work.get());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        }, name);
        t.setDaemon(true);
        t.start();
        while (true) {
            cancel.throwIfCancelled();
            try {
                return f.get(20, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                // not yet: check the token again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new dev.whittle.core.job.CancelledException();
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                if (e.getCause() instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    /** The data for a choice, loaded once while the choice and the model stay the same (a subset likewise). */
    synchronized Dataset data(DataChoice c, OnnxModel model, long subset, long seed) {
        DataKey full = new DataKey(c, model, 0, 0);
        if (!full.equals(fullKey)) {
            fullData = c.load(model.graph()).limit(c.limit());
            fullKey = full;
            subsetKey = null;
        }
        if (subset <= 0) {
            return fullData;
        }
        DataKey key = new DataKey(c, model, subset, seed);
        if (!key.equals(subsetKey)) {
            subsetData = Subsets.seeded(fullData, subset, seed);
            subsetKey = key;
        }
        return subsetData;
    }

    /** The evaluator, whose cache holds the original's outputs. */
    public Evaluator evaluator() {
        return evaluator;
    }

    private record DataKey(DataChoice choice, OnnxModel model, long subset, long seed) {
        @Override
        public boolean equals(Object o) {
            return o instanceof DataKey k && k.choice.equals(choice) && k.model == model && k.subset == subset && k.seed == seed;
        }

        @Override
        public int hashCode() {
            return choice.hashCode() * 31 + System.identityHashCode(model);
        }
    }

    /** How a run's data is named in its result: the choice's label, with the limit or the subset. */
    public static String dataLabel(DataChoice c, long subset) {
        return c.label() + (c.limit() > 0 ? " (first " + c.limit() + ")" : "")
                + (subset > 0 ? " (" + subset + " random samples)" : "");
    }

    static EvalResult withNotes(EvalResult r, String data, List<String> notes) {
        return new EvalResult(r.id(), r.time(), r.model(), r.modelPath(), r.modelBytes(), r.weightBytes(), r.baseline(),
                data, r.samples(), r.batch(), r.correct(), r.accuracy(), r.top5(), r.agreement(), r.meanCosine(),
                r.minCosine(), r.outputSqnrDb(), r.maxAbsDiff(), r.latencyMs(), r.output(), r.pool(), r.runtime(),
                notes.stream().distinct().toList());
    }

    private static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A leftover temporary folder is harmless; the evaluation's result stands.
        }
    }
}
