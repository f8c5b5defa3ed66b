package dev.whittle.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.job.CancelToken;
import dev.whittle.core.job.ProgressSink;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Profiles the samples with ONNX Runtime's profiler. */
class NodeProfilerTest {
    @Test
    void fashionCnnLayerTimesFitInTheRunAndEveryConvAndGemmIsMapped() throws Exception {
        OnnxModel cnn = OnnxReader.read(Path.of("sample-models/fashion-cnn.onnx"));
        long before = traces();
        LayerTimes t = NodeProfiler.run(ProfileRequest.of(cnn, 4, 2, 5), ProgressSink.NONE, CancelToken.none());
        assertEquals(5, t.runs());
        assertEquals(4, t.batch());
        double layers = t.layers().values().stream().mapToDouble(Double::doubleValue).sum();
        assertTrue(layers > 0 && layers <= t.kernelMs() && t.kernelMs() <= t.runMs(),
                layers + " <= " + t.kernelMs() + " <= " + t.runMs());
        assertEquals(List.of("conv1", "conv2", "fc1", "fc2", "fc3"), List.copyOf(t.layers().keySet()));
        t.layers().forEach((l, ms) -> assertTrue(ms > 0, l + " has no time"));
        for (NodeProfile n : t.nodes()) {
            if (n.op().contains("Conv") || n.op().contains("Gemm")) {
                assertEquals(NodeProfile.Kind.LAYER, n.kind(), n.toString());
            }
        }
        assertEquals(before, traces(), "the trace file is removed");
    }

    @Test
    void mediansIgnoreOneStalledRunThatMovesTheMean() {
        OnnxModel cnn = OnnxReader.read(Path.of("sample-models/fashion-cnn.onnx"));
        ProfileRequest r = ProfileRequest.of(cnn, 4, 0, 3);
        // three runs of 1000 us; conv1 takes 10, 100 (a stall) and 12 us, called twice in the last run (5 + 7)
        List<ProfileTrace.Run> runs = List.of(new ProfileTrace.Run(0, 1000), new ProfileTrace.Run(2000, 1000),
                new ProfileTrace.Run(4000, 1000));
        List<ProfileTrace.Kernel> kernels = List.of(new ProfileTrace.Kernel("conv1", "Conv", "", 10, 10),
                new ProfileTrace.Kernel("conv1", "Conv", "", 2010, 100), new ProfileTrace.Kernel("conv1", "Conv", "", 4010, 5),
                new ProfileTrace.Kernel("conv1", "Conv", "", 4100, 7));
        ProfileTrace trace = new ProfileTrace(runs, kernels);
        LayerTimes mean = NodeProfiler.summarize(trace, r, null, "synthetic", List.of(), false);
        LayerTimes median = NodeProfiler.summarize(trace, r, null, "synthetic", List.of(), true);
        assertEquals(122 / 3.0 / 1000, mean.nodes().get(0).ms(), 1e-12);
        assertEquals(0.012, median.nodes().get(0).ms(), 1e-12, "the median of 10, 100 and 5 + 7 us");
        assertEquals(0.012, median.layers().get("conv1"), 1e-12);
    }

    @Test
    void miniLmMapsEveryMatMulLayerAndReportsFusedKernels() {
        OnnxModel m = OnnxReader.read(Path.of("sample-models/minilm/all-minilm-l6-v2.onnx"));
        LayerTimes t = NodeProfiler.run(ProfileRequest.of(m, 1, 1, 2), ProgressSink.NONE, CancelToken.none());
        m.graph().weightLayers().stream().filter(l -> l.op().equals("MatMul"))
                .forEach(l -> assertTrue(t.layers().get(l.node()) > 0, l.node()));
        assertTrue(t.nodes().stream().anyMatch(n -> n.op().equals("LayerNormalization") && n.kind() == NodeProfile.Kind.OTHER));
        assertTrue(t.unmapped().stream().anyMatch(n -> n.op().equals("BiasGelu")), t.unmapped().toString());
        assertTrue(t.kernelMs() <= t.runMs());
    }

    private static long traces() throws Exception {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("whittle-profile")).count();
        }
    }
}
