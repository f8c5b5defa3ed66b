package dev.whittle.core.onnx;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class CorpusTest {
    @Test
    void aMissingCorpusSkipsWithTheInstallCommandUnlessRequired() {
        String before = System.getProperty("whittle.requireCorpus");
        try {
            System.clearProperty("whittle.requireCorpus");
            TestAbortedException skip = assertThrows(TestAbortedException.class,
                    () -> Corpus.modelFolders(Path.of("/nonexistent/libonnx-testdata")));
            assertTrue(skip.getMessage().contains("apt-get install libonnx-testdata"), skip.getMessage());
            System.setProperty("whittle.requireCorpus", "true");
            AssertionFailedError fail = assertThrows(AssertionFailedError.class,
                    () -> Corpus.modelFolders(Path.of("/nonexistent/libonnx-testdata")));
            assertTrue(fail.getMessage().contains("apt-get install libonnx-testdata"), fail.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty("whittle.requireCorpus");
            } else {
                System.setProperty("whittle.requireCorpus", before);
            }
        }
    }
}
