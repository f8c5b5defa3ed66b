package dev.whittle.core.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.BadInputException;
import dev.whittle.core.job.CancelToken;
import dev.whittle.core.job.CancelledException;
import dev.whittle.core.job.ProgressSink;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.prune.PruneSpec;
import dev.whittle.core.recipe.Provenance;
import dev.whittle.core.recipe.Recipe;
import dev.whittle.core.recipe.RecipeRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanExportTest {
    static final Path MLP = Path.of("sample-models/fashion-mlp.onnx");

    static Plan pruneFc2() {
        return Plan.empty().withLayer("fc2", LayerSettings.INHERIT.withPrune(PruneSpec.sparsity(0.5)));
    }

    @Test
    void exportModelReportsItsStagesAndWritesTheFile(@TempDir Path tmp) {
        OnnxModel m = OnnxReader.read(MLP);
        List<String> stages = new ArrayList<>();
        Path out = tmp.resolve("out.onnx");
        RecipeRunner.Result r = PlanExport.model(m, pruneFc2(), out, null)
                .run((done, total, stage) -> stages.add(stage), CancelToken.none());
        assertTrue(Files.isRegularFile(out));
        assertEquals(List.of("prepare", "write", "write"), stages);
        float[] fc2 = OnnxReader.read(out).graph().layer("fc2").orElseThrow().tensor().toFloatArray();
        long zeros = 0;
        for (float v : fc2) {
            zeros += v == 0 ? 1 : 0;
        }
        assertEquals(fc2.length / 2, zeros);
        assertEquals(1, r.report().layers().size());
    }

    @Test
    void aCancelledExportWritesNothing(@TempDir Path tmp) {
        OnnxModel m = OnnxReader.read(MLP);
        CancelToken t = new CancelToken();
        t.cancel();
        Path out = tmp.resolve("out.onnx");
        assertThrows(CancelledException.class, () -> PlanExport.model(m, pruneFc2(), out, null).run(ProgressSink.NONE, t));
        assertFalse(Files.exists(out));
    }

    @Test
    void exportNeverWritesOverTheModel(@TempDir Path tmp) throws Exception {
        Path copy = Files.copy(MLP, tmp.resolve("m.onnx"));
        OnnxModel m = OnnxReader.read(copy);
        byte[] before = Files.readAllBytes(copy);
        assertThrows(BadInputException.class, () -> PlanExport.modelNow(m, pruneFc2(), copy, null));
        assertThrows(BadInputException.class, () -> PlanExport.recipe(m, pruneFc2(), null, null, copy));
        assertEquals(new String(before, java.nio.charset.StandardCharsets.ISO_8859_1),
                new String(Files.readAllBytes(copy), java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    @Test
    void anExportedRecipeRecordsTheModelAndProvenance(@TempDir Path tmp) {
        OnnxModel m = OnnxReader.read(MLP);
        Path out = tmp.resolve("r.yaml");
        PlanExport.recipe(m, pruneFc2(), null, new Provenance("0.1", "1.2.3", "2026-12-04T00:00:00Z",
                Map.of("bytesAfter", 1234)), out);
        Recipe r = Recipe.read(out);
        assertEquals("fashion-mlp.onnx", r.model().file());
        assertEquals(RecipeRunner.sha256(MLP), r.model().sha256());
        assertEquals("1.2.3", r.provenance().get("onnxruntime").asText());
        assertEquals(1234, r.provenance().get("metrics").get("bytesAfter").asInt());
    }

    @Test
    void aRelativeCalibrationPathStillNamesTheSameFileFromTheExportFolder(@TempDir Path tmp) {
        OnnxModel m = OnnxReader.read(MLP);
        Recipe original = Recipe.read(Path.of("sample-models/recipes/fashion-mlp-int8.yaml"));
        Plan p = PlanRecipes.fromRecipe(original, m.graph());
        Path out = tmp.resolve("sub/r.yaml");
        Recipe written = PlanExport.recipe(m, p, Path.of("sample-models/recipes"), null, out);
        Path data = out.getParent().resolve(written.calibration().data()).normalize();
        assertEquals(Path.of("sample-models/fashion-calib-x.npy").toAbsolutePath().normalize(), data.toAbsolutePath().normalize());
    }
}
