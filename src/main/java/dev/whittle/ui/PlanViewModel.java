package dev.whittle.ui;

import dev.whittle.core.BadInputException;
import dev.whittle.core.lowrank.LowRankSpec;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.plan.LayerSettings;
import dev.whittle.core.plan.Plan;
import dev.whittle.core.plan.PlanExport;
import dev.whittle.core.plan.PlanHistory;
import dev.whittle.core.plan.PlanRecipes;
import dev.whittle.core.plan.ResolvedPlan;
import dev.whittle.core.plan.Totals;
import dev.whittle.core.plan.TotalsEstimator;
import dev.whittle.core.prune.PruneSpec;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.recipe.Provenance;
import dev.whittle.core.recipe.RecipeFile;
import dev.whittle.core.recipe.RecipePlan;
import dev.whittle.core.recipe.RecipeRunner;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

/**
 * The workbench's plan: the core {@link Plan} (single source of truth) behind an undo history,
 * resolved on the open model after every change (cheap: selector matching, no pass over the
 * weights) to fill the table's plan columns and the totals. Every change goes through
 * {@link #edit}, so every change is one undo step, bulk edits included. Recipes in and out and
 * Export Model go through the core's functions; the slow ones run as jobs.
 */
public final class PlanViewModel {
    private final JobRunner jobs;
    private final PlanHistory history = new PlanHistory(Plan.empty());
    private final ReadOnlyObjectWrapper<Plan> plan = new ReadOnlyObjectWrapper<>(this, "plan", Plan.empty());
    private final ReadOnlyObjectWrapper<ResolvedPlan> resolved = new ReadOnlyObjectWrapper<>(this, "resolved");
    private final ReadOnlyObjectWrapper<Totals> totals = new ReadOnlyObjectWrapper<>(this, "totals");
    private final ReadOnlyBooleanWrapper canUndo = new ReadOnlyBooleanWrapper(this, "canUndo");
    private final ReadOnlyBooleanWrapper canRedo = new ReadOnlyBooleanWrapper(this, "canRedo");
    private final ReadOnlyStringWrapper undoText = new ReadOnlyStringWrapper(this, "undoText", "Undo");
    private final ReadOnlyStringWrapper redoText = new ReadOnlyStringWrapper(this, "redoText", "Redo");
    private OnnxModel model;
    private TotalsEstimator estimator;
    private Path recipeFolder;
    private long generation;
    private Consumer<String> status = s -> { };
    private Consumer<ErrorReport> errors = e -> System.err.println(e.message());

    public PlanViewModel(JobRunner jobs) {
        this.jobs = jobs;
    }

    public void setStatusHandler(Consumer<String> handler) {
        status = handler;
    }

    public void setErrorHandler(Consumer<ErrorReport> handler) {
        errors = handler;
    }

    /** A model was opened (or closed: null): an empty plan and an empty history. */
    public void setModel(OnnxModel m) {
        long gen = ++generation;
        model = m;
        estimator = null;
        recipeFolder = null;
        history.reset(Plan.empty());
        show();
        if (m != null) {
            // The estimator walks the graph once; after it, totals follow every edit at once.
            jobs.start("Sizes of " + m.graph().fileName(), (p, c) -> TotalsEstimator.of(m, TotalsEstimator.DEFAULT_SEQUENCE),
                    e -> {
                        if (gen == generation) {
                            estimator = e;
                            updateTotals();
                        }
                    }, e -> errors.accept(ErrorReport.of("Cannot work out the model's sizes", e)));
        }
    }

    /** Shows an error the way the window shows errors (a dialog). */
    public void report(ErrorReport e) {
        errors.accept(e);
    }

    public OnnxModel model() {
        return model;
    }

    /** Where the plan's relative calibration path resolves (the folder of the recipe it came from), or null. */
    public Path recipeFolder() {
        return recipeFolder;
    }

    /** Records {@code next} as one undoable change; false when nothing changed. */
    public boolean edit(Plan next, String label) {
        if (model == null || !history.edit(next, label)) {
            return false;
        }
        show();
        return true;
    }

    /** Changes one layer's hand-tuned settings. */
    public boolean editLayer(String node, UnaryOperator<LayerSettings> change, String label) {
        Plan p = plan.get();
        return edit(p.withLayer(node, change.apply(p.layer(node))), label);
    }

    public boolean setPrune(String node, PruneSpec spec) {
        return editLayer(node, s -> spec == null ? s.inherit(RecipePlan.Setting.PRUNE) : s.withPrune(spec), "prune " + node);
    }

