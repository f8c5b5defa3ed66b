package dev.whittle.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DropTest {
    @Test
    void theFirstOnnxFileAmongDroppedFilesIsOpened() {
        assertEquals(Optional.of(Path.of("/m/b.ONNX")),
                MainView.droppedModel(List.of(new File("/m/a.txt"), new File("/m/b.ONNX"), new File("/m/c.onnx"))));
    }

    @Test
    void aDropWithoutAnOnnxFileIsRefused() {
        assertEquals(Optional.empty(), MainView.droppedModel(List.of(new File("/m/a.pb"), new File("/m/onnx"))));
    }
}
