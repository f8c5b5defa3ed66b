package dev.whittle.ui;

import dev.whittle.core.compare.DataChoice;
import dev.whittle.core.compare.PlanEvaluation;
import dev.whittle.core.compare.PlanRun;
import dev.whittle.core.compare.RunHistory;
import dev.whittle.core.eval.SessionSpec;
import dev.whittle.core.job.Job;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.plan.Plan;
import dev.whittle.core.plan.PlanRecipes;
import dev.whittle.core.recipe.Recipe;
import dev.whittle.core.recipe.RecipeRunner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * Evaluate, the results table and the trade-off charts, UI-free: evaluates the current plan as
 * one background job ({@link PlanEvaluation}, through the window's {@link JobRunner}), keeps
 * the runs of the open model (stored per model by sha256, with the command line's history of
 * it), restores a run's plan as one undoable edit, and re-evaluates a seeded subset after edits
 * settle when auto-evaluate is on (latest request only). The original model is evaluated once
 * per data choice, so every row has something to be compared with.
 */
public final class EvaluateViewModel {
    /** The seed of auto-evaluate's subset: the same samples every time, so runs compare. */
    static final long AUTO_SEED = 20261205L;

    private final MainViewModel main;
    private final JobRunner jobs;
    private final Debounce debounce;
    private final Path globalHistory;
    private final PlanEvaluation evaluation = new PlanEvaluation();
    private final LatestOnly<List<PlanRun>> quick;
    private final ObservableList<PlanRun> runs = FXCollections.observableArrayList();
    private final ObjectProperty<SessionSpec.Provider> provider = new SimpleObjectProperty<>(this, "provider",
            SessionSpec.Provider.AUTO);
    private final ObjectProperty<DataChoice> data;
    private final BooleanProperty autoEvaluate = new SimpleBooleanProperty(this, "autoEvaluate");
    private final IntegerProperty autoSamples = new SimpleIntegerProperty(this, "autoSamples", 256);
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper(this, "running");
    private final ReadOnlyStringWrapper notes = new ReadOnlyStringWrapper(this, "notes", "");
    private final ReadOnlyObjectWrapper<PlanRun> quickRun = new ReadOnlyObjectWrapper<>(this, "quickRun");
    private final ReadOnlyStringWrapper quickText = new ReadOnlyStringWrapper(this, "quickText", "");
    private RunHistory history;
    private RunningJob job;
    private long generation;
    private PlanRun quickOriginal;
    private DataChoice storedData;
    private OnnxModel historyModel;

    public EvaluateViewModel(MainViewModel main, Debounce debounce, Path globalHistory) {
        this.main = main;
        this.jobs = main.jobs();
        this.debounce = debounce;
        this.globalHistory = globalHistory;
        this.data = main.data().choiceProperty();
        this.quick = new LatestOnly<>(jobs, "Auto-evaluate");
        main.modelProperty().addListener((o, a, m) -> modelChanged(m));
        // A job cancelled from the status bar or with Esc leaves the list without a callback.
        jobs.running().addListener((javafx.collections.ListChangeListener<RunningJob>) c -> {
            if (job != null && !jobs.running().contains(job)) {
                job = null;
                running.set(false);
            }
        });
        main.plan().planProperty().addListener((o, a, p) -> {
            if (autoEvaluate.get() && main.modelProperty().get() != null) {
                debounce.call(this::quickEvaluate);
            }
        });
        data.addListener((o, a, d) -> {
            quickOriginal = null;
            // The model's own history only: a model change resets the choice before the new history is read.
            if (d != null && history != null && historyModel == main.modelProperty().get() && !d.equals(storedData)) {
                storedData = d;
                withHistory(h -> h.setData(d));
            }
        });
    }

    private void modelChanged(OnnxModel m) {
        long gen = ++generation;
        cancel();
        quick.invalidate();
        runs.clear();
        history = null;
        historyModel = null;
        quickOriginal = null;
        quickRun.set(null);
        quickText.set("");
        notes.set("");
        if (m == null || m.source() == null) {
            return;
        }
        Path source = m.source();
        jobs.start("History of " + source.getFileName(), (p, c) -> {
            p.update(0, -1, "sha256");
            RunHistory h = RunHistory.of(RecipeRunner.sha256(source), String.valueOf(source.getFileName()));
            List<PlanRun> all = new ArrayList<>();
            try {
                all.addAll(RunHistory.fromGlobal(globalHistory, source));
            } catch (RuntimeException e) {
                // The command line's history is a bonus: a damaged one must not hide the model's own runs.
            }
            RunHistory.Stored s = h.read();
            all.addAll(s.runs());
            return new Loaded(h, all, s.data());
        }, (Loaded l) -> {
            if (gen != generation) {
                return;
            }
            history = l.history();
            historyModel = m;
            storedData = l.data();
            runs.setAll(l.runs());
            if (l.data() != null) {
                data.set(l.data());
            }
        }, e -> {
            if (gen == generation) {
                main.setStatus("The model's evaluation history cannot be read: " + ErrorReport.of("", e).message());
            }
        });
    }

    private record Loaded(RunHistory history, List<PlanRun> runs, DataChoice data) {
    }

    /** Evaluates the current plan on all of the chosen data (and the original first, once per data choice). */
    public RunningJob evaluate() {
        OnnxModel m = main.modelProperty().get();
        DataChoice d = data.get();
        if (m == null || d == null) {
            main.setStatus("Open a model to evaluate it.");
            return null;
        }
        if (job != null) {
            main.setStatus("An evaluation is already running (Esc or Cancel stops it).");
            return job;
        }
        Plan plan = main.plan().planProperty().get();
        boolean needOriginal = original() == null && !plan.isEmpty();
        Job<List<PlanRun>> work = request(m, plan, d, 0, needOriginal, false);
        long gen = generation;
        running.set(true);
        String title = "Evaluate " + (plan.isEmpty() ? "the original" : "the plan");
        RunningJob[] self = new RunningJob[1];
        self[0] = jobs.start(title, work, (List<PlanRun> done) -> {
            finished(self[0]);
            if (gen != generation) {
                return;
            }
            for (PlanRun r : done) {
                runs.add(r);
                store(r);
            }
            PlanRun last = done.get(done.size() - 1);
            // The evaluation loop's latency note is about its own timings; the table shows the benchmark's.
            notes.set(String.join("\n", last.eval().notes().stream().filter(n -> !n.startsWith("latency from")).toList()));
            main.setStatus("Evaluated " + last.name() + ": " + ResultRows.summary(last, original()) + ".");
        }, e -> {
            finished(self[0]);
            main.plan().report(ErrorReport.of("Cannot evaluate the plan", e));
        });
        if (self[0] != null && jobs.running().contains(self[0])) {
            job = self[0];
        } else if (job == null) {
            running.set(false);
        }
        return self[0];
    }

    private void finished(RunningJob j) {
        if (job == j || job == null) {
            job = null;
            running.set(false);
        }
    }

    private Job<List<PlanRun>> request(OnnxModel m, Plan plan, DataChoice d, long subset, boolean withOriginal, boolean quickRun) {
        SessionSpec session = PlanEvaluation.windowSession(provider.get());
        Path folder = main.plan().recipeFolder();
        return (progress, cancel) -> {
            List<PlanRun> out = new ArrayList<>();
            if (withOriginal) {
                out.add(evaluation.run(new PlanEvaluation.Request(m, Plan.empty(), null, folder, d, session, subset, AUTO_SEED),
                        progress, cancel));
            }
            out.add(evaluation.run(new PlanEvaluation.Request(m, plan, null, folder, d, session, subset, AUTO_SEED), progress,
                    cancel));
            return out;
        };
    }

    /** Auto-evaluate's quick run on a seeded subset: latest only, shown apart from the table. */
    void quickEvaluate() {
        OnnxModel m = main.modelProperty().get();
        DataChoice d = data.get();
        Plan plan = main.plan().planProperty().get();
        if (m == null || d == null || plan.isEmpty() || job != null) {
            return;
        }
        long gen = generation;
        quickText.set("Auto-evaluating " + autoSamples.get() + " samples...");
        quick.submit(request(m, plan, d, autoSamples.get(), quickOriginal == null, true), done -> {
            if (gen != generation) {
                return;
            }
            if (done.size() > 1) {
                quickOriginal = done.get(0);
            }
            PlanRun r = done.get(done.size() - 1);
            quickRun.set(r);
            quickText.set("Quick check of the current plan on " + r.eval().samples() + " random samples: "
                    + ResultRows.summary(r, quickOriginal) + " (Evaluate runs all of the data and adds a row).");
        });
    }

    /** Stops the running evaluation (a quick one too); false when none runs. */
    public boolean cancel() {
        quick.invalidate();
        if (job == null) {
            return false;
        }
        job.cancel();
        job = null;
        running.set(false);
        main.setStatus("Cancelled the evaluation.");
        return true;
    }

    /** Makes a run's plan the current plan: one undoable edit. */
    public boolean restore(PlanRun r) {
        OnnxModel m = main.modelProperty().get();
        if (r == null || m == null) {
            return false;
        }
        if (!r.restorable()) {
            main.setStatus(r.name() + " came from the command line's history and holds no plan to restore.");
            return false;
        }
        try {
            Plan p = r.original() ? Plan.empty() : PlanRecipes.fromRecipe(Recipe.parse(r.name(), r.recipe()), m.graph());
            boolean changed = main.plan().edit(p, "restore " + r.name());
            main.setStatus(changed ? "Restored the plan of " + r.name() + " (Ctrl+Z goes back)."
                    : "The current plan already is " + r.name() + "'s.");
            return changed;
        } catch (RuntimeException e) {
            main.plan().report(ErrorReport.of("Cannot restore " + r.name(), e));
            return false;
        }
    }

    public void rename(PlanRun r, String name) {
        if (r == null || name == null || name.isBlank()) {
            return;
        }
        int i = runs.indexOf(r);
        if (i >= 0) {
            runs.set(i, r.withName(name.trim()));
            withHistory(h -> h.rename(r.id(), name.trim()));
        }
    }

    public void remove(PlanRun r) {
        if (r != null && runs.remove(r)) {
            withHistory(h -> h.remove(r.id()));
        }
    }

    private void store(PlanRun r) {
        withHistory(h -> h.append(r));
    }

    /** Writes to the model's history file as a job: a write syncs to disk, which must not hold up the window. */
    private void withHistory(java.util.function.Consumer<RunHistory> change) {
        RunHistory h = history;
        if (h == null) {
            return;
        }
        jobs.start("Save results", (p, c) -> {
            change.accept(h);
            return h.file();
        }, f -> { }, e -> main.setStatus("Cannot update the model's evaluation history: " + ErrorReport.of("", e).message()));
    }

    /** The newest evaluation of the original model on the current data, or null. */
    public PlanRun original() {
        DataChoice d = data.get();
        for (int i = runs.size() - 1; i >= 0; i--) {
            PlanRun r = runs.get(i);
            if (r.original() && (d == null || Objects.equals(r.eval().data(), PlanEvaluation.dataLabel(d, 0))
                    && r.eval().batch() == d.batch())) {
                return r;
            }
        }
        return null;
    }

    public ObservableList<PlanRun> runs() {
        return runs;
    }

    public ObjectProperty<SessionSpec.Provider> providerProperty() {
        return provider;
    }

    public ObjectProperty<DataChoice> dataProperty() {
        return data;
    }

    public BooleanProperty autoEvaluateProperty() {
        return autoEvaluate;
    }

    public IntegerProperty autoSamplesProperty() {
        return autoSamples;
    }

    public ReadOnlyBooleanProperty runningProperty() {
        return running.getReadOnlyProperty();
    }

    /** What the last run's user should know (CPU fallback, defaulted dimensions), one a line. */
    public ReadOnlyStringProperty notesProperty() {
        return notes.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<PlanRun> quickRunProperty() {
        return quickRun.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty quickTextProperty() {
        return quickText.getReadOnlyProperty();
    }

    MainViewModel main() {
        return main;
    }
}
