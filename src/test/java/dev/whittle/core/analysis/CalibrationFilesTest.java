package dev.whittle.core.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.BadInputException;
import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.onnx.OnnxReader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class CalibrationFilesTest {
    static final Path SAMPLES = Path.of("sample-models");

    @Test
    void relativeFilesResolveAgainstTheBaseFolderAndSamplesCanBeLimited() {
        ModelGraph g = OnnxReader.read(SAMPLES.resolve("fashion-cnn.onnx")).graph();
        CalibrationData d = CalibrationFiles.load(g, List.of("fashion-calib-x.npy"), SAMPLES, 32, 100);
        assertEquals(100, d.samples());
        assertEquals(4, d.batchCount());
        assertEquals(List.of("input"), List.copyOf(d.dataset().inputs().keySet()));
    }

    @Test
    void eachInputOfAMultiInputModelNeedsANamedArray() {
        ModelGraph g = OnnxReader.read(SAMPLES.resolve("minilm/all-minilm-l6-v2.onnx")).graph();
        BadInputException e = assertThrows(BadInputException.class,
                () -> CalibrationFiles.load(g, List.of("minilm-input_ids.npy"), SAMPLES, 8, 0));
        assertTrue(e.getMessage().contains("has 3 inputs, so name each array"), e.getMessage());
        CalibrationData d = CalibrationFiles.load(g, List.of("input_ids=minilm-input_ids.npy",
                "attention_mask=minilm-attention_mask.npy", "token_type_ids=minilm-token_type_ids.npy"), SAMPLES, 8, 0);
        assertEquals(64, d.samples());
        assertEquals(dev.whittle.core.model.DataType.INT64, d.dataset().inputs().get("input_ids").type(), "int64 inputs stay int64");
    }
}
