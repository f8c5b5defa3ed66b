package dev.whittle.core.plan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.whittle.cli.WhittleCli;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.recipe.Recipe;
import dev.whittle.core.recipe.RecipeFile;
import dev.whittle.core.recipe.RecipeWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every example recipe, opened as a plan on its model and exported again: (a) the exported
 * recipe applied by {@code whittle apply} gives the bytes the original recipe gives; (b) the
 * workbench's own Export Model ({@link PlanExport#model}) writes those same bytes.
 */
class PlanRoundTripTest {
    static final Path SAMPLES = Path.of("sample-models");

    static Stream<String> recipes() throws IOException {
        try (Stream<Path> s = Files.list(SAMPLES.resolve("recipes"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).sorted().toList().stream();
        }
    }

    /** The example recipes whose steps run a data-aware method (slow to apply on MiniLM). */
    static boolean dataAware(String recipe) {
        return recipe.contains("gptq") || recipe.contains("wanda");
    }

    static Path modelOf(String recipe) {
        return recipe.startsWith("minilm") ? SAMPLES.resolve("minilm/all-minilm-l6-v2.onnx")
                : SAMPLES.resolve(recipe.startsWith("fashion-cnn") ? "fashion-cnn.onnx" : "fashion-mlp.onnx");
    }

    @ParameterizedTest
    @MethodSource("recipes")
    void aRecipeOpenedAsAPlanAndExportedAppliesToTheSameBytes(String name, @TempDir Path tmp) throws IOException {
        Path recipePath = SAMPLES.resolve("recipes").resolve(name);
        Path modelPath = modelOf(name);
        assumeTrue(Files.isRegularFile(modelPath), modelPath + " is unpacked by the first build");
        OnnxModel model = OnnxReader.read(modelPath);
        RecipeFile original = RecipeFile.read(recipePath);

        Plan plan = PlanRecipes.fromRecipe(original.recipe(), model.graph());
        Path exported = tmp.resolve("exported.yaml");
        PlanExport.recipe(model, plan, recipePath.getParent(), null, exported);
        // The exported file reads back to the same plan.
        Recipe reread = Recipe.read(exported);
        Plan back = PlanRecipes.fromRecipe(reread, model.graph());
        assertEquals(ResolvedPlan.of(plan, model.graph()).layers(), ResolvedPlan.of(back, model.graph()).layers(), name);
        assertEquals(plan.layers(), back.layers(), name);
        if (dataAware(name)) {
            // Applying these takes 40-76 s each (GPTQ, Wanda + reconstruct over MiniLM's calibration
            // set). A written model is a function of the recipe's canonical form (ModelStamp records
            // it, ApplyDeterminismTest holds the runner to it), so the same canonical form is the
            // same bytes.
            assertEquals(RecipeWriter.canonicalJson(original.recipe()), RecipeWriter.canonicalJson(reread), name);
            return;
        }

        byte[] viaOriginal = apply(modelPath, recipePath, tmp.resolve("original.onnx"));
        byte[] viaExported = apply(modelPath, exported, tmp.resolve("exported.onnx"));
        Path workbench = tmp.resolve("workbench.onnx");
        PlanExport.modelNow(model, plan, workbench, recipePath.getParent());
        assertArrayEquals(viaOriginal, viaExported, name + ": the exported recipe applies to different bytes\n"
                + RecipeWriter.toYaml(reread, null));
        assertArrayEquals(viaExported, Files.readAllBytes(workbench), name + ": Export Model differs from whittle apply");
    }

    static byte[] apply(Path model, Path recipe, Path out) throws IOException {
        StringWriter err = new StringWriter();
        int code = WhittleCli.run(new String[] {"apply", model.toString(), "--recipe", recipe.toString(), "-o", out.toString()},
                new PrintWriter(new StringWriter()), new PrintWriter(err));
        assertEquals(0, code, "whittle apply " + recipe + ": " + err);
        return Files.readAllBytes(out);
    }
}
