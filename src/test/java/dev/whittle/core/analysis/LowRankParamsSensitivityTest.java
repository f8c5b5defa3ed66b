package dev.whittle.core.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.BadInputException;
import dev.whittle.core.model.TensorData;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LowRankParamsSensitivityTest {
    @Test
    void aShareOfParametersGivesEachLayerTheRankThatKeepsIt() {
        OnnxModel cnn = OnnxReader.read(Path.of("sample-models/fashion-cnn.onnx"));
        WeightLayer fc1 = cnn.graph().layer("fc1").orElseThrow(); // 120 x 400
        OnnxModel out = LayerCompressors.get("lowrank-params").apply(cnn, fc1, 0.25);
        int r = (int) Math.floor(0.25 * 120 * 400 / (120 + 400)); // 23, independent of LowRankSpec
        long factorParams = out.graph().constants().stream().filter(t -> t.name().startsWith("fc1") && t.rank() == 2)
                .filter(t -> Arrays.stream(t.dims()).anyMatch(d -> d == r)).mapToLong(TensorData::count).sum();
        assertEquals((long) r * (120 + 400), factorParams, "two factors of rank " + r);
        assertTrue(factorParams <= 0.25 * 120 * 400);
        assertEquals(cnn.graph().layer("fc2").orElseThrow().shapeText(), out.graph().layer("fc2").orElseThrow().shapeText());
    }

    @Test
    void levelsOutsideZeroToOneAreRefused() {
        BadInputException e = assertThrows(BadInputException.class, () -> SensitivityMethod.of("lowrank-params").checkLevel(16));
        assertTrue(e.getMessage().contains("share of a layer's weight parameters"), e.getMessage());
    }
}
