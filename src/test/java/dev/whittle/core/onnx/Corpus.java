package dev.whittle.core.onnx;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The ONNX backend test corpus of Debian's {@code libonnx-testdata} (ONNX 1.12): every
 * {@code model.onnx} under data/node, data/pytorch-converted, data/pytorch-operator and
 * data/simple, with {@code test_data_set_0/input_*.pb} and {@code output_*.pb}.
 * A missing corpus skips the tests (JUnit assumption, with the install command in the message),
 * so the suite passes on a machine set up as the README says; {@code .ci/run} installs the
 * corpus and passes {@code -Dwhittle.requireCorpus=true}, which turns a missing corpus into a
 * failure there. {@code -Dwhittle.skipCorpus=true} skips the tests even when it is installed.
 */
final class Corpus {
    static final Path ROOT = Path.of(System.getProperty("whittle.corpus", "/usr/share/libonnx-testdata/data"));

    private Corpus() {
    }

    /** Folders that hold a model.onnx, sorted by path. */
    static List<Path> modelFolders() {
        assumeFalse(Boolean.getBoolean("whittle.skipCorpus"), "whittle.skipCorpus=true: corpus tests skipped");
        return modelFolders(ROOT);
    }

    static List<Path> modelFolders(Path root) {
        if (!Files.isDirectory(root)) {
            String message = "The ONNX conformance corpus is missing at " + root + ": install it with"
                    + " `apt-get install libonnx-testdata` (or point -Dwhittle.corpus=... at its data folder).";
            if (Boolean.getBoolean("whittle.requireCorpus")) {
                fail(message + " -Dwhittle.requireCorpus=true makes this a failure.");
            }
            assumeTrue(false, message);
        }
        try (Stream<Path> s = Files.walk(root, 3)) {
            return s.filter(p -> p.getFileName().toString().equals("model.onnx"))
                    .map(Path::getParent).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** "node/test_abs" for a folder of the corpus. */
    static String id(Path folder) {
        return ROOT.relativize(folder).toString();
    }
}
