package dev.whittle.cli;

import dev.whittle.core.lowrank.LowRankSpec;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.prune.PruneSpec;
import dev.whittle.core.quant.ActivationSpec;
import dev.whittle.core.quant.Granularity;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.quant.WeightSpec;
import dev.whittle.core.recipe.RecipeFile;
import dev.whittle.core.recipe.RecipePlan;
import dev.whittle.core.recipe.RecipePlan.Setting;
import dev.whittle.core.recipe.RecipePlan.Touch;
import dev.whittle.core.recipe.Selection;
import dev.whittle.core.recipe.Step;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code whittle validate R.yaml [MODEL]}: checks a recipe (syntax, keys, values, the files it
 * names) and, with a model, that every step selects a layer and every setting can apply; lists
 * what each step will touch. Exit 0 when valid, 2 with each problem on stderr when not.
 */
@Command(name = "validate", description = "Check a recipe, and with a model list what each step will touch.")
final class ValidateCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "R.yaml", description = "The recipe (YAML or JSON).")
    Path recipe;

    @Parameters(index = "1", arity = "0..1", paramLabel = "MODEL", description = "The .onnx file it is meant for.")
    Path model;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        RecipeFile r = RecipeFile.read(recipe);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<String> problems = new ArrayList<>(r.fileProblems().stream().map(p -> recipe.getFileName() + ": " + p).toList());
        RecipePlan plan = null;
        if (model != null) {
            OnnxModel m = OnnxReader.read(model);
            plan = RecipePlan.of(r.recipe(), m);
            for (RecipePlan.Problem p : plan.problems()) {
                problems.add(r.where(p.step()) + ": " + p.text());
            }
            plan.warnings().forEach(w -> err.println("whittle: warning: " + w));
        }
        List<Step> steps = r.recipe().steps();
        for (int i = 0; i < steps.size(); i++) {
            out.println("step " + (i + 1) + " (" + r.where(i + 1) + "): " + select(steps.get(i).select(), r.recipe().whittle()));
            for (String s : settings(steps.get(i))) {
                out.println("  " + s);
            }
            if (plan != null) {
                touches(out, plan.steps().get(i));
                leftOut(out, plan.steps().get(i));
            }
        }
        problems.forEach(p -> err.println("whittle: " + p));
        err.flush();
        String target = model == null ? "" : " for " + model.getFileName();
        out.println(problems.isEmpty() ? recipe.getFileName() + " is valid" + target + "."
                : recipe.getFileName() + " has " + problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + target + ".");
        out.flush();
        return problems.isEmpty() ? 0 : 2;
    }

    private static void touches(PrintWriter out, RecipePlan.StepPlan p) {
        if (p.selected().isEmpty()) {
            out.println("  selects no layer");
            return;
        }
        out.println("  selects " + p.selected().size() + " layer" + (p.selected().size() == 1 ? "" : "s") + ": "
                + String.join(", ", p.selected()));
        for (Setting s : Setting.values()) {
            List<Touch> ts = p.touches().stream().filter(t -> t.setting() == s).toList();
            if (ts.isEmpty()) {
                continue;
            }
            List<String> applied = ts.stream().filter(t -> t.effective() && t.skip() == null).map(Touch::node).toList();
            out.println("  " + s.key() + " applies to " + (applied.isEmpty() ? "no layer" : String.join(", ", applied)));
            for (Touch t : ts) {
                if (!t.effective()) {
                    out.println("    " + t.node() + ": overridden by step " + t.overriddenBy());
                } else if (t.skip() != null) {
                    out.println("    " + t.node() + ": left alone, " + t.skip());
                }
            }
        }
    }

    /** What a version-1 step leaves out that the same step in a version-2 recipe would take. */
    private static void leftOut(PrintWriter out, RecipePlan.StepPlan p) {
        List<String> l = p.version1LeftOut();
        if (!l.isEmpty()) {
            out.println("  whittle: 1 leaves out " + l.size() + " layer" + (l.size() == 1 ? "" : "s") + " that whittle: 2"
                    + " would take (add them with ops, e.g. ops: [Gather], or write whittle: 2): " + String.join(", ", l));
        }
    }

    static String select(Selection s, int version) {
        List<String> parts = new ArrayList<>();
        if (!s.ops().isEmpty()) {
            parts.add("ops " + String.join(", ", s.ops()));
        }
        if (!s.names().isEmpty()) {
            parts.add("names " + String.join(", ", s.names()));
        }
        if (!s.exclude().isEmpty()) {
            parts.add("excluding " + String.join(", ", s.exclude()));
        }
        String what = parts.isEmpty() ? (version >= 2 ? "every weight layer" : "every Conv, ConvTranspose, Gemm and MatMul layer")
                : String.join("; ", parts);
        if (s.graphs() == null || s.graphs().equals("main")) {
            return what;
        }
        return what + (s.graphs().equals("all") ? "; in every graph (If/Loop/Scan bodies too)" : "; in graphs " + s.graphs());
    }

    static List<String> settings(Step s) {
        List<String> out = new ArrayList<>();
        if (s.prune() != null) {
            out.add("prune " + prune(s.prune()));
        }
        if (s.lowrank() != null) {
            out.add("lowrank " + lowrank(s.lowrank()));
        }
        if (s.quantize() != null) {
            out.add("quantize " + quantize(s.quantize().spec()));
        }
        return out;
    }

    static String prune(PruneSpec p) {
        if (p.isNofM()) {
            return p.structure() + " (keep " + p.keepN() + " of every " + p.groupM() + " weights" + (p.dataAware() ? ", by Wanda)" : ")");
        }
        String amount = p.sparsity() != null ? pct(p.sparsity()) : "|w| <= " + p.threshold();
        if (p.isChannel()) {
            return amount + " of output channels by " + p.criterion() + " norm";
        }
        String s = amount + " unstructured, " + p.scope() + " scope" + (p.dataAware() ? ", by Wanda (|w| x input norm)" : "");
        if (p.minSparsity() != null || p.maxSparsity() != null) {
            s += ", each layer " + (p.minSparsity() == null ? "0%" : pct(p.minSparsity())) + " to "
                    + (p.maxSparsity() == null ? "100%" : pct(p.maxSparsity()));
        }
        return s + (p.sparseStorage() ? ", stored sparse" : "");
    }

    static String lowrank(LowRankSpec l) {
        String how = l.rank() != null ? "rank " + l.rank() : l.energy() != null ? "keep " + pct(l.energy()) + " of the energy"
                : "keep " + pct(l.params()) + " of the parameters";
        return how + " (" + l.method() + (l.whiten() ? ", whitened on the calibration data" : "") + ")";
    }

    static String quantize(QuantizeSpec q) {
        List<String> parts = new ArrayList<>();
        if (q.weights() != null) {
            WeightSpec w = q.weights();
            parts.add("weights " + (w.symmetric() ? "int" : "uint") + w.bits() + " per " + w.granularity().key()
                    + (w.granularity() == Granularity.BLOCK ? " of " + w.block() : "") + ", range " + w.range()
                    + (w.int8Layout() != null ? ", int8 layout " + w.int8Layout().key() : ""));
        }
        if (q.activations() != null) {
            ActivationSpec a = q.activations();
            parts.add("activations " + (a.symmetric() ? "int" : "uint") + a.bits() + " calibrated by " + a.calibration()
                    + (a.outputs() ? ", outputs too" : "") + (a.overrides().isEmpty() ? "" : ", " + a.overrides().size()
                    + " override" + (a.overrides().size() == 1 ? "" : "s"))
                    + (a.placement() == dev.whittle.core.quant.ActivationPlacement.GRAPH ? ", placed through the graph"
                    : a.placement() == dev.whittle.core.quant.ActivationPlacement.SPEED ? ", placed through the graph where"
                    + " ONNX Runtime runs int8 on this machine"
                    : a.placement() == dev.whittle.core.quant.ActivationPlacement.MEASURED ? ", placed through the graph where"
                    + " ONNX Runtime's int8 kernels are faster than float on this machine at batch " + a.measureBatch() : ""));
        }
        if (q.format() != null) {
            parts.add("format " + q.format().key());
        }
        return String.join("; ", parts);
    }

    private static String pct(double f) {
        String s = String.format(Locale.ROOT, "%.2f", 100 * f).replaceAll("\\.?0+$", "");
        return s + "%";
    }
}
