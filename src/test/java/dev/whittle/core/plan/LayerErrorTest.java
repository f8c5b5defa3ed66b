package dev.whittle.core.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.whittle.core.job.CancelToken;
import dev.whittle.core.job.ProgressSink;
import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.recipe.RecipeFile;
import dev.whittle.core.recipe.RecipeRunner;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The composed error of a layer against the weight the real apply writes, dequantized here by
 * hand: fashion-mlp-mixed prunes fc2 30% then int8 per channel, and factors fc1 at rank 64 then
 * quantizes both factors to int4 blocks of 32 (MSE ranges).
 */
class LayerErrorTest {
    @Test
    void theComposedErrorIsTheErrorOfTheWeightApplyWrites() {
        OnnxModel model = OnnxReader.read(Path.of("sample-models/fashion-mlp.onnx"));
        RecipeFile rf = RecipeFile.read(Path.of("sample-models/recipes/fashion-mlp-mixed.yaml"));
        ModelGraph out = RecipeRunner.run(rf, model).model().graph();
        ResolvedPlan rp = ResolvedPlan.of(PlanRecipes.fromRecipe(rf.recipe(), model.graph()), model.graph());

        float[] fc2 = channelDequantized(out, "fc2.weight", 256, 128);
        check(model, rp, "fc2", fc2);

        float[] left = blockDequantized(out, "fc1.weight_lowrank", 784, 64, 32);
        float[] right = blockDequantized(out, "fc1.weight", 64, 256, 32);
        float[] fc1 = new float[784 * 256];
        for (int i = 0; i < 784; i++) {
            for (int k = 0; k < 64; k++) {
                for (int j = 0; j < 256; j++) {
                    fc1[i * 256 + j] += left[i * 64 + k] * right[k * 256 + j];
                }
            }
        }
        check(model, rp, "fc1", fc1);
    }

    private static void check(OnnxModel model, ResolvedPlan rp, String node, float[] written) {
        float[] w = model.graph().layer(node).orElseThrow().tensor().toFloatArray();
        double signal = 0;
        double noise = 0;
        for (int i = 0; i < w.length; i++) {
            signal += (double) w[i] * w[i];
            noise += ((double) w[i] - written[i]) * ((double) w[i] - written[i]);
        }
        LayerError e = LayerError.job(rp.layer(node)).run(ProgressSink.NONE, CancelToken.none());
        assertEquals(Math.sqrt(noise / signal), e.relativeError(), 1e-4 * e.relativeError(), node);
        assertEquals(10 * Math.log10(signal / noise), e.sqnrDb(), 0.01, node);
        assertNull(e.note());
    }

    private static float[] channelDequantized(ModelGraph g, String weight, int rows, int cols) {
        float[] codes = g.constant(weight + "_quantized").orElseThrow().toFloatArray();
        float[] scale = g.constant(weight + "_scale").orElseThrow().toFloatArray();
        float[] out = new float[rows * cols];
        for (int i = 0; i < out.length; i++) {
            out[i] = codes[i] * scale[i % cols];
        }
        return out;
    }

    private static float[] blockDequantized(ModelGraph g, String weight, int rows, int cols, int block) {
        float[] codes = g.constant(weight + "_quantized").orElseThrow().toFloatArray();
        float[] scale = g.constant(weight + "_scale").orElseThrow().toFloatArray();
        float[] zp = g.constant(weight + "_zero_point").orElseThrow().toFloatArray();
        float[] out = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                int s = (i / block) * cols + j;
                out[i * cols + j] = (codes[i * cols + j] - zp[s]) * scale[s];
            }
        }
        return out;
    }
}
