package dev.whittle.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.BadInputException;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parsing a recorded ONNX Runtime 1.29 trace of the Fashion CNN (two runs, arguments trimmed) and mapping its kernels. */
class ProfileTraceTest {
    private static final double US = 1e-3; // one microsecond, in milliseconds

    private static ProfileTrace recorded() throws Exception {
        try (InputStream in = ProfileTraceTest.class.getResourceAsStream("fashion-cnn-profile.json")) {
            return ProfileTrace.parse(in, "fashion-cnn-profile.json");
        }
    }

    @Test
    void readsRunsAndKernelsAndDropsOtherEvents() throws Exception {
        ProfileTrace t = recorded();
        assertEquals(List.of(new ProfileTrace.Run(184512, 183), new ProfileTrace.Run(184733, 122)), t.runs());
        assertEquals(20, t.kernels().size());
        ProfileTrace.Kernel k = t.kernels().get(0);
        assertEquals(new ProfileTrace.Kernel("relu1_out_nchwc", "Conv", "CPUExecutionProvider", 184526, 32), k);
        assertEquals("fused fc1", t.kernels().get(7).node());
    }

    @Test
    void averagesTheProfiledRunsAndMapsFusedAndRenamedKernelsToLayers() throws Exception {
        OnnxModel cnn = OnnxReader.read(Path.of("sample-models/fashion-cnn.onnx"));
        ProfileRequest r = ProfileRequest.of(cnn, 1, 0, 2);
        LayerTimes t = NodeProfiler.summarize(recorded(), r, null, "synthetic", List.of());
        assertEquals((183 + 122) / 2.0 * US, t.runMs(), 1e-12);
        // hand-computed means of the two runs, in microseconds
        Map<String, Double> expected = Map.of("conv1", 22.0, "conv2", 11.0, "fc1", 11.0, "fc2", 6.0, "fc3", 6.0);
        assertEquals(List.of("conv1", "conv2", "fc1", "fc2", "fc3"), List.copyOf(t.layers().keySet()));
        expected.forEach((layer, us) -> assertEquals(us * US, t.layers().get(layer), 1e-12, layer));
        NodeProfile pool2 = t.nodes().stream().filter(n -> n.node().equals("pool2_out_nchwc")).findFirst().orElseThrow();
        assertEquals(NodeProfile.Kind.OTHER, pool2.kind());
        assertEquals("pool2", pool2.origin());
        assertEquals(List.of("ReorderOutput", "ReorderOutput_token_5"), t.unmapped().stream().map(NodeProfile::node).toList());
        assertEquals((6.5 + 4) * US, t.ms(NodeProfile.Kind.UNMAPPED), 1e-12);
        assertEquals(List.of("Conv", "FusedGemm", "MaxPool", "ReorderOutput", "Gemm", "Flatten"), List.copyOf(t.byOp().keySet()));
        assertTrue(t.kernelMs() <= t.runMs());
    }

    @Test
    void dropsKernelsOfWarmUpRuns() throws Exception {
        OnnxModel cnn = OnnxReader.read(Path.of("sample-models/fashion-cnn.onnx"));
        LayerTimes t = NodeProfiler.summarize(recorded(), ProfileRequest.of(cnn, 1, 1, 1), null, "synthetic", List.of());
        assertEquals(122 * US, t.runMs(), 1e-12);
        assertEquals(12 * US, t.layers().get("conv1"), 1e-12);
    }

    @Test
    void refusesWhatIsNotATrace() {
        BadInputException e = assertThrows(BadInputException.class, () -> ProfileTrace.parse(
                new ByteArrayInputStream("{\"a\": 1}".getBytes(StandardCharsets.UTF_8)), "x.json"));
        assertTrue(e.getMessage().contains("x.json") && e.getMessage().contains("JSON array"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> ProfileTrace.parse(
                new ByteArrayInputStream("[{\"cat\": \"Node\",".getBytes(StandardCharsets.UTF_8)), "cut.json"));
        assertTrue(e.getMessage().contains("cut.json") && e.getMessage().contains("not valid JSON"), e.getMessage());
    }
}
