package dev.whittle.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.whittle.core.tensor.Npy;
import dev.whittle.core.tensor.NpyArray;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The committed MiniLM evaluation inputs: known BERT-uncased encodings of the first sentences,
 * consistent masks, and a run of all-MiniLM-L6-v2 (unpacked by the build) in ONNX Runtime.
 */
class MiniLmSamplesTest {
    static final Path DIR = SampleModelsTest.DIR;

    static NpyArray load(String name) {
        return Npy.read(DIR.resolve("minilm-" + name + ".npy"));
    }

    private static long[] row(long[] a, int r, int len) {
        return Arrays.copyOfRange(a, r * len, (r + 1) * len);
    }

    private static long[] padded(int len, long... ids) {
        return Arrays.copyOf(ids, len);
    }

    @Test
    void firstSentencesHaveTheirKnownBertUncasedEncodings() throws Exception {
        NpyArray ids = load("input_ids");
        List<String> sentences = Files.readAllLines(DIR.resolve("minilm-sentences.txt"), StandardCharsets.UTF_8);
        assertEquals(List.of("Hello, world!", "The quick brown fox jumps over the lazy dog."), sentences.subList(0, 2));
        long[] shape = ids.shape();
        assertEquals(sentences.size(), shape[0]);
        assertEquals(64, shape[0]);
        int len = (int) shape[1];
        long[] v = ids.toLongArray();
        assertArrayEquals(padded(len, 101, 7592, 1010, 2088, 999, 102), row(v, 0, len));
        assertArrayEquals(padded(len, 101, 1996, 4248, 2829, 4419, 14523, 2058, 1996, 13971, 3899, 1012, 102), row(v, 1, len));
        assertArrayEquals(padded(len, 101, 1045, 2064, 1005, 1056, 2903, 2009, 1005, 1055, 2525, 5958, 1012, 102), row(v, 2, len));
    }

    @Test
    void masksMarkExactlyTheTokensBetweenClsAndSep() {
        NpyArray ids = load("input_ids");
        NpyArray mask = load("attention_mask");
        NpyArray types = load("token_type_ids");
        for (NpyArray a : List.of(ids, mask, types)) {
            assertEquals("int64", a.dtype());
            assertArrayEquals(ids.shape(), a.shape());
        }
        int rows = (int) ids.shape()[0];
        int len = (int) ids.shape()[1];
        long[] v = ids.toLongArray();
        long[] m = mask.toLongArray();
        boolean someFull = false;
        for (int r = 0; r < rows; r++) {
            int tokens = (int) Arrays.stream(row(m, r, len)).sum();
            someFull |= tokens == len;
            assertEquals(101, v[r * len], "row " + r + " starts with [CLS]");
            assertEquals(102, v[r * len + tokens - 1], "row " + r + " ends with [SEP]");
            for (int t = 0; t < len; t++) {
                assertEquals(t < tokens ? 1 : 0, m[r * len + t]);
                assertEquals(t < tokens, v[r * len + t] != 0, "row " + r + " pads with id 0 after the mask");
            }
        }
        assertTrue(someFull, "padded to the longest sentence");
        assertTrue(Arrays.stream(types.toLongArray()).allMatch(t -> t == 0));
    }

    @Test
    void miniLmRunsOnTheInputsAndIgnoresPadding() throws Exception {
        Path model = DIR.resolve("minilm/all-minilm-l6-v2.onnx");
        assertTrue(Files.isRegularFile(model), model + " is unpacked by `mvn compile`");
        NpyArray ids = load("input_ids");
        int rows = (int) ids.shape()[0];
        int len = (int) ids.shape()[1];
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(model.toString(), new OrtSession.SessionOptions())) {
            float[][][] all = run(env, s, ids.toLongArray(), load("attention_mask").toLongArray(), rows, len);
            assertEquals(rows, all.length);
            assertEquals(len, all[0].length);
            assertEquals(384, all[0][0].length);
            for (float[][] sentence : all) {
                for (float[] token : sentence) {
                    for (float f : token) {
                        assertTrue(Float.isFinite(f));
                    }
                }
            }
            // "Hello, world!" alone (6 tokens, no padding) gives the same token vectors as in the padded batch
            long[] first = Arrays.copyOf(ids.toLongArray(), 6);
            long[] ones = new long[6];
            Arrays.fill(ones, 1);
            float[][][] alone = run(env, s, first, ones, 1, 6);
            for (int t = 0; t < 6; t++) {
                assertArrayEquals(alone[0][t], all[0][t], 1e-4f, "token " + t);
            }
        }
    }

    private static float[][][] run(OrtEnvironment env, OrtSession s, long[] ids, long[] mask, int rows, int len)
            throws Exception {
        long[] shape = {rows, len};
        try (OnnxTensor i = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
             OnnxTensor m = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape);
             OnnxTensor t = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[rows * len]), shape);
             OrtSession.Result r = s.run(Map.of("input_ids", i, "attention_mask", m, "token_type_ids", t))) {
            return (float[][][]) r.get("output_0").orElseThrow().getValue();
        }
    }
}
