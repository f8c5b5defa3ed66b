package dev.whittle.cli;

import dev.whittle.core.eval.Dataset;
import dev.whittle.core.eval.LayerTimes;
import dev.whittle.core.eval.NodeProfile;
import dev.whittle.core.eval.NodeProfiler;
import dev.whittle.core.eval.ProfileRequest;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.recipe.RecipeFile;
import dev.whittle.core.recipe.RecipeRunner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code whittle profile MODEL [--recipe R] ...}: where the run time goes, per op type and per
 * weight layer, from ONNX Runtime's profiler; with a recipe, the recipe's model beside the original.
 */
@Command(name = "profile", description = "Per-layer and per-op run times from ONNX Runtime's profiler"
        + " (with --recipe: the compressed model beside the original).")
final class ProfileCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx file.")
    Path model;

    @Option(names = "--recipe", paramLabel = "R.yaml", description = "Apply this recipe in memory and profile the result too.")
    Path recipe;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "1", description = "Samples per run (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "20", description = "Profiled runs (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "5", description = "Unprofiled runs first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--top", paramLabel = "N", defaultValue = "12", description = "Op types and unmapped kernels listed"
            + " in text output (default: ${DEFAULT-VALUE}; JSON lists all).")
    int top;

    @Mixin
    DataOptions data = new DataOptions();

    @Mixin
    RuntimeOptions runtime = new RuntimeOptions();

    @Option(names = "--json", description = "Print JSON (keys in docs/evaluation.md).")
    boolean json;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        OnnxModel m = OnnxReader.read(model);
        RecipeFile r = recipe == null ? null : RecipeFile.read(recipe);
        Dataset d = data.load(m.graph());
        ProfileRequest req = new ProfileRequest(m, null, d, batch, warmup, runs, data.dims, data.dimDefault, runtime.spec());
        LayerTimes before = CliJobs.run(NodeProfiler.job(req));
        LayerTimes after = null;
        if (r != null) {
            OnnxModel compressed = RecipeRunner.run(r, m).model();
            after = CliJobs.run(NodeProfiler.job(req.withModel(compressed, m.graph())));
        }
        LayerTimes shown = after;
        Report.notes(spec, "note: ", (after == null ? before : after).notes());
        Report.result(spec, json, () -> {
            Map<String, Object> j = toJson(before, m.graph().weightLayers());
            if (shown != null) {
                j.put("recipe", toJson(shown, m.graph().weightLayers()));
            }
            return j;
        }, () -> text(before, shown, m.graph().weightLayers(), top));
        return 0;
    }

    static Map<String, Object> toJson(LayerTimes t, List<WeightLayer> layers) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", t.model());
        m.put("data", t.data());
        m.put("batch", t.batch());
        m.put("runs", t.runs());
        m.put("runMs", t.runMs());
        m.put("kernelMs", t.kernelMs());
        m.put("layersMs", t.ms(NodeProfile.Kind.LAYER));
        m.put("otherMs", t.ms(NodeProfile.Kind.OTHER));
        m.put("unmappedMs", t.ms(NodeProfile.Kind.UNMAPPED));
        List<Map<String, Object>> ops = new ArrayList<>();
        t.byOp().forEach((op, ms) -> ops.add(entry("op", op, ms, t)));
        m.put("ops", ops);
        List<Map<String, Object>> ls = new ArrayList<>();
        for (WeightLayer l : layers) {
            Map<String, Object> e = entry("layer", l.node(), t.layers().get(l.node()), t);
            e.put("op", l.op());
            ls.add(e);
        }
        m.put("layers", ls);
        List<Map<String, Object>> un = new ArrayList<>();
        for (NodeProfile n : t.unmapped()) {
            Map<String, Object> e = entry("node", n.node(), n.ms(), t);
            e.put("op", n.op());
            un.add(e);
        }
        m.put("unmapped", un);
        EvalCommand.runtime(m, t.runtime());
        return m;
    }

    private static Map<String, Object> entry(String key, String name, double ms, LayerTimes t) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put(key, name);
        e.put("ms", ms);
        e.put("share", t.share(ms));
        return e;
    }

    static String text(LayerTimes before, LayerTimes after, List<WeightLayer> layers, int top) {
        StringBuilder sb = new StringBuilder();
        sb.append(summary(before, "original"));
        if (after != null) {
            sb.append(summary(after, "with the recipe"));
        }
        LayerTimes main = after == null ? before : after;
        sb.append('\n').append(after == null ? "By op type" : "By op type, with the recipe").append(" (as ONNX Runtime ran them)\n");
        Table ops = new Table("op", "ms", "share");
        main.byOp().entrySet().stream().limit(top).forEach(e -> ops.row(e.getKey(), ms(e.getValue()), pct(main.share(e.getValue()))));
        sb.append(ops.render());
        sb.append("\nBy weight layer\n");
        Table t = after == null ? new Table("layer", "op", "ms", "share")
                : new Table("layer", "op", "original ms", "share", "recipe ms", "share");
        for (WeightLayer l : layers) {
            double b = before.layers().get(l.node());
            if (after == null) {
                t.row(l.node(), l.op(), ms(b), pct(before.share(b)));
            } else {
                double a = after.layers().get(l.node());
                t.row(l.node(), l.op(), ms(b), pct(before.share(b)), ms(a), pct(after.share(a)));
            }
        }
        sb.append(t.render());
        List<NodeProfile> unmapped = main.unmapped();
        if (!unmapped.isEmpty()) {
            sb.append("\nUnmapped kernels (ONNX Runtime fused or renamed them past recognition)\n");
            Table u = new Table("node", "op", "ms", "share");
            unmapped.stream().limit(top).forEach(n -> u.row(n.node(), n.op(), ms(n.ms()), pct(main.share(n.ms()))));
            sb.append(u.render());
            if (unmapped.size() > top) {
                sb.append("... and ").append(unmapped.size() - top).append(" more (--top N, or --json)\n");
            }
        }
        sb.append(EvalCommand.runtimeText(main.runtime())).append('\n');
        return sb.toString();
    }

    private static String summary(LayerTimes t, String which) {
        return String.format(Locale.ROOT, "%s (%s), %s inputs, batch %d, %d runs: run %s ms, kernels %s ms (%s);"
                        + " weight layers %s, other nodes %s, unmapped %s%n", t.model(), which, t.data(), t.batch(), t.runs(),
                ms(t.runMs()), ms(t.kernelMs()), pct(t.share(t.kernelMs())), pct(t.share(t.ms(NodeProfile.Kind.LAYER))),
                pct(t.share(t.ms(NodeProfile.Kind.OTHER))), pct(t.share(t.ms(NodeProfile.Kind.UNMAPPED))));
    }

    static String ms(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    static String pct(double share) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * share);
    }
}
