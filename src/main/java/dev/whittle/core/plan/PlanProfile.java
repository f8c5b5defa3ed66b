package dev.whittle.core.plan;

import dev.whittle.core.eval.LayerTimes;
import dev.whittle.core.eval.NodeProfiler;
import dev.whittle.core.eval.ProfileRequest;
import dev.whittle.core.job.Job;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.recipe.RecipeRunner;
import java.nio.file.Path;

/**
 * Per-layer times of the original model and of the plan applied to it, side by side (the
 * workbench's per-layer latency view). The plan is applied in memory through the path Export
 * Model and {@code whittle apply} take ({@link PlanRecipes#toRecipe}, {@link RecipeRunner}); the
 * compressed model's kernels are reported against the original's layers, so a factored layer's
 * two MatMuls count for the one layer they replace.
 */
public final class PlanProfile {
    private PlanProfile() {
    }

    /** @param plan the plan's profile, or null when the plan does nothing */
    public record Comparison(LayerTimes original, LayerTimes plan) {
    }

    /**
     * @param settings how to profile (batch, runs, data, session); its model is {@code model}
     * @param folder   where the plan's relative calibration path resolves, or null
     */
    public static Job<Comparison> job(OnnxModel model, Plan plan, Path folder, ProfileRequest settings) {
        return (progress, cancel) -> {
            LayerTimes before = NodeProfiler.run(settings.withModel(model, model.graph()),
                    (d, t, s) -> progress.update(d, 2 * t, "profile original"), cancel);
            if (plan.isEmpty()) {
                return new Comparison(before, null);
            }
            long runs = settings.warmup() + settings.runs();
            progress.update(runs, 2 * runs, "apply plan");
            RecipeRunner.Options options = new RecipeRunner.Options(folder, f -> { }, cancel::isCancelled);
            OnnxModel compressed = RecipeRunner.run(PlanRecipes.toRecipe(plan, model.graph(), null), model, options).model();
            cancel.throwIfCancelled();
            LayerTimes after = NodeProfiler.run(settings.withModel(compressed, model.graph()),
                    (d, t, s) -> progress.update(t + d, 2 * t, "profile plan"), cancel);
            return new Comparison(before, after);
        };
    }
}
