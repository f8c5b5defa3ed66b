package dev.whittle.core.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.whittle.core.BadInputException;
import dev.whittle.core.model.DataType;
import dev.whittle.core.onnx.GraphBuilder;
import dev.whittle.core.onnx.OnnxModel;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A NaN or infinite weight has no quantization range: refuse it, as pruning and low-rank do. */
class NonFiniteWeightTest {
    static OnnxModel matmul(float bad) {
        float[] w = new float[16 * 8];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) Math.sin(i);
        }
        w[5] = bad;
        GraphBuilder g = new GraphBuilder("g");
        g.input("x", DataType.FLOAT, "N", 16).output("y", DataType.FLOAT, "N", 8).initializer("w", w, 16, 8);
        g.node("MatMul", "x", "w").name("mm").outputs("y");
        return g.toModel();
    }

    @ParameterizedTest
    @ValueSource(floats = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY})
    void aNonFiniteWeightIsRefusedWithTheLayerNamed(float bad) {
        var e = assertThrows(BadInputException.class,
                () -> Quantizer.apply(matmul(bad), List.of(QuantizeStep.all(QuantizeSpec.weights(WeightSpec.of(8, Granularity.CHANNEL))))));
        assertEquals("Layer 'mm': weight 'w' holds " + (Float.isNaN(bad) ? "NaN" : "infinite")
                + " values; nothing was written.", e.getMessage());
    }
}