    /** Pruning with its {@code reconstruct} (null: no refit). */
    public boolean setPrune(String node, PruneSpec spec, Object reconstruct) {
        return editLayer(node, s -> spec == null ? s.inherit(RecipePlan.Setting.PRUNE) : s.withPrune(spec, reconstruct),
                "prune " + node);
    }

    public boolean setLowrank(String node, LowRankSpec spec) {
        return editLayer(node, s -> spec == null ? s.inherit(RecipePlan.Setting.LOWRANK) : s.withLowrank(spec),
                "low rank " + node);
    }

    /** Low rank with the layer's {@code reconstruct} (null: no refit; shared with its pruning set here). */
    public boolean setLowrank(String node, LowRankSpec spec, Object reconstruct) {
        return editLayer(node, s -> spec == null ? s.inherit(RecipePlan.Setting.LOWRANK) : s.withLowrank(spec, reconstruct),
                "low rank " + node);
    }

    public boolean setQuantize(String node, QuantizeSpec spec) {
        return editLayer(node, s -> spec == null ? s.inherit(RecipePlan.Setting.QUANTIZE) : s.withQuantize(spec),
                "quantize " + node);
    }

    /** Copies {@code from}'s hand-tuned settings onto every one of {@code targets}: one undo step. */
    public boolean applyToSelected(String from, Collection<String> targets) {
        LayerSettings s = plan.get().layer(from);
        List<String> others = targets.stream().filter(t -> !t.equals(from)).toList();
        if (others.isEmpty()) {
            return false;
        }
        return edit(plan.get().withLayers(others, x -> s), "apply " + from + "'s settings to " + others.size()
                + (others.size() == 1 ? " layer" : " layers"));
    }

    /** One setting on many layers (the table's "set for selected" and the global defaults): one undo step. */
    public boolean editLayers(Collection<String> nodes, UnaryOperator<LayerSettings> change, String label) {
        return !nodes.isEmpty() && edit(plan.get().withLayers(nodes, change), label);
    }

    /** Back to what the rules give these layers: one undo step. */
    public boolean resetLayers(Collection<String> nodes) {
        return editLayers(nodes, x -> LayerSettings.INHERIT, nodes.size() == 1 ? "reset " + nodes.iterator().next()
                : "reset " + nodes.size() + " layers");
    }

    public void undo() {
        if (history.canUndo()) {
            String label = history.undoLabel();
            history.undo();
            show();
            status.accept("Undid " + label + ".");
        }
    }

    public void redo() {
        if (history.canRedo()) {
            String label = history.redoLabel();
            history.redo();
            show();
            status.accept("Redid " + label + ".");
        }
    }

    private void show() {
        Plan p = history.current();
        plan.set(p);
        resolved.set(model == null ? null : ResolvedPlan.of(p, model.graph()));
        canUndo.set(history.canUndo());
        canRedo.set(history.canRedo());
        undoText.set(history.canUndo() ? "Undo " + history.undoLabel() : "Undo");
        redoText.set(history.canRedo() ? "Redo " + history.redoLabel() : "Redo");
        updateTotals();
    }

    private void updateTotals() {
        try {
            totals.set(estimator == null || resolved.get() == null ? null : estimator.estimate(resolved.get()));
        } catch (RuntimeException e) {
            // A plan the estimator cannot size must not block editing: the totals say so, the edit stands.
            totals.set(null);
            status.accept("Cannot work out the totals: " + ErrorReport.of("", e).message());
        }
    }

    /**
     * Opens a recipe as the plan (one undo step). The recipe is read and checked against the
     * model in the background (the validator reads weights); a recipe that cannot be read or that
     * does not fit the model leaves the plan as it was and reports the validator's message with
     * the file, line and column.
     */
    public void openRecipe(Path file, Runnable onDone) {
        OnnxModel m = model;
        if (m == null) {
            return;
        }
        long gen = generation;
        jobs.start("Open recipe " + file.getFileName(), (p, c) -> {
            RecipeFile r = RecipeFile.read(file);
            Plan next = PlanRecipes.fromRecipe(r.recipe(), m.graph());
            RecipePlan checked = ResolvedPlan.of(next, m.graph()).validate(m);
            if (checked != null && !checked.problems().isEmpty()) {
                RecipePlan.Problem first = checked.problems().get(0);
                throw new BadInputException(r.where(first.step()) + ": " + first.text()
                        + (checked.problems().size() > 1 ? " (and " + (checked.problems().size() - 1) + " more)" : ""));
            }
            for (String problem : r.fileProblems()) {
                throw new BadInputException(file.getFileName() + ": " + problem);
            }
            return Map.entry(r, next);
        }, result -> {
            if (gen != generation) {
                return;
            }
            recipeFolder = result.getKey().folder();
            edit(result.getValue(), "open recipe " + file.getFileName());
            status.accept("Opened recipe " + file.getFileName() + ": " + describe(resolved.get()) + ".");
            onDone.run();
        }, e -> errors.accept(ErrorReport.of("Cannot open the recipe " + file.getFileName(), e)));
    }

