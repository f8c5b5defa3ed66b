package dev.whittle.core.onnx;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

class CorpusTest {
    @Test
    void aMissingCorpusFailsWithInstructionsInsteadOfSkipping() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> Corpus.modelFolders(Path.of("/nonexistent/libonnx-testdata")));
        assertTrue(e.getMessage().contains("apt-get install libonnx-testdata"), e.getMessage());
    }
}
