package dev.whittle.core.onnx;

import static dev.whittle.core.onnx.Rejections.rejects;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import dev.whittle.testing.TinyModels;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files that are not ONNX models, or not ones Whittle supports, are refused with one clear sentence. */
class BadFileTest {
    @TempDir
    Path dir;

    @Test
    void anEmptyFileIsRejectedAsEmpty() throws IOException {
        Path f = Files.createFile(dir.resolve("empty.onnx"));
        rejects(f, ModelProblem.EMPTY);
    }

    @Test
    void aMissingFileIsRejectedAsNotFound() {
        rejects(dir.resolve("nowhere.onnx"), ModelProblem.NOT_FOUND);
    }

    @Test
    void aFolderIsRejectedAsNotAFile() throws IOException {
        Path f = Files.createDirectory(dir.resolve("folder.onnx"));
        rejects(f, ModelProblem.NOT_A_FILE);
    }

    @Test
    void aModelCutAtAnyPointInsideItsGraphIsRejectedAsTruncated() throws IOException {
        byte[] whole = TinyModels.matmul(32, 16).toByteArray();
        int n = whole.length;
        for (int cut : new int[] {1, 3, n / 4, n / 2, 3 * n / 4, n - 1}) {
            Path f = dir.resolve("cut-" + cut + ".onnx");
            Files.write(f, Arrays.copyOf(whole, cut));
            rejects(f, ModelProblem.TRUNCATED);
        }
    }

    @Test
    void aTruncatedModelWithALongDocStringIsStillTruncatedNotText() throws IOException {
        ModelProto m = TinyModels.matmul(4, 3).toBuilder().setProducerName("exporter")
                .setDocString("A model description. ".repeat(60)).build();
        byte[] whole = m.toByteArray();
        Path f = Files.write(dir.resolve("documented.onnx"), Arrays.copyOf(whole, whole.length / 2));
        rejects(f, ModelProblem.TRUNCATED);
    }

    @Test
    void theMiniLmSampleCutInHalfIsRejectedAsTruncated() throws IOException {
        Path minilm = Path.of("sample-models/minilm/all-minilm-l6-v2.onnx");
        assertTrue(Files.exists(minilm), "the build unpacks the MiniLM sample; run mvn generate-resources");
        Path half = dir.resolve("minilm-half.onnx");
        try (FileChannel in = FileChannel.open(minilm);
             FileChannel out = FileChannel.open(half, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            in.transferTo(0, in.size() / 2, out);
        }
        rejects(half, ModelProblem.TRUNCATED);
    }

    @Test
    void randomBytesAreRejectedAsNotProtobuf() throws IOException {
        Random r = new Random(7);
        for (int i = 0; i < 20; i++) {
            byte[] b = new byte[1 + r.nextInt(4096)];
            r.nextBytes(b);
            b[0] = (byte) 0xff; // no ModelProto field starts with 0xff 0xff
            b[Math.min(1, b.length - 1)] = (byte) 0xff;
            Path f = Files.write(dir.resolve("random-" + i + ".onnx"), b);
            rejects(f, ModelProblem.NOT_PROTOBUF);
        }
    }

    @Test
    void aTextFileIsRejectedAsNotProtobufAndSaysItLooksLikeText() throws IOException {
        Path f = Files.writeString(dir.resolve("notes.onnx"), "name: my model\nlayers: 12\nThis is not protobuf.\n");
        String msg = rejects(f, ModelProblem.NOT_PROTOBUF).getMessage();
        assertTrue(msg.contains("text"), msg);
    }

    @Test
    void aPngIsRejectedAsNotProtobufAndNamedAsAnImage() throws IOException {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 0, 1, 0};
        Path f = Files.write(dir.resolve("picture.onnx"), png);
        String msg = rejects(f, ModelProblem.NOT_PROTOBUF).getMessage();
        assertTrue(msg.contains("PNG"), msg);
    }

    @Test
    void aZipArchiveSuchAsAPyTorchCheckpointIsRejectedAsNotProtobuf() throws IOException {
        byte[] zip = "PK\u0003\u0004\u0014\u0000\u0000\u0000\u0008\u0000archive/data.pkl".getBytes(StandardCharsets.ISO_8859_1);
        Path f = Files.write(dir.resolve("model.pt.onnx"), zip);
        String msg = rejects(f, ModelProblem.NOT_PROTOBUF).getMessage();
        assertTrue(msg.contains("zip"), msg);
    }

    @Test
    void aSerializedTensorProtoIsRejectedAsNotAModel() throws IOException {
        byte[] tensor = TinyModels.floats("w", new float[] {1, 2, 3, 4, 5, 6}, 2, 3).toByteArray();
        rejects(Files.write(dir.resolve("tensor.onnx"), tensor), ModelProblem.NOT_A_MODEL);
    }

    @Test
    void aSerializedGraphProtoIsRejectedAsNotAModel() throws IOException {
        byte[] graph = TinyModels.matmul(4, 3).getGraph().toByteArray();
        rejects(Files.write(dir.resolve("graph.onnx"), graph), ModelProblem.NOT_A_MODEL);
    }

    @Test
    void irVersion99IsRejectedAsUnsupported() {
        ModelProto m = TinyModels.matmul(4, 3).toBuilder().setIrVersion(99).build();
        String msg = rejects(TinyModels.write(m, dir.resolve("ir99.onnx")), ModelProblem.UNSUPPORTED_VERSION).getMessage();
        assertTrue(msg.contains("99"), msg);
    }

    @Test
    void opset99IsRejectedAsUnsupported() {
        ModelProto m = TinyModels.matmul(4, 3).toBuilder().setOpsetImport(0,
                OperatorSetIdProto.newBuilder().setDomain("").setVersion(99)).build();
        String msg = rejects(TinyModels.write(m, dir.resolve("opset99.onnx")), ModelProblem.UNSUPPORTED_VERSION).getMessage();
        assertTrue(msg.contains("99"), msg);
    }

    @Test
    void aModelWithoutOpsetImportsIsRejectedAsUnsupported() {
        ModelProto m = TinyModels.matmul(4, 3).toBuilder().clearOpsetImport().build();
        rejects(TinyModels.write(m, dir.resolve("no-opset.onnx")), ModelProblem.UNSUPPORTED_VERSION);
    }

    @Test
    void subgraphsNestedBeyondProtobufsDepthLimitAreRejectedAsTooDeep() {
        ModelProto m = TinyModels.model(BadGraphTest.nestedIfs(60));
        rejects(TinyModels.write(m, dir.resolve("deep.onnx")), ModelProblem.NESTED_TOO_DEEP);
    }

    @Test
    void aModelWithAGraphButNoIrVersionIsRejectedAsUnsupported() throws IOException {
        ModelProto m = ModelProto.newBuilder().setGraph(GraphProto.newBuilder().setName("g")).build();
        String msg = rejects(Files.write(dir.resolve("bare.onnx"), m.toByteArray()), ModelProblem.UNSUPPORTED_VERSION).getMessage();
        assertTrue(msg.contains("no IR version"), msg);
    }
}
