package dev.whittle.figures;

import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.recipe.RecipeFile;
import dev.whittle.core.recipe.RecipeRunner;
import dev.whittle.testing.SampleEval;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Applies every example recipe in sample-models/recipes to its sample model and prints a
 * Markdown table (accuracy or cosine similarity, sizes) for docs/recipes.md. Run from the
 * repository root: {@code java dev.whittle.figures.RecipeFigures [NAME-GLOB [FOLDER]]}.
 */
public final class RecipeFigures {
    public static void main(String[] args) throws Exception {
        String glob = args.length > 0 ? args[0] : "*.yaml";
        Path dir = args.length > 1 ? Path.of(args[1]) : SampleEval.DIR.resolve("recipes");
        Path tmp = Files.createTempDirectory("whittle-recipe-figures");
        List<Path> recipes;
        try (Stream<Path> s = Files.list(dir)) {
            var m = tmp.getFileSystem().getPathMatcher("glob:" + glob);
            recipes = s.filter(p -> m.matches(p.getFileName())).sorted().toList();
        }
        System.out.println("| recipe | metric | original | compressed | file bytes | vs original |");
        System.out.println("|---|---|---|---|---|---|");
        for (Path r : recipes) {
            Path model = modelFor(r);
            RecipeRunner.Result res = RecipeRunner.run(RecipeFile.read(r), OnnxReader.read(model));
            Path out = tmp.resolve(r.getFileName().toString().replace(".yaml", ".onnx"));
            res.model().save(out);
            long before = Files.size(model);
            long after = Files.size(out);
            String metric;
            String orig;
            String now;
            if (model.equals(SampleEval.MINILM)) {
                double[] c = SampleEval.miniLmCosine(out);
                metric = "cosine vs fp32, mean (min), 64 sentences";
                orig = "1";
                now = String.format(Locale.ROOT, "%.4f (%.4f)", c[0], c[1]);
            } else {
                metric = "accuracy, 2,000 images";
                orig = pct(SampleEval.fashionAccuracy(model, 2000));
                now = pct(SampleEval.fashionAccuracy(out, 2000));
            }
            System.out.printf(Locale.ROOT, "| `%s` | %s | %s | %s | %,d | %.1f%% |%n", r.getFileName(), metric, orig, now,
                    after, 100.0 * after / before);
            Files.deleteIfExists(out);
        }
    }

    static Path modelFor(Path recipe) {
        String name = recipe.getFileName().toString();
        if (name.startsWith("minilm")) {
            return SampleEval.MINILM;
        }
        return SampleEval.DIR.resolve(name.substring(0, name.indexOf('-', "fashion-".length())) + ".onnx");
    }

    private static String pct(double f) {
        return String.format(Locale.ROOT, "%.2f%%", 100 * f);
    }
}