    /**
     * Makes {@code file} the plan's calibration data (what the data-aware methods and activation
     * quantization run on; never the evaluation data): loaded in the background against the open
     * model first, so a file that does not fit is reported with what is wrong and changes nothing.
     * One undo step. Null removes it.
     */
    public void setCalibration(Path file, Runnable onDone) {
        OnnxModel m = model;
        if (m == null) {
            return;
        }
        if (file == null) {
            edit(plan.get().withCalibration(null), "no calibration data");
            status.accept("The plan has no calibration data: data-aware choices are off until some is chosen.");
            onDone.run();
            return;
        }
        long gen = generation;
        Path abs = file.toAbsolutePath().normalize();
        jobs.start("Check calibration data " + file.getFileName(), (p, c) -> dev.whittle.core.analysis.CalibrationFiles.load(
                m.graph(), java.util.List.of(abs.toString()), null, 32, 0, "calibration data").dataset().samples(), n -> {
                    if (gen != generation) {
                        return;
                    }
                    Plan p = plan.get();
                    edit(p.withCalibration(new dev.whittle.core.recipe.Calibration(abs.toString(),
                            p.calibration() == null ? null : p.calibration().samples())), "calibration data " + file.getFileName());
                    status.accept("Calibration data: " + file.getFileName() + " (" + n + " samples).");
                    onDone.run();
                }, e -> errors.accept(ErrorReport.of("Cannot use " + file.getFileName() + " as calibration data", e)));
    }

    /** Whether the plan has calibration data, so the data-aware choices can run. */
    public boolean calibrated() {
        return plan.get().calibration() != null && plan.get().calibration().data() != null;
    }

    /** Writes the plan as a recipe with provenance (atomic); small, so it runs at once. */
    public void exportRecipe(Path file) {
        try {
            PlanExport.recipe(model, plan.get(), recipeFolder, Provenance.now(null, Map.of()), file);
            status.accept("Exported the recipe to " + file + ".");
        } catch (RuntimeException e) {
            errors.accept(ErrorReport.of("Cannot export the recipe", e));
        }
    }

    /** Writes the compressed model in the background (never over the source; atomic). */
    public RunningJob exportModel(Path file, Runnable onDone) {
        return exportModel(file, false, onDone);
    }

    /**
     * As {@link #exportModel(Path, Runnable)}; with {@code externalData} the weights go to
     * {@code <file>.data} beside it (automatic anyway for a model over 2 GiB).
     */
    public RunningJob exportModel(Path file, boolean externalData, Runnable onDone) {
        if (model.source() != null && file.toAbsolutePath().normalize().equals(model.source().toAbsolutePath().normalize())) {
            errors.accept(ErrorReport.of("Cannot export the model", new BadInputException(
                    "Export Model never writes over the open model " + file.getFileName() + "; choose another file name.")));
            return null;
        }
        OnnxModel m = model;
        Plan p = plan.get();
        Path folder = recipeFolder;
        return jobs.start("Export " + file.getFileName(), PlanExport.model(m, p, file, folder, externalData), (RecipeRunner.Result r) -> {
            Path data = file.resolveSibling(file.getFileName() + ".data");
            String where = java.nio.file.Files.exists(data) ? " (weights in " + data.getFileName() + ")" : "";
            status.accept("Exported the model to " + file + where + (r.warnings().isEmpty() ? "." : "; " + r.warnings().get(0)));
            onDone.run();
        }, e -> errors.accept(ErrorReport.of("Cannot export the model", e)));
    }

    static String describe(ResolvedPlan r) {
        if (r == null) {
            return "no model";
        }
        long touched = r.layers().values().stream().filter(e -> !e.untouched()).count();
        return touched + " of " + r.layers().size() + " layers compressed";
    }

    public ReadOnlyObjectProperty<Plan> planProperty() {
        return plan.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<ResolvedPlan> resolvedProperty() {
        return resolved.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<Totals> totalsProperty() {
        return totals.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canUndoProperty() {
        return canUndo.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canRedoProperty() {
        return canRedo.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty undoTextProperty() {
        return undoText.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty redoTextProperty() {
        return redoText.getReadOnlyProperty();
    }

    public PlanHistory history() {
        return history;
    }
}
