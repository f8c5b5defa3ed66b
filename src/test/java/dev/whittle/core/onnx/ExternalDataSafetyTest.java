package dev.whittle.core.onnx;

import static dev.whittle.core.onnx.Rejections.rejects;
import static dev.whittle.testing.TinyModels.FLOAT;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.whittle.testing.TinyModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * External data must stay inside the model's folder and match the tensor's size. The "secret"
 * outside the folder is a named pipe: opening it for reading would block, so a reader that so
 * much as opened it would hang and fail the timeout.
 */
class ExternalDataSafetyTest {
    @TempDir
    Path root;
    Path models;
    Path secret;

    @BeforeEach
    void makeSecretPipe() throws Exception {
        models = Files.createDirectory(root.resolve("models"));
        secret = root.resolve("secret.bin");
        Process p = new ProcessBuilder("mkfifo", secret.toString()).inheritIO().start();
        assertTrue(p.waitFor() == 0 && Files.exists(secret), "mkfifo failed");
    }

    private Path modelWithWeightAt(String file, String location, long offset, long length) {
        TensorProto w = TinyModels.external("W", FLOAT, location, offset, length, 2, 3);
        ModelProto m = TinyModels.matmul(2, 3);
        GraphProto g = m.getGraph().toBuilder().setInitializer(0, w).build();
        return TinyModels.write(m.toBuilder().setGraph(g).build(), models.resolve(file));
    }

    private void refusesWithoutOpening(Path model) {
        assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> rejects(UnsafeModelException.class, model, ModelProblem.EXTERNAL_DATA_ESCAPES));
    }

    @Test
    void aLocationClimbingOutWithDotDotIsRefusedAndNeverOpened() {
        refusesWithoutOpening(modelWithWeightAt("dotdot.onnx", "../secret.bin", 0, 24));
    }

    @Test
    void aLocationClimbingOutAfterGoingDownIsRefused() throws IOException {
        Files.createDirectory(models.resolve("sub"));
        refusesWithoutOpening(modelWithWeightAt("zigzag.onnx", "sub/../../secret.bin", 0, 24));
    }

    @Test
    void anAbsoluteLocationIsRefusedAndNeverOpened() {
        refusesWithoutOpening(modelWithWeightAt("absolute.onnx", secret.toAbsolutePath().toString(), 0, 24));
    }

    @Test
    void aSymlinkInsideTheFolderPointingOutsideIsRefusedAndNeverOpened() throws IOException {
        Files.createSymbolicLink(models.resolve("weights.bin"), secret);
        refusesWithoutOpening(modelWithWeightAt("symlink.onnx", "weights.bin", 0, 24));
    }

    @Test
    void aSymlinkedFolderInsideTheModelFolderPointingOutsideIsRefused() throws IOException {
        Files.createSymbolicLink(models.resolve("shared"), root);
        refusesWithoutOpening(modelWithWeightAt("symdir.onnx", "shared/secret.bin", 0, 24));
    }

    @Test
    void aSymlinkThatStaysInsideTheFolderIsFollowed() throws IOException {
        Files.write(models.resolve("real.bin"), new byte[24]);
        Files.createSymbolicLink(models.resolve("alias.bin"), models.resolve("real.bin"));
        OnnxReader.read(modelWithWeightAt("inside-link.onnx", "alias.bin", 0, 24));
    }

    @Test
    void aMissingExternalFileIsRejected() {
        String msg = rejects(modelWithWeightAt("missing.onnx", "weights.bin", 0, 24), ModelProblem.MISSING_EXTERNAL_DATA)
                .getMessage();
        assertTrue(msg.contains("weights.bin"), msg);
    }

    @Test
    void anExternalFileShorterThanOffsetPlusLengthIsRejectedAsTruncated() throws IOException {
        Files.write(models.resolve("weights.bin"), new byte[30]);
        String msg = rejects(modelWithWeightAt("short.onnx", "weights.bin", 16, 24), ModelProblem.TRUNCATED).getMessage();
        assertTrue(msg.contains("40") && msg.contains("30"), msg);
    }

    @Test
    void anExternalLengthThatDisagreesWithTheDimsIsRejected() throws IOException {
        Files.write(models.resolve("weights.bin"), new byte[64]);
        rejects(modelWithWeightAt("length.onnx", "weights.bin", 0, 20), ModelProblem.BAD_TENSOR_DATA);
    }

    @Test
    void anOffsetNearLongMaxDoesNotOverflowIntoAcceptance() throws IOException {
        Files.write(models.resolve("weights.bin"), new byte[64]);
        rejects(modelWithWeightAt("overflow.onnx", "weights.bin", Long.MAX_VALUE - 8, 24), ModelProblem.TRUNCATED);
    }

    @Test
    void aNonNumericOffsetIsRejected() throws IOException {
        Files.write(models.resolve("weights.bin"), new byte[64]);
        TensorProto w = TinyModels.external("W", FLOAT, "weights.bin", 0, 24, 2, 3).toBuilder()
                .setExternalData(1, TinyModels.entry("offset", "zero")).build();
        ModelProto m = TinyModels.matmul(2, 3);
        m = m.toBuilder().setGraph(m.getGraph().toBuilder().setInitializer(0, w)).build();
        rejects(TinyModels.write(m, models.resolve("nan-offset.onnx")), ModelProblem.BAD_TENSOR_DATA);
    }

    @Test
    void anInMemoryModelWithExternalDataButNoSourceFolderIsRejected() {
        TensorProto w = TinyModels.external("W", FLOAT, "weights.bin", 0, 24, 2, 3);
        ModelProto m = TinyModels.matmul(2, 3);
        ModelProto built = m.toBuilder().setGraph(m.getGraph().toBuilder().setInitializer(0, w)).build();
        rejects(InvalidModelException.class, () -> OnnxReader.fromProto(built, null), "in-memory", ModelProblem.MISSING_EXTERNAL_DATA);
    }
}
