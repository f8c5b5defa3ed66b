package dev.whittle.core.onnx;

import static dev.whittle.testing.TinyModels.FLOAT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.whittle.core.model.Storage;
import dev.whittle.core.model.TensorData;
import dev.whittle.testing.TinyModels;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Load-then-save of a model with external data (in a sub-folder, at unaligned offsets, float32
 * and float16) writes a self-contained {@code <name>.onnx.data} with the same bytes, and ONNX
 * Runtime computes the same outputs from both, matching a plain Java computation.
 */
class ExternalSaveTest {
    @TempDir
    Path dir;

    private static float w0(int i, int j) {
        return (i - 2 * j) / 8f;
    }

    private static float w2(int i, int j) {
        return (i + j) % 3 - 1;
    }

    @Test
    void savingCopiesExternalTensorsIntoOneDataFileBesideTheTarget() throws Exception {
        Path src = dir.resolve("src");
        Files.createDirectories(src.resolve("weights"));
        // W0 float [8,4] at 3, W1 float16 [4,4] = 0.5 * identity at 200, W2 float [4,2] at 1001.
        ByteBuffer data = ByteBuffer.allocate(1100).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 8; i++) {
            for (int j = 0; j < 4; j++) {
                data.putFloat(3 + 4 * (i * 4 + j), w0(i, j));
            }
        }
        for (int i = 0; i < 4; i++) {
            data.putShort(200 + 2 * (i * 4 + i), (short) 0x3800); // 0.5 in IEEE half
        }
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 2; j++) {
                data.putFloat(1001 + 4 * (i * 2 + j), w2(i, j));
            }
        }
        Files.write(src.resolve("weights/all.bin"), data.array());
        GraphProto g = GraphProto.newBuilder().setName("ext")
                .addInput(TinyModels.value("X", FLOAT, 1, 8))
                .addInitializer(TinyModels.external("W0", FLOAT, "weights/all.bin", 3, 128, 8, 4))
                .addInitializer(TinyModels.external("W1", TensorProto.DataType.FLOAT16_VALUE, "weights/all.bin", 200, 32, 4, 4))
                .addInitializer(TinyModels.external("W2", FLOAT, "weights/all.bin", 1001, 32, 4, 2))
                .addNode(TinyModels.node("MatMul", "mm0", new String[] {"X", "W0"}, "H0"))
                .addNode(TinyModels.node("Cast", "cast", new String[] {"W1"}, "W1f").toBuilder()
                        .addAttribute(ai.onnx.proto.OnnxMl.AttributeProto.newBuilder().setName("to")
                                .setType(ai.onnx.proto.OnnxMl.AttributeProto.AttributeType.INT).setI(FLOAT)).build())
                .addNode(TinyModels.node("MatMul", "mm1", new String[] {"H0", "W1f"}, "H1"))
                .addNode(TinyModels.node("MatMul", "mm2", new String[] {"H1", "W2"}, "Y"))
                .addOutput(TinyModels.value("Y", FLOAT, 1, 2)).build();
        Path original = TinyModels.write(TinyModels.model(g), src.resolve("model.onnx"));
        OnnxModel m = OnnxReader.read(original);
        assertEquals(Storage.EXTERNAL, m.graph().constant("W1").orElseThrow().storage());

        Path copy = dir.resolve("out/copy.onnx");
        m.save(copy);
        try (Stream<Path> s = Files.list(copy.getParent())) {
            assertEquals(List.of("copy.onnx", "copy.onnx.data"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        float[] before = run(original);
        OnnxModel saved = OnnxReader.read(copy);
        for (TensorProto t : saved.proto().getGraph().getInitializerList()) {
            Map<String, String> ext = new java.util.HashMap<>();
            for (StringStringEntryProto e : t.getExternalDataList()) {
                ext.put(e.getKey(), e.getValue());
            }
            assertEquals("copy.onnx.data", ext.get("location"));
            assertEquals(0, Long.parseLong(ext.get("offset")) % 4096, "offsets are page-aligned");
            assertEquals(m.graph().constant(t.getName()).orElseThrow().raw(), saved.graph().constant(t.getName()).orElseThrow().raw(),
                    "bytes of " + t.getName());
        }
        deleteTree(dir.resolve("src")); // the copy must not need the source folder
        OnnxModel reopened = OnnxReader.read(copy);
        TensorData w0 = reopened.graph().constant("W0").orElseThrow();
        assertEquals(w0(7, 3), w0.toFloatArray()[7 * 4 + 3]);
        float[] after = run(copy);
        assertArrayEquals(before, after, "ORT outputs of the original and the copy");

        float[] x = new float[8];
        for (int i = 0; i < 8; i++) {
            x[i] = i - 3.5f;
        }
        for (int j = 0; j < 2; j++) {
            double y = 0;
            for (int k = 0; k < 4; k++) {
                double h0 = 0;
                for (int i = 0; i < 8; i++) {
                    h0 += x[i] * w0(i, k);
                }
                y += 0.5 * h0 * w2(k, j);
            }
            assertEquals(y, after[j], 1e-4, "Y[" + j + "] against a plain Java computation");
        }
    }

    private static float[] run(Path model) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[] x = new float[8];
        for (int i = 0; i < 8; i++) {
            x[i] = i - 3.5f;
        }
        try (OrtSession s = env.createSession(model.toString(), new OrtSession.SessionOptions());
             OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, 8});
             OrtSession.Result r = s.run(Map.of("X", in))) {
            return ((OnnxTensor) r.get(0)).getFloatBuffer().array();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
