package dev.whittle.core.plan;

import dev.whittle.core.BadInputException;
import dev.whittle.core.job.CancelToken;
import dev.whittle.core.job.Job;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.recipe.Calibration;
import dev.whittle.core.recipe.Provenance;
import dev.whittle.core.recipe.Recipe;
import dev.whittle.core.recipe.RecipeRunner;
import dev.whittle.core.recipe.RecipeWriter;
import java.nio.file.Path;

/**
 * The workbench's File > Export Model and Export Recipe. Export Model goes through the very
 * path {@code whittle apply} takes: the plan's recipe ({@link PlanRecipes#toRecipe}) run by
 * {@link RecipeRunner}, then saved with {@link OnnxModel#save} (atomic, never over the source),
 * so a plan exported as a recipe and applied headless gives the same bytes.
 */
public final class PlanExport {
    private PlanExport() {
    }

    /**
     * A job that applies {@code plan} to {@code model} and writes the result to {@code out}.
     * Progress: stage "prepare", then "compress" (calibration batches when activations are
     * quantized), then "write". Cancellable until the write starts; the write itself is atomic.
     *
     * @param folder where the plan's relative calibration path resolves (the recipe's folder, or
     *               null for the working directory)
     * @return what the runner did (report, warnings)
     */
    public static Job<RecipeRunner.Result> model(OnnxModel model, Plan plan, Path out, Path folder) {
        return model(model, plan, out, folder, false);
    }

    /**
     * As {@link #model(OnnxModel, Plan, Path, Path)}; with {@code externalData} every weight of
     * 1 KiB or more goes to {@code <out>.data} beside the model (as {@code --external-data}),
     * which also happens by itself when the model would exceed protobuf's 2 GiB.
     */
    public static Job<RecipeRunner.Result> model(OnnxModel model, Plan plan, Path out, Path folder, boolean externalData) {
        return (progress, cancel) -> {
            progress.update(0, 1, "prepare");
            Recipe recipe = PlanRecipes.toRecipe(plan, model.graph(), null);
            cancel.throwIfCancelled();
            RecipeRunner.Options options = new RecipeRunner.Options(folder,
                    f -> progress.update(Math.round(f * 1000), 1000, "compress"), cancel::isCancelled);
            RecipeRunner.Result r = RecipeRunner.run(recipe, model, options);
            cancel.throwIfCancelled();
            progress.update(0, 1, "write");
            r.model().save(out, externalData);
            progress.update(1, 1, "write");
            return r;
        };
    }

    /** Runs {@link #model} on the calling thread with no progress and no cancel. */
    public static RecipeRunner.Result modelNow(OnnxModel model, Plan plan, Path out, Path folder) {
        return model(model, plan, out, folder).run(dev.whittle.core.job.ProgressSink.NONE, CancelToken.none());
    }

    /**
     * Writes the plan as a recipe file (atomically), recording the model's file name and sha256
     * and {@code provenance} (Whittle and ONNX Runtime versions, date, metrics; may be null). A
     * relative calibration path, which resolved against {@code planFolder}, is rewritten so it
     * still names the same file from {@code out}'s folder.
     *
     * @param planFolder where the plan's relative calibration path resolves (the folder of the
     *                   recipe it was opened from), or null for the working directory
     * @throws BadInputException when {@code out} is the model file itself
     */
    public static Recipe recipe(OnnxModel model, Plan plan, Path planFolder, Provenance provenance, Path out) {
        if (model.source() != null && out.toAbsolutePath().normalize().equals(model.source().toAbsolutePath().normalize())) {
            throw new BadInputException("Cannot write the recipe over the model file " + out + ".");
        }
        String sha = model.source() == null ? null : RecipeRunner.sha256(model.source());
        Plan p = plan;
        Calibration c = plan.calibration();
        if (c != null && c.data() != null && !Path.of(c.data()).isAbsolute()) {
            Path data = (planFolder == null ? Path.of("") : planFolder).toAbsolutePath().resolve(c.data()).normalize();
            Path folder = out.toAbsolutePath().normalize().getParent();
            p = plan.withCalibration(new Calibration(moved(data, folder), c.samples()));
        }
        Recipe recipe = PlanRecipes.toRecipe(p, model.graph(), sha);
        RecipeWriter.write(recipe, provenance, out);
        return recipe;
    }

    /** The data file as seen from {@code folder}: relative when they share a folder below the top level, else absolute. */
    static String moved(Path data, Path folder) {
        int common = 0;
        while (common < Math.min(data.getNameCount(), folder.getNameCount())
                && data.getName(common).equals(folder.getName(common))) {
            common++;
        }
        return common >= 2 ? folder.relativize(data).toString().replace('\\', '/') : data.toString();
    }
}
