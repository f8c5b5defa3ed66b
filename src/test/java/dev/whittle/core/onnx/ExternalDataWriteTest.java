package dev.whittle.core.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.whittle.core.model.DataType;
import dev.whittle.testing.MethodMatrix;
import dev.whittle.testing.Ort;
import dev.whittle.testing.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writing a model's weights to one external data file on request ({@code --external-data}). */
class ExternalDataWriteTest {
    @TempDir
    Path dir;

    @Test
    void weightsGoToOneAlignedFileThatOnnxRuntimeReads() throws Exception {
        OnnxModel m = MethodMatrix.mlp(DataType.FLOAT);
        Path out = dir.resolve("sub").resolve("ext.onnx");
        assertTrue(m.save(out, true), "the model says it keeps data outside");
        Path data = dir.resolve("sub").resolve("ext.onnx.data");
        assertTrue(Files.isRegularFile(data));
        OnnxModel back = OnnxReader.read(out);
        Map<String, long[]> where = new HashMap<>();
        for (TensorProto t : back.proto().getGraph().getInitializerList()) {
            boolean big = m.graph().constant(t.getName()).orElseThrow().dims().length > 0
                    && m.proto().getGraph().getInitializerList().stream().filter(i -> i.getName().equals(t.getName()))
                    .findFirst().orElseThrow().getRawData().size() >= OnnxWriter.EXTERNAL_THRESHOLD;
            assertEquals(big, t.getDataLocation() == TensorProto.DataLocation.EXTERNAL, t.getName());
            if (big) {
                Map<String, String> kv = new HashMap<>();
                for (StringStringEntryProto e : t.getExternalDataList()) {
                    kv.put(e.getKey(), e.getValue());
                }
                assertEquals("ext.onnx.data", kv.get("location"), "relative location");
                long offset = Long.parseLong(kv.get("offset"));
                assertEquals(0, offset % 4096, "aligned offset");
                where.put(t.getName(), new long[] {offset, Long.parseLong(kv.get("length"))});
            }
        }
        assertEquals(2, where.size(), "w1 (2 KiB) and w2 (2 KiB) moved out, biases kept inline: " + where.keySet());
        // The values read back equal the source's, through Whittle's reader and through ONNX Runtime.
        for (String w : where.keySet()) {
            assertArrayEquals(m.graph().constant(w).orElseThrow().toFloatArray(), back.graph().constant(w).orElseThrow().toFloatArray());
        }
        Random r = new Random(1);
        float[] x = new float[2 * 16];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        Tensor in = new Tensor(new long[] {2, 16}, x);
        assertArrayEquals(Ort.run(m, Map.of("x", in)).get("y").data(), Ort.run(out, Map.of("x", in)).get("y").data());
        assertTrue(Files.size(out) < 2048, "the .onnx holds the graph only: " + Files.size(out));
        try (var files = Files.list(dir.resolve("sub"))) {
            assertFalse(files.anyMatch(f -> f.getFileName().toString().startsWith(".whittle-")), "no temporary file left");
        }
    }

    @Test
    void aModelOverTheLimitGoesToExternalDataWithoutBeingAsked() throws Exception {
        OnnxModel m = MethodMatrix.mlp(DataType.FLOAT16);
        long inline = OnnxWriter.inlineBytes(m.proto());
        Path out = dir.resolve("big.onnx");
        assertTrue(OnnxWriter.write(m.proto(), out, null, false, inline - 1), "over the (lowered) limit: external");
        assertTrue(Files.isRegularFile(dir.resolve("big.onnx.data")));
        assertFalse(OnnxWriter.write(m.proto(), dir.resolve("fits.onnx"), null, false, inline), "at the limit: one file");
        OnnxModel back = OnnxReader.read(out);
        assertArrayEquals(m.graph().constant("w2").orElseThrow().toFloatArray(), back.graph().constant("w2").orElseThrow().toFloatArray());
    }

    @Test
    void aSmallModelStaysInOneFileUnlessAsked() {
        OnnxModel m = MethodMatrix.mlp(DataType.FLOAT16);
        Path out = dir.resolve("one.onnx");
        assertFalse(m.save(out, false));
        assertFalse(Files.exists(dir.resolve("one.onnx.data")));
        long raw = m.proto().getGraph().getInitializerList().stream().mapToLong(t -> t.getRawData().size()).sum();
        assertEquals(raw, OnnxWriter.inlineBytes(m.proto()), "inline bytes are the initializers' raw bytes");
    }
}
