package dev.whittle.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.whittle.core.model.DataType;
import dev.whittle.core.model.TensorData;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.recipe.Recipe;
import dev.whittle.core.recipe.RecipeRunner;
import dev.whittle.core.tensor.Numerics;
import dev.whittle.testing.MethodMatrix;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * "Compute in float32, write back in the weight's own type", checked exactly: each method run on
 * a float16 (bfloat16) model writes, for every tensor, the float32 pipeline's result on the same
 * values rounded to nearest even into float16 (bfloat16).
 */
class HalfWriteBackTest {
    @Test
    void halfResultsAreTheFloat32ResultsRounded() {
        for (DataType half : List.of(DataType.FLOAT16, DataType.BFLOAT16)) {
            OnnxModel h = MethodMatrix.mlp(half);
            OnnxModel f = MethodMatrix.mlp(DataType.FLOAT, half);
            for (MethodMatrix.Method m : MethodMatrix.METHODS) {
                if (!(m.name().startsWith("prune") || m.name().equals("lowrank"))) {
                    continue;
                }
                OnnxModel outH = RecipeRunner.run(Recipe.parse("m.yaml", m.recipe()), h).model();
                OnnxModel outF = RecipeRunner.run(Recipe.parse("m.yaml", m.recipe()), f).model();
                int compared = 0;
                for (TensorData tf : outF.graph().constants()) {
                    TensorData th = outH.graph().constant(tf.name()).orElse(null);
                    if (th == null || tf.type() != DataType.FLOAT) {
                        continue;
                    }
                    assertEquals(half, th.type(), m.name() + ": " + tf.name() + " keeps its type");
                    float[] a = tf.toFloatArray();
                    float[] b = th.toFloatArray();
                    assertEquals(a.length, b.length, tf.name());
                    for (int i = 0; i < a.length; i++) {
                        float rounded = half == DataType.FLOAT16 ? Numerics.halfToFloat(Numerics.floatToHalf(a[i]))
                                : Numerics.bfloat16ToFloat(Numerics.floatToBfloat16(a[i]));
                        assertEquals(rounded, b[i], 0f, m.name() + " " + half + ": " + tf.name() + "[" + i + "]");
                    }
                    compared++;
                }
                assertFalse(compared == 0, m.name() + ": no tensor compared");
            }
        }
    }

    @Test
    void roundingToHalfIsToNearestEven() {
        // Independent values: 1 + 2^-11 is halfway between 1 and the next half (1 + 2^-10): ties to even, 1.
        assertEquals(0x3c00, Numerics.floatToHalf(1f + 0x1p-11f));
        assertEquals(0x3c02, Numerics.floatToHalf(1f + 3 * 0x1p-11f));
        // bfloat16 keeps 7 mantissa bits: 1 + 2^-8 ties to 1, 1 + 3 * 2^-8 to 1 + 2^-6.
        assertEquals(0x3f80, Numerics.floatToBfloat16(1f + 0x1p-8f));
        assertEquals(0x3f82, Numerics.floatToBfloat16(1f + 3 * 0x1p-8f));
        assertEquals(0xbf80, Numerics.floatToBfloat16(-1f));
        assertEquals(0x7f80, Numerics.floatToBfloat16(Float.POSITIVE_INFINITY));
    }
}
