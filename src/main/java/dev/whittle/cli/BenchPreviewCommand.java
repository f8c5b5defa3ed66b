package dev.whittle.cli;

import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.plan.LayerSettings;
import dev.whittle.core.plan.Plan;
import dev.whittle.core.plan.PlanRecipes;
import dev.whittle.core.plan.ResolvedPlan;
import dev.whittle.core.plan.TotalsEstimator;
import dev.whittle.core.preview.PreviewBench;
import dev.whittle.core.prune.PruneSpec;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.quant.WeightSpec;
import dev.whittle.core.recipe.RecipeRunner;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code whittle bench-preview MODEL [--layer NAME] [--json]}: the workbench's instant tier
 * (prune, quantize and rank sliders) timed per slider event, p50 and p99, beside the exact
 * computation of the same setting measured in the same run, on the core preview code without a
 * window. The largest weight layer when none is named.
 */
@Command(name = "bench-preview", description = "Time the workbench's instant previews against the exact computation.")
final class BenchPreviewCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx file.")
    Path model;

    @Option(names = "--layer", paramLabel = "NAME", description = "Layer (node or weight name); default: the largest.")
    String layer;

    @Option(names = "--events", defaultValue = "400", description = "Slider events per sweep (default: ${DEFAULT-VALUE}).")
    int events;

    @Option(names = "--exact-runs", defaultValue = "3", description = "Runs of each exact computation; the median is shown (default: ${DEFAULT-VALUE}).")
    int exactRuns;

    @Option(names = "--json", description = "Print JSON: prune, quantize, rank, each with instantP50Ms, instantP99Ms, exactMs.")
    boolean json;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /**
     * The plan columns and totals on every edit: a plan tuning every weight layer (prune 30%,
     * int4 blocks of 32) resolved and its totals estimated, one layer's sparsity changing per
     * event; beside it the exact figure, applying the plan's recipe (what Export Model runs,
     * without the write), once.
     */
    private PreviewBench.Tier totals(OnnxModel m) {
        TotalsEstimator est = TotalsEstimator.of(m, TotalsEstimator.DEFAULT_SEQUENCE);
        Plan base = Plan.empty();
        for (WeightLayer w : m.graph().weightLayers()) {
            if (!w.quantized()) {
                base = base.withLayer(w.node(), LayerSettings.INHERIT.withPrune(PruneSpec.sparsity(0.3))
                        .withQuantize(QuantizeSpec.weights(WeightSpec.blocks(4, 32))));
            }
        }
        Plan plan = base;
        String first = plan.layers().keySet().iterator().next();
        return PreviewBench.sweep(events, i -> est.estimate(ResolvedPlan.of(plan.withLayer(first,
                plan.layer(first).withPrune(PruneSpec.sparsity(0.9 * i / events))), m.graph())), 1,
                () -> RecipeRunner.run(PlanRecipes.toRecipe(plan, m.graph(), null), m));
    }

    @Override
    public Integer call() {
        OnnxModel m = OnnxReader.read(model);
        WeightLayer l = PreviewBench.pick(m, layer);
        PreviewBench.Result r = PreviewBench.run(m, l, events, exactRuns);
        r.tiers().put("totals", totals(m));
        var out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> root = new LinkedHashMap<>();
            r.tiers().forEach((k, t) -> {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("instantP50Ms", t.instantP50Ms());
                o.put("instantP99Ms", t.instantP99Ms());
                o.put("instantCpuP99Ms", t.instantCpuP99Ms());
                o.put("exactMs", t.exactMs());
                root.put(k, o);
            });
            root.put("layer", r.layer());
            root.put("weights", r.weights());
            root.put("factsMs", r.factsMs());
            root.put("spectrumMs", r.spectrumMs());
            root.put("spectrumCpuMs", r.spectrumCpuMs());
            root.put("cores", Runtime.getRuntime().availableProcessors());
            root.put("loadAverage", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            out.println(Json.write(root));
        } else {
            out.printf(Locale.ROOT, "%s, layer %s (%s weights): statistics %.0f ms, spectrum %.0f ms (%.0f ms of CPU; once"
                    + " per layer); %d cores, load average %.1f%n", m.graph().fileName(), r.layer(), Units.count(r.weights()),
                    r.factsMs(), r.spectrumMs(), r.spectrumCpuMs(), Runtime.getRuntime().availableProcessors(),
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            out.printf(Locale.ROOT, "%-9s %12s %12s %16s %14s%n", "slider", "instant p50", "instant p99", "p99 CPU time",
                    "exact (median)");
            r.tiers().forEach((k, t) -> out.printf(Locale.ROOT, "%-9s %9.3f ms %9.3f ms %13.3f ms %11.1f ms%n", k,
                    t.instantP50Ms(), t.instantP99Ms(), t.instantCpuP99Ms(), t.exactMs()));
            out.println("(" + events + " events per slider after a warm-up sweep; rank's exact column is the spectrum"
                    + " computation that rank moves then look up; totals: every layer tuned, resolved and estimated per"
                    + " edit, beside applying the plan once)");
        }
        out.flush();
        return 0;
    }
}
