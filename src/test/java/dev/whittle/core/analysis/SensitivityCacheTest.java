package dev.whittle.core.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.eval.Dataset;
import dev.whittle.core.eval.Datasets;
import dev.whittle.core.eval.EvalRequest;
import dev.whittle.core.eval.Pool;
import dev.whittle.core.eval.SessionSpec;
import dev.whittle.core.io.Hashes;
import dev.whittle.core.job.CancelToken;
import dev.whittle.core.job.ProgressSink;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.select.LayerSelector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SensitivityCacheTest {
    private static final Path CNN = Path.of("sample-models/fashion-cnn.onnx");

    private static SensitivityRequest request(OnnxModel m, List<Double> levels) {
        Map<String, String> in = new LinkedHashMap<>();
        in.put(null, "sample-models/fashion-test-x.npy");
        Dataset d = Datasets.fromFiles(in, "sample-models/fashion-test-y.npy", m.graph(), "fashion-test");
        EvalRequest e = new EvalRequest(m, null, null, d, 50, 100, null, Pool.NONE, SessionSpec.defaults());
        return new SensitivityRequest(e, "prune", levels, LayerSelector.all());
    }

    @Test
    void aSweepStoredIsReadBackEqualAndOtherSettingsMiss(@TempDir Path dir) throws Exception {
        OnnxModel m = OnnxReader.read(CNN);
        SensitivityRequest r = request(m, List.of(0.5, 0.9));
        SensitivityTable t = new SensitivityAnalysis().run(r, ProgressSink.NONE, CancelToken.none());
        SensitivityCache cache = new SensitivityCache(dir.resolve("sub"));
        String sha = Hashes.sha256(CNN);
        String key = SensitivityCache.key(sha, "fashion-test", r);
        assertTrue(cache.get(key).isEmpty());
        cache.put(key, t);
        assertEquals(t, cache.get(key).orElseThrow());
        assertEquals(0.5, t.levels().get(0));
        assertNotEquals(key, SensitivityCache.key(sha, "fashion-test", request(m, List.of(0.5, 0.8))));
        assertNotEquals(key, SensitivityCache.key(sha, "synthetic", r));
        assertNotEquals(key, SensitivityCache.key(Hashes.sha256("another model"), "fashion-test", r));
        assertEquals(key, SensitivityCache.key(sha, "fashion-test", request(m, List.of(0.5, 0.9))));
    }

    @Test
    void aDamagedEntryReadsAsAbsent(@TempDir Path dir) throws Exception {
        SensitivityCache cache = new SensitivityCache(dir);
        Files.writeString(dir.resolve("abc.json"), "{\"model\": ");
        assertTrue(cache.get("abc").isEmpty());
    }

    @Test
    void theSystemPropertyRedirectsTheStandardCache(@TempDir Path dir) {
        String old = System.getProperty(SensitivityCache.DIR_PROPERTY);
        System.setProperty(SensitivityCache.DIR_PROPERTY, dir.toString());
        try {
            assertEquals(dir, SensitivityCache.standard().dir());
        } finally {
            if (old == null) {
                System.clearProperty(SensitivityCache.DIR_PROPERTY);
            } else {
                System.setProperty(SensitivityCache.DIR_PROPERTY, old);
            }
        }
    }
}
