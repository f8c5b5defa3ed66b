package dev.whittle.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.BadInputException;
import dev.whittle.core.model.DataType;
import dev.whittle.core.onnx.GraphBuilder;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.testing.MethodMatrix;
import org.junit.jupiter.api.Test;

/** The check every written model passes: ONNX Runtime loads it, or (bfloat16) resolves its types. */
class LoadCheckTest {
    @Test
    void mixedFloatTypesAreRefusedWithTheOutputsName() {
        // The float16 MatMul reading a float32 weight that issue 14 found in quantized outputs.
        OnnxModel bad = new GraphBuilder("mixed").opset(21)
                .input("x", DataType.FLOAT16, "N", 4)
                .initializer("w", new float[12], 4, 3)
                .node("MatMul", "x", "w").outputs("y").done()
                .output("y", DataType.FLOAT16, "N", 3)
                .toModel();
        BadInputException e = assertThrows(BadInputException.class, () -> LoadCheck.require(bad, "out.onnx"));
        assertTrue(e.getMessage().contains("out.onnx") && e.getMessage().contains("not written"), e.getMessage());
    }

    @Test
    void float16LoadsAndBfloat16PassesTheTypeCheck() {
        assertEquals(LoadCheck.Outcome.LOADED, LoadCheck.require(MethodMatrix.mlp(DataType.FLOAT16), "a.onnx"));
        assertEquals(LoadCheck.Outcome.TYPES_ONLY, LoadCheck.require(MethodMatrix.mlp(DataType.BFLOAT16), "b.onnx"));
    }
}
