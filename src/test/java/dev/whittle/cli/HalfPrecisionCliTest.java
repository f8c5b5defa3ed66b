package dev.whittle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.model.DataType;
import dev.whittle.core.model.TensorData;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.onnx.OnnxReader;
import dev.whittle.core.tensor.Npy;
import dev.whittle.core.tensor.NpyArray;
import dev.whittle.core.tensor.Numerics;
import dev.whittle.testing.MethodMatrix;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A float16 model end to end through the CLI: compress, write in float16, evaluate with float16 or float32 data. */
class HalfPrecisionCliTest {
    @TempDir
    Path dir;
    Path model;
    float[] x;

    @BeforeEach
    void setUp() {
        model = dir.resolve("mlp16.onnx");
        MethodMatrix.mlp(DataType.FLOAT16).save(model);
        Random r = new Random(3);
        x = new float[64 * 16];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        Npy.write(dir.resolve("x32.npy"), NpyArray.ofFloats(x, 64, 16));
        ByteBuffer b = ByteBuffer.allocate(x.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : x) {
            b.putShort((short) Numerics.floatToHalf(v));
        }
        Npy.write(dir.resolve("x16.npy"), new NpyArray("float16", new long[] {64, 16}, b.flip()));
    }

    @Test
    void quantizedFloat16ModelsLoadAndStayCloseToTheOriginal() {
        String[][] cases = {{"--bits", "8", "--granularity", "channel"},
            {"--bits", "4", "--granularity", "block", "--format", "matmulnbits"},
            {"--bits", "8", "--granularity", "channel", "--format", "dynamic"}};
        for (String[] c : cases) {
            Path out = dir.resolve("q" + c.length + c[1] + ".onnx");
            String[] args = new String[c.length + 4];
            args[0] = "quantize";
            args[1] = model.toString();
            System.arraycopy(c, 0, args, 2, c.length);
            args[c.length + 2] = "-o";
            args[c.length + 3] = out.toString();
            var q = CliTestSupport.run(args);
            assertEquals(0, q.code(), String.join(" ", c) + ": " + q.err());
            var e = CliTestSupport.run("eval", out.toString(), "--inputs", dir.resolve("x32.npy").toString(),
                    "--baseline", model.toString());
            assertEquals(0, e.code(), String.join(" ", c) + ": " + e.err() + e.out());
            assertTrue((e.out() + e.err()).contains("float32 data converted to float16"), e.out() + e.err());
            double cos = cosine(e.out());
            // 8-bit stays within 1e-3 of the float16 original; 4-bit blocks of 32 within 2e-2.
            assertTrue(cos > (c[1].equals("8") ? 0.999 : 0.98), String.join(" ", c) + ": cosine " + cos + "\n" + e.out());
        }
    }

    @Test
    void float16DataIsReadAndPruningWritesFloat16() throws Exception {
        Path recipe = dir.resolve("r.yaml");
        Files.writeString(recipe, "whittle: 1\nsteps:\n  - select: {}\n    prune: {sparsity: 0.5}\n");
        Path out = dir.resolve("p.onnx");
        var a = CliTestSupport.run("apply", "--recipe", recipe.toString(), model.toString(), "-o", out.toString());
        assertEquals(0, a.code(), a.err());
        OnnxModel before = OnnxReader.read(model);
        OnnxModel after = OnnxReader.read(out);
        for (String w : new String[] {"w1", "w2"}) {
            TensorData t0 = before.graph().constant(w).orElseThrow();
            TensorData t1 = after.graph().constant(w).orElseThrow();
            assertEquals(DataType.FLOAT16, t1.type(), w + " stays float16");
            float[] v0 = t0.toFloatArray();
            float[] v1 = t1.toFloatArray();
            int zeros = 0;
            for (int i = 0; i < v0.length; i++) {
                if (v1[i] == 0f) {
                    zeros++;
                } else {
                    assertEquals(v0[i], v1[i], 0f, w + "[" + i + "] is kept exactly");
                }
            }
            assertEquals(v0.length / 2, zeros, w + ": half the weights are zero");
        }
        var e = CliTestSupport.run("eval", out.toString(), "--inputs", dir.resolve("x16.npy").toString(),
                "--baseline", model.toString());
        assertEquals(0, e.code(), e.err());
        assertTrue(!(e.out() + e.err()).contains("converted"), "float16 data is fed as it is: " + e.out());
        var s = CliTestSupport.run("stats", model.toString());
        assertEquals(0, s.code(), s.err());
        assertTrue(s.out().contains("w1") || s.out().contains("first"), s.out());
    }

    @Test
    void reportsCountFloat16ScalesAndWeightsAtTwoBytes() throws Exception {
        Path report = dir.resolve("q.json");
        var q = CliTestSupport.run("quantize", model.toString(), "--bits", "8", "--granularity", "channel",
                "-o", dir.resolve("q8.onnx").toString(), "--report", report.toString());
        assertEquals(0, q.code(), q.err());
        var first = new com.fasterxml.jackson.databind.ObjectMapper().readTree(report.toFile()).get("layers").get(0);
        assertEquals(16 * 32 * 2, first.get("bytesBefore").asLong(), "float16 weight: 2 bytes each");
        assertEquals(16 * 32 + 32 * 2 + 32, first.get("bytesAfter").asLong(), "int8 codes, float16 scales, int8 zero points");
    }

    @Test
    void externalDataOnRequestWritesOneDataFileThatEvaluates() {
        Path out = dir.resolve("ext.onnx");
        var q = CliTestSupport.run("quantize", model.toString(), "--bits", "8", "--external-data", "-o", out.toString());
        assertEquals(0, q.code(), q.err());
        assertTrue(Files.isRegularFile(dir.resolve("ext.onnx.data")), "weights beside the model");
        assertTrue(!q.err().contains("keeps its weights"), "no note when asked for: " + q.err());
        var e = CliTestSupport.run("eval", out.toString(), "--inputs", dir.resolve("x16.npy").toString(),
                "--baseline", model.toString());
        assertEquals(0, e.code(), e.err() + e.out());
        assertTrue(cosine(e.out()) > 0.999, e.out());
    }

    private static double cosine(String out) {
        Matcher m = Pattern.compile("cosine[^0-9-]*(-?[0-9.]+)").matcher(out);
        assertTrue(m.find(), "no cosine in: " + out);
        return Double.parseDouble(m.group(1));
    }
}
